"""The ``nordbrief`` console script.

Imports no Qt at module level, so headless subcommands start fast and work on machines without a
display: ``nordbrief gui [FILE]`` or ``nordbrief FILE`` open the window, everything else goes to
``models.cli``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

HEADLESS_COMMANDS = {
    "segment",
    "translate",
    "summarize",
    "check",
    "models",
    "install-desktop-entry",
    "uninstall-desktop-entry",
    "--help",
    "-h",
    "--version",
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "gui":
        return _gui(args[1:])
    if args and args[0] not in HEADLESS_COMMANDS and not args[0].startswith("-") and Path(args[0]).exists():
        return _gui(args)
    if not args:
        return _gui([])
    from models.cli import main as cli_main

    return cli_main(args)


def _gui(args: list[str]) -> int:
    try:
        from desktop.app import run
    except ImportError as exc:  # PySide6 missing or the GUI not installed
        print(f"nordbrief: error: the desktop GUI is not available ({exc})", file=sys.stderr)
        return 2
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
