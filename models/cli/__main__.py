"""``python -m models.cli``: the headless commands without the launcher."""

import sys

from models.cli import main

sys.exit(main())
