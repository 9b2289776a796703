"""The bundle's entry point: the same launcher as the ``nordbrief`` console script."""

import multiprocessing
import sys

from desktop.launcher import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # harmless on Linux; needed if a library spawns on Windows/macOS
    sys.exit(main())
