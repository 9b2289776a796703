"""``nordbrief-manifest.json``: what an installed model folder must contain.

Written last, inside the staging folder, before the folder is renamed into place: a folder
without it is not an installed model. Loads compare file sizes (cheap); ``models verify`` and the
end of every download compare SHA-256 hashes (full).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models.errors import Cancelled

MANIFEST = "nordbrief-manifest.json"
FORMAT = 1


def sha256_file(path: Path, cancel: Callable[[], bool] | None = None) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            if cancel is not None and cancel():
                raise Cancelled()
    return h.hexdigest()


def git_blob_sha1(path: Path) -> str:
    """The git object id of a file: what the Hub reports for files not stored in LFS."""
    h = hashlib.sha1(b"blob %d\0" % path.stat().st_size)
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class Manifest:
    name: str
    origin: str  # "hub", "import-checkpoint", "import-ctranslate2" or "import-argos"
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> {"size", "sha256"}
    repo_id: str | None = None
    revision: str | None = None
    commit: str | None = None
    license: str | None = None
    attribution: str | None = None
    quantization: str | None = None
    source_files: dict[str, dict[str, Any]] = field(default_factory=dict)
    created: str | None = None
    # Imported checkpoints: True when every file matched the ETag recorded with the folder at a
    # catalog entry's pinned commit; False for "imported, not verified"; None otherwise.
    verified: bool | None = None

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, **self.__dict__}

    @classmethod
    def read(cls, folder: Path) -> Manifest | None:
        try:
            data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return None
        data.pop("format")
        try:
            return cls(**data)
        except TypeError:
            return None

    def write(self, folder: Path) -> None:
        from models.files import write_atomic

        write_atomic(folder / MANIFEST, json.dumps(self.to_json(), indent=2, sort_keys=True) + "\n")


def record_files(folder: Path, cancel: Callable[[], bool] | None = None) -> dict[str, dict[str, Any]]:
    """Size and SHA-256 of every file in ``folder`` (the manifest itself excluded)."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != MANIFEST:
            rel = path.relative_to(folder).as_posix()
            out[rel] = {"size": path.stat().st_size, "sha256": sha256_file(path, cancel)}
    return out


def quick_problems(folder: Path, manifest: Manifest) -> list[str]:
    """Missing files or wrong sizes: cheap enough for every load."""
    problems: list[str] = []
    for rel, meta in manifest.files.items():
        path = folder / rel
        if not path.is_file():
            problems.append(f"{rel} is missing")
        elif path.stat().st_size != meta.get("size"):
            problems.append(f"{rel} has {path.stat().st_size} bytes, expected {meta.get('size')}")
    return problems


def full_problems(folder: Path, manifest: Manifest, cancel: Callable[[], bool] | None = None) -> list[str]:
    """``quick_problems`` plus a SHA-256 comparison of every file."""
    problems = quick_problems(folder, manifest)
    bad = {p.split(" ", 1)[0] for p in problems}
    for rel, meta in manifest.files.items():
        if rel not in bad and sha256_file(folder / rel, cancel) != meta.get("sha256"):
            problems.append(f"{rel} is corrupted (SHA-256 differs from the manifest)")
    return problems
