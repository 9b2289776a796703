"""Autosave and restore of the last article and its results (translation, bullets, flags).

Written as JSON to ``models.paths.data_dir()/session.json`` with ``write_atomic``, so a crash or a
kill mid-write leaves the previous file intact. Before each save the last file that was read
back successfully is kept as ``session.prev.json``; if the main file is ever unreadable
(corrupted by a disk error, edited by hand, written by a hostile program) the previous good
session is restored instead, else the window starts empty, and ``restore`` says so in a note for
the status bar. A damaged file is moved aside to ``session.damaged.json`` rather than overwritten
by the next autosave: it may hold the newest typed text.

Reading is bounded before anything is parsed (a regular file, at most ``MAX_SESSION_BYTES``,
nesting at most ``MAX_DEPTH``), and the parsed JSON is validated as a whole against the data
model itself: the field types of the ``Session`` and ``models.article`` dataclasses (read from
their annotations, so a field added later is validated too) and then the article invariants the
engine guarantees (``models.invariants``: offsets inside the text, indices in range). Only then is
it turned into objects, so nothing in the file can make the window fail at start.
Qt-free; never logs article text.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import itertools
import json
import logging
import os
import re
import stat
import time
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models import invariants
from models.article import Article
from models.errors import OutputError
from models.files import write_atomic
from models.paths import data_dir

log = logging.getLogger(__name__)

VERSION = 1

# A session holds the article text about five times over (text, sentences, translations,
# bullets): this admits articles of 20 MB and more, far beyond what the window edits comfortably,
# and keeps a damaged or hostile file from taking the machine's memory at start.
MAX_SESSION_BYTES = 128 * 1024 * 1024
# The real nesting is 6 (session > article > bullets > bullet > spans > span); json's C parser
# would recurse (RecursionError) on 100k-deep input, so depth is checked on the raw bytes first.
MAX_DEPTH = 32


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


class SessionError(ValueError):
    """The file is not a session this version wrote: the reason, never its content."""


def from_json(data: Any) -> Session:
    """A ``Session`` from parsed JSON, validated as a whole first (``validate``)."""
    validate(data)
    art = Article.from_json(data["article"]) if data.get("article") else None
    return Session(text=data["text"], article=art, file=data.get("file"))


def validate(data: Any) -> None:
    """Raise ``SessionError`` unless ``data`` is exactly what ``to_json`` writes.

    The schema is the data model: every key must be a field (or a derived property such as
    ``FlagDetail.severity``) of the dataclass it belongs to, every required field present, every
    value of its annotated type; then the article must satisfy the engine's invariants, since the
    window indexes the text with its offsets.
    """
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise SessionError("not a Nordbrief session")
    _check(Session, {k: v for k, v in data.items() if k != "version"}, "session")
    art = data.get("article")
    if art:
        problems = invariants.check_article_json(art, art["text"])
        if problems:  # where only: the problem's text may quote the article
            raise SessionError(f"article: {problems[0].split(':', 1)[0]} is inconsistent")


Check = Callable[[Any, str], None]


def _check(tp: Any, value: Any, where: str) -> None:
    """``value`` (parsed JSON) has the annotated type ``tp``."""
    _checker(tp)(value, where)


def _fail(where: str, expected: str, value: Any) -> SessionError:
    return SessionError(f"{where}: expected {expected}, found {type(value).__name__}")


@functools.cache
def _checker(tp: Any) -> Check:
    """A checker for the annotation ``tp``, built once per type (a session has ~30 values per
    sentence; walking the annotations anew for each would take seconds on a long article).
    An annotation it does not know fails loudly (``TypeError``): the round-trip tests then say
    which new field needs a rule, instead of every session being refused at start."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any:
        return lambda v, w: None
    if origin is typing.Union or origin is types.UnionType:
        allow_none = type(None) in args
        options = [_checker(a) for a in args if a is not type(None)]

        def union(v: Any, w: str) -> None:
            if v is None and allow_none:
                return
            if len(options) == 1:  # ``X | None``: say what is wrong inside X
                options[0](v, w)
                return
            for option in options:
                try:
                    option(v, w)
                except SessionError:
                    continue
                return
            raise _fail(w, str(tp), v)

        return union
    if tp is type(None):
        return _scalar(lambda v: v is None, "null")
    if tp is bool:
        return _scalar(lambda v: v is True or v is False, "a boolean")
    if tp is int:
        return _scalar(lambda v: isinstance(v, int) and not isinstance(v, bool), "an integer")
    if tp is float:  # JSON writes 1.0 as 1.0 but a hand edit may write 1
        return _scalar(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool), "a number")
    if tp is str:
        return _scalar(lambda v: isinstance(v, str), "a string")
    if origin is typing.Literal:
        return _scalar(lambda v: any(v == a and type(v) is type(a) for a in args), f"one of {args}")
    if origin is list:
        item = _checker(args[0])

        def items(v: Any, w: str) -> None:
            if not isinstance(v, list):
                raise _fail(w, "a list", v)
            inner = f"{w}[]"
            for x in v:
                item(x, inner)

        return items
    if origin is tuple:  # written as a JSON list of fixed length
        parts = [_checker(a) for a in args]

        def fixed(v: Any, w: str) -> None:
            if not isinstance(v, list) or len(v) != len(parts):
                raise _fail(w, f"a list of {len(parts)}", v)
            for part, x in zip(parts, v, strict=True):
                part(x, f"{w}[]")

        return fixed
    if origin is dict:
        key_check, value_check = (_checker(a) for a in args)

        def mapping(v: Any, w: str) -> None:
            if not isinstance(v, dict):
                raise _fail(w, "an object", v)
            for k, x in v.items():
                key_check(k, f"{w} key")
                value_check(x, f"{w}[]")

        return mapping
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass_checker(tp)
    raise TypeError(f"session validation has no rule for the type {tp!r}")


def _scalar(ok: Callable[[Any], bool], expected: str) -> Check:
    def check(v: Any, w: str) -> None:
        if not ok(v):
            raise _fail(w, expected, v)

    return check


def _dataclass_checker(cls: type) -> Check:
    """Every key a field (or a property ``to_json`` writes, such as ``FlagDetail.severity``,
    checked against the property's return type), every required field present."""
    hints = typing.get_type_hints(cls)
    fields = [
        (f.name, f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
        for f in dataclasses.fields(cls)
    ]
    checks: dict[str, Check] = {}
    names = {name for name, _ in fields}
    for name in dir(cls):
        prop = getattr(cls, name, None)
        if name not in names and isinstance(prop, property) and prop.fget is not None:
            # A property's checker is built lazily: some return types are not JSON values.
            checks[name] = _property_checker(prop.fget)
    for name, _ in fields:
        checks[name] = _checker(hints[name])
    required = [name for name, req in fields if req]

    def check(v: Any, w: str) -> None:
        if not isinstance(v, dict):
            raise _fail(w, "an object", v)
        for name in required:
            if name not in v:
                raise SessionError(f"{w}: {name} missing")
        for key, x in v.items():
            c = checks.get(key) if isinstance(key, str) else None
            if c is None:
                raise SessionError(f"{w}: unknown key")
            c(x, f"{w}.{key}")

    return check


def _property_checker(fget: Callable[[Any], Any]) -> Check:
    def check(v: Any, w: str) -> None:
        _checker(typing.get_type_hints(fget).get("return", Any))(v, w)

    return check


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
    if len(data) > MAX_SESSION_BYTES:  # it could not be read back: say so rather than write it
        raise OutputError("the article is too large to autosave")
    backup = target.with_name(target.stem + ".prev.json")
    if target.exists() and _read(target) is not None:
        with contextlib.suppress(OSError):
            os.replace(target, backup)
    write_atomic(target, data)
    return target


def damaged_path(target: Path | None = None) -> Path:
    target = target or session_path()
    return target.with_name(target.stem + ".damaged.json")


def _read_bounded(path: Path) -> bytes:
    """The file's bytes, refusing what is not a regular file or is larger than a session can be.

    ``O_NONBLOCK``: a FIFO put in the file's place must not block the window's start.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise SessionError("not a regular file")
        if st.st_size > MAX_SESSION_BYTES:
            raise SessionError(f"larger than {MAX_SESSION_BYTES} bytes")
        raw = fh.read(MAX_SESSION_BYTES + 1)
    if len(raw) > MAX_SESSION_BYTES:  # grew while being read
        raise SessionError(f"larger than {MAX_SESSION_BYTES} bytes")
    return raw


_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def nesting_depth(raw: bytes) -> int:
    """How deep the JSON's arrays and objects nest, without parsing it (brackets inside strings
    do not count). Linear in the size; an unterminated string only makes it count more."""
    brackets = _JSON_STRING.sub(b'""', raw).translate(None, delete=_NOT_BRACKETS)
    return max(itertools.accumulate(map(_STEP.__getitem__, brackets)), default=0)


def _parse(path: Path) -> Session:
    raw = _read_bounded(path)
    depth = nesting_depth(raw)
    if depth > MAX_DEPTH:
        raise SessionError(f"nested {depth} deep")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SessionError(f"not JSON ({type(exc).__name__})") from None
    return from_json(data)


def _read(path: Path) -> Session | None:
    try:
        return _parse(path)
    except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError, MemoryError) as exc:
        # Only the reason, never content: the session holds confidential article text. The
        # second tuple half is belt and braces: ``validate`` should have refused such a file.
        log.warning("session file %s unusable: %s", path.name, _reason(exc))
        return None


def _reason(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, SessionError) else type(exc).__name__


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


@dataclass
class Restored:
    """What ``restore`` found: the session to show (None: start empty) and, when the saved
    session could not be used, a one-line note for the status bar."""

    session: Session | None
    note: str | None = None


def restore(path: Path | None = None) -> Restored:
    """The saved session, else the previous good one, else nothing; never raises.

    A damaged main file is moved aside (``session.damaged.json``) so the next autosave cannot
    destroy what it holds.
    """
    target = path or session_path()
    try:
        return _restore(target)
    except OSError as exc:  # e.g. the data folder itself cannot be read
        log.warning("session folder unusable: %s", type(exc).__name__)
        return Restored(None, "Your last session could not be read; starting with an empty window")


def _restore(target: Path) -> Restored:
    backup = target.with_name(target.stem + ".prev.json")
    if target.parent.is_dir():
        remove_stale_temps(target)
    damaged = False
    for candidate in (target, backup):
        if not (candidate.exists() or candidate.is_symlink()):
            continue
        session = _read(candidate)
        if session is not None:
            if not damaged:
                return Restored(session)
            return Restored(session, "Your last session could not be read; restored the one before it")
        if candidate == target:
            damaged = True
            with contextlib.suppress(OSError):
                os.replace(target, damaged_path(target))
    if damaged:
        return Restored(None, "Your last session could not be read; starting with an empty window")
    return Restored(None)


def load(path: Path | None = None) -> Session | None:
    """The saved session, else the previous good one, else None (first start)."""
    return restore(path).session


def clear(path: Path | None = None) -> None:
    target = path or session_path()
    for p in (target, target.with_name(target.stem + ".prev.json"), damaged_path(target)):
        try:
            p.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise OutputError(f"cannot remove {p}: {exc.strerror or exc}") from None
