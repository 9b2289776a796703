"""Autosave and restore of the last article and its results (translation, bullets, flags).

Written as JSON to ``models.paths.data_dir()/session.json`` with ``write_atomic``, so a crash or a
kill mid-write leaves the previous file intact. Before each save the last file that was read
back successfully is kept as ``session.prev.json``; if the main file is ever unreadable
(corrupted by a disk error, edited by hand) the previous good session is restored instead.
Qt-free; never logs article text.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.article import Article
from models.errors import OutputError
from models.files import write_atomic
from models.paths import data_dir

log = logging.getLogger(__name__)

VERSION = 1


@dataclass
class Session:
    """What the window needs to come back as it was."""

    text: str  # the Original pane, exactly as the user left it
    article: Article | None = None  # the analysed article, if it matches ``text``
    file: str | None = None  # the file the text came from


def session_path() -> Path:
    return data_dir() / "session.json"


def backup_path() -> Path:
    return data_dir() / "session.prev.json"


def to_json(session: Session) -> dict[str, Any]:
    art = None
    if session.article is not None:
        art = session.article.to_json()
        art["text"] = session.article.text
    return {"version": VERSION, "text": session.text, "file": session.file, "article": art}


def from_json(data: dict[str, Any]) -> Session:
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("text"), str):
        raise ValueError("not a Nordbrief session")
    art = Article.from_json(data["article"]) if data.get("article") else None
    return Session(text=data["text"], article=art, file=data.get("file"))


def snapshot(session: Session) -> str:
    """The session as JSON text. The window takes it in the GUI thread (cheap, one consistent state
    while the translator keeps filling the article) and hands the string to a background write."""
    return json.dumps(to_json(session), ensure_ascii=False)


def save(session: Session, path: Path | None = None) -> Path:
    """Atomically write the session; the old file becomes the backup only if it still parses."""
    return save_text(snapshot(session), path)


def save_text(data: str, path: Path | None = None) -> Path:
    """Write a ``snapshot`` atomically (temp file, fsync, rename): slow on a busy disk, so the
    window calls it from the ``io`` worker lane, never from the GUI thread."""
    target = path or session_path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {target.parent}: {exc.strerror or exc}") from None
    backup = target.with_name(target.stem + ".prev.json")
    if target.exists() and _read(target) is not None:
        with contextlib.suppress(OSError):
            os.replace(target, backup)
    write_atomic(target, data)
    return target


def _read(path: Path) -> Session | None:
    try:
        return from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError) as exc:
        # Only the reason, never content: the session holds confidential article text.
        log.warning("session file %s unusable: %s", path.name, type(exc).__name__)
        return None


# A temp file this old cannot belong to a write still in progress (another running instance).
STALE_TEMP_SECONDS = 60.0


def remove_stale_temps(target: Path) -> int:
    """Delete temp files a killed autosave left behind: they hold confidential article text."""
    removed = 0
    now = time.time()
    for name in (target.name, target.stem + ".prev.json"):
        for tmp in target.parent.glob(f".{name}.*.tmp"):
            try:
                if now - tmp.stat().st_mtime >= STALE_TEMP_SECONDS:
                    tmp.unlink()
                    removed += 1
            except OSError:
                continue
    return removed


def load(path: Path | None = None) -> Session | None:
    """The saved session, else the previous good one, else None (first start)."""
    target = path or session_path()
    backup = target.with_name(target.stem + ".prev.json")
    if target.parent.is_dir():
        remove_stale_temps(target)
    for candidate in (target, backup):
        if candidate.exists():
            session = _read(candidate)
            if session is not None:
                return session
    return None


def clear(path: Path | None = None) -> None:
    target = path or session_path()
    for p in (target, target.with_name(target.stem + ".prev.json")):
        try:
            p.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise OutputError(f"cannot remove {p}: {exc.strerror or exc}") from None
