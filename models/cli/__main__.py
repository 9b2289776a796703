"""``python -m models.cli``: the headless commands without the launcher."""

import sys

from models.cli import main

if __name__ == "__main__":  # walking the package (import checks) must not run the CLI
    sys.exit(main())
