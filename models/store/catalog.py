"""The models Nordbrief offers (``catalog.json``, shipped in the package)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    label: str
    repo_id: str
    revision: str
    license: str
    attribution: str
    architecture: str
    download_mb: int
    installed_mb: int
    quality: str
    description: str


CATALOG_FILE = Path(__file__).with_name("catalog.json")


@cache
def _load() -> tuple[str, tuple[CatalogEntry, ...]]:
    data = json.loads(CATALOG_FILE.read_text(encoding="utf-8"))
    return data["default"], tuple(CatalogEntry(**item) for item in data["models"])


def load_catalog() -> dict[str, CatalogEntry]:
    """Name -> entry, in the order the catalog lists them (the default first)."""
    return {e.name: e for e in _load()[1]}


def default_name() -> str:
    return _load()[0]
