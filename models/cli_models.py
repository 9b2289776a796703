"""``nordbrief models ...``: PLACEHOLDER until the model store lands."""

from __future__ import annotations

import argparse


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    pass
