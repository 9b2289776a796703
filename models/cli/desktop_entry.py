"""``nordbrief install-desktop-entry`` / ``uninstall-desktop-entry``: the application menu entry,
"Open with" associations and icons of a pip or pipx install (Linux, freedesktop)."""

from __future__ import annotations

import argparse

from models import desktop_entry
from models.cli.command import Command
from models.errors import EXIT_OK


def no_arguments(p: argparse.ArgumentParser) -> None:
    """Neither command takes any."""


def run_install(args: argparse.Namespace) -> int:
    result = desktop_entry.install()
    print(f"Installed {len(result.written)} files under {desktop_entry.data_home()}")
    print(f"Menu entry: {result.written[0]}")
    print(f"Starts: {result.exec_line}")
    return EXIT_OK


def run_uninstall(args: argparse.Namespace) -> int:
    result = desktop_entry.uninstall()
    if result.removed:
        print(f"Removed {len(result.removed)} files under {desktop_entry.data_home()}")
    else:
        print(f"Nothing to remove: no Nordbrief desktop entry under {desktop_entry.data_home()}")
    return EXIT_OK


INSTALL = Command(
    "install-desktop-entry",
    "add Nordbrief to this user's application menu and 'Open with' (Linux, freedesktop)",
    no_arguments,
    run_install,
)
UNINSTALL = Command(
    "uninstall-desktop-entry", "remove what install-desktop-entry added", no_arguments, run_uninstall
)
