"""The one typed settings module: every GUI setting, its type and its default, over QSettings.

The store is an INI file under ``models.paths.config_dir()``, so the tests' per-test
``NORDBRIEF_CONFIG_DIR`` isolates them automatically and the real user config is never touched.
The translation model choice is *not* here: it is the engine's default model (model store), so
the CLI follows what the GUI picked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar, cast

from PySide6.QtCore import QByteArray, QSettings

from models.paths import config_dir
from models.pipeline import MAX_BULLETS, MIN_BULLETS

MAX_RECENT = 10


T = TypeVar("T")


@dataclass(frozen=True)
class Key(Generic[T]):
    name: str
    type: type[T]
    default: T
    # For int keys: the values the window can use; a stored value outside (a hand edit, a
    # damaged file) reads as the default, so a bad desktop.ini cannot break every analysis.
    limits: tuple[int, int] | None = None


GEOMETRY = Key("window/geometry", QByteArray, QByteArray())
WINDOW_STATE = Key("window/state", QByteArray, QByteArray())
SPLITTER: Key[list[str]] = Key("window/splitter", list, [])
FONT_SIZE = Key("view/font_size", int, 0, (0, 40))  # 0 = the system default size
RECENT_FILES: Key[list[str]] = Key("files/recent", list, [])
LAST_DIR = Key("files/last_dir", str, "")
BULLETS = Key("summary/bullets", int, 5, (MIN_BULLETS, MAX_BULLETS))
EXPORT_SOURCE = Key("export/include_source", bool, True)
EXPORT_TRANSLATION = Key("export/include_translation", bool, False)
EXPORT_ORIGINAL = Key("export/include_original", bool, False)
EXPORT_FORMAT = Key("export/format", str, "markdown")
BULLET_ORDER = Key("summary/order", str, "article")  # "article" or "importance"
HIDDEN_PANES: Key[list[str]] = Key("view/hidden_panes", list, [])  # "original", "translation", "facts"

ALL_KEYS = (
    GEOMETRY,
    WINDOW_STATE,
    SPLITTER,
    FONT_SIZE,
    RECENT_FILES,
    LAST_DIR,
    BULLETS,
    EXPORT_SOURCE,
    EXPORT_TRANSLATION,
    EXPORT_ORIGINAL,
    EXPORT_FORMAT,
    BULLET_ORDER,
    HIDDEN_PANES,
)


def settings_path() -> Path:
    return config_dir() / "desktop.ini"


class Settings:
    """Typed get/set over one QSettings INI file; values of the wrong type fall back to defaults."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else settings_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._qs = QSettings(str(self.path), QSettings.Format.IniFormat)

    def get(self, key: Key[T]) -> T:
        raw = self._qs.value(key.name, None)
        if raw is None:
            return _copy(key.default)
        try:
            return _coerce(raw, key)
        except (TypeError, ValueError):
            return _copy(key.default)

    def set(self, key: Key[T], value: T) -> None:
        if isinstance(value, (list, tuple)):
            # QSettings turns a one-element list into a scalar in INI files; store as a list
            # explicitly and coerce on read.
            self._qs.setValue(key.name, [str(v) for v in value])
            return
        self._qs.setValue(key.name, value)

    def sync(self) -> None:
        self._qs.sync()

    # Recent files are a small policy on top of a list: newest first, no duplicates, capped.
    def add_recent(self, path: str) -> list[str]:
        recent = [p for p in self.get(RECENT_FILES) if p != path]
        recent.insert(0, path)
        recent = recent[:MAX_RECENT]
        self.set(RECENT_FILES, recent)
        return recent

    def remove_recent(self, path: str) -> list[str]:
        recent = [p for p in self.get(RECENT_FILES) if p != path]
        self.set(RECENT_FILES, recent)
        return recent


def _copy(value: T) -> T:
    return cast(T, list(value)) if isinstance(value, list) else value


def _coerce(raw: object, key: Key[T]) -> T:
    """A stored value as ``key``'s type (an INI file holds strings, or string lists)."""
    value: object
    if key.type is bool:
        value = raw.strip().lower() in {"1", "true", "yes", "on"} if isinstance(raw, str) else bool(raw)
    elif key.type is int:
        text = str(raw).strip()
        if len(text) > 12:  # int() of a 5,000-digit string raises; no setting is that large
            raise ValueError("not a setting's number")
        value = int(text)
        if key.limits is not None and not key.limits[0] <= value <= key.limits[1]:
            raise ValueError("out of range")
    elif key.type is str:
        value = str(raw)
    elif key.type is list and isinstance(raw, (list, tuple)):
        value = [str(v) for v in raw]
    elif key.type is list:
        value = [str(raw)] if str(raw) else []
    elif key.type is QByteArray:
        if isinstance(raw, QByteArray):
            value = raw
        elif isinstance(raw, (bytes, bytearray)):
            value = QByteArray(bytes(raw))
        else:
            raise TypeError(type(raw))
    else:
        raise TypeError(key.type)
    return cast(T, value)
