"""The headless command line: everything the GUI can do, without a display.

``COMMANDS`` is the one registry of subcommands (a module each, ``models/cli/*.py``); the parser,
``python -m models.cli`` and the ``nordbrief`` launcher are all built from it. Every command calls
the engine API the window uses (``models.pipeline``; the model store's for ``models``).
User-caused errors become one line on stderr and an exit code (see ``models.errors``);
tracebacks are left for real bugs.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from models import __version__
from models.cli import check, desktop_entry, gui, segment, store, summarize, translate
from models.cli.command import Command, Parser
from models.errors import EXIT_INPUT, EXIT_INTERRUPTED, NordbriefError

COMMANDS: tuple[Command, ...] = (
    gui.COMMAND,
    segment.COMMAND,
    translate.COMMAND,
    summarize.COMMAND,
    check.COMMAND,
    store.COMMAND,
    desktop_entry.INSTALL,
    desktop_entry.UNINSTALL,
)
GUI = gui.COMMAND.name


def command_names() -> frozenset[str]:
    return frozenset(c.name for c in COMMANDS)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="nordbrief", description="Norwegian news -> English translation and key facts, offline."
    )
    parser.add_argument("--version", action="version", version=f"nordbrief {__version__}")
    parser.add_argument(
        "--models-dir", help="folder holding installed models (default: per-user data folder)"
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for command in COMMANDS:
        p = sub.add_parser(command.name, help=command.help)
        command.add_arguments(p)
    return parser


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """Parse a command line (``SystemExit`` 2 on a usage error, 0 after ``--help``) and apply its
    global options."""
    args = build_parser().parse_args(list(argv))
    if args.models_dir:
        os.environ["NORDBRIEF_MODELS_DIR"] = args.models_dir
    return args


def run(args: argparse.Namespace) -> int:
    """Run a parsed headless command; errors a user can cause become one line and an exit code."""
    command = next(c for c in COMMANDS if c.name == args.command)
    if command.run is None:
        print(f"nordbrief: error: {command.name} is started by the nordbrief command", file=sys.stderr)
        return EXIT_INPUT
    try:
        return int(command.run(args) or 0)
    except NordbriefError as exc:
        print(f"nordbrief: error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("nordbrief: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def main(argv: Sequence[str] | None = None) -> int:
    return run(parse(sys.argv[1:] if argv is None else argv))


__all__ = ["COMMANDS", "GUI", "Command", "build_parser", "command_names", "main", "parse", "run"]
