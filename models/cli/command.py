"""What a subcommand is: its name, its arguments and the function that runs it.

Every command module defines its ``Command`` objects; ``models.cli.COMMANDS`` lists them all, and
both ``python -m models.cli`` and the ``nordbrief`` launcher build their one parser from that list.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass


class Parser(argparse.ArgumentParser):
    """argparse exits 2 on usage errors already; keep its message to one line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    # None: a front end outside the engine runs it (``gui``: the desktop launcher).
    run: Callable[[argparse.Namespace], int] | None
