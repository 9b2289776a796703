"""The ``nordbrief`` console script.

Imports no Qt at module level, so headless subcommands start fast and work on machines without a
display. There is one parser, built from the engine's command registry (``models.cli.COMMANDS``):
``nordbrief gui [FILE|LINK]``, ``nordbrief FILE``, ``nordbrief http(s)://…`` and plain
``nordbrief`` open the window, every other subcommand runs headless.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

# ``scheme://…``: a link for the window to import (a scheme other than http/https gets the
# window's clear error, not "invalid choice"). The same test as the engine's ``is_url``.
_LINK = re.compile(r"\A\s*[A-Za-z][A-Za-z0-9+.-]*://")


def is_link(arg: str) -> bool:
    return bool(_LINK.match(arg))


def main(argv: Sequence[str] | None = None) -> int:
    from models import cli

    args = list(sys.argv[1:] if argv is None else argv)
    opens_file = args and args[0] not in cli.command_names() and not args[0].startswith("-")
    if not args or (opens_file and (is_link(args[0]) or Path(args[0]).exists())):
        args = [cli.GUI, *args]
    ns = cli.parse(args)
    if ns.command == cli.GUI:
        return _gui(ns)
    return cli.run(ns)


def _gui(args: argparse.Namespace) -> int:
    try:
        from desktop.app import start
    except ImportError as exc:  # PySide6 missing or the GUI not installed
        print(f"nordbrief: error: the desktop GUI is not available ({exc})", file=sys.stderr)
        return 2
    return start(args)


if __name__ == "__main__":
    sys.exit(main())
