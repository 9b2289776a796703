"""``nordbrief gui [FILE]`` (also ``nordbrief FILE`` and plain ``nordbrief``): the window.

Declared here with the other commands so there is one parser; the engine never imports Qt, so
``desktop.launcher`` runs it (``run`` is None).
"""

from __future__ import annotations

import argparse

from models.cli.command import Command


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", nargs="?", help="an article to open (.txt, .md, .html, .docx) or an http(s) link")
    p.add_argument("--model", help="translation model name or folder (default: the store's default model)")
    p.add_argument(
        "--no-restore", action="store_true", help="start empty instead of restoring the last article"
    )


COMMAND = Command("gui", "open the Nordbrief window (the default)", add_arguments, None)
