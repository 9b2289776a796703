"""The one typed settings module: every GUI setting, its type and its default, over QSettings.

The store is an INI file under ``models.paths.config_dir()``, so the tests' per-test
``NORDBRIEF_CONFIG_DIR`` isolates them automatically and the real user config is never touched.
The translation model choice is *not* here: it is the engine's default model (model store), so
the CLI follows what the GUI picked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from models.paths import config_dir

MAX_RECENT = 10


@dataclass(frozen=True)
class Key:
    name: str
    type: type
    default: Any


GEOMETRY = Key("window/geometry", QByteArray, QByteArray())
WINDOW_STATE = Key("window/state", QByteArray, QByteArray())
SPLITTER = Key("window/splitter", list, [])
FONT_SIZE = Key("view/font_size", int, 0)  # 0 = the system default size
RECENT_FILES = Key("files/recent", list, [])
LAST_DIR = Key("files/last_dir", str, "")
BULLETS = Key("summary/bullets", int, 5)
EXPORT_SOURCE = Key("export/include_source", bool, True)
EXPORT_TRANSLATION = Key("export/include_translation", bool, False)
EXPORT_ORIGINAL = Key("export/include_original", bool, False)
EXPORT_FORMAT = Key("export/format", str, "markdown")

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
)


def settings_path() -> Path:
    return config_dir() / "desktop.ini"


class Settings:
    """Typed get/set over one QSettings INI file; values of the wrong type fall back to defaults."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else settings_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._qs = QSettings(str(self.path), QSettings.Format.IniFormat)

    def get(self, key: Key) -> Any:
        raw = self._qs.value(key.name, None)
        if raw is None:
            return _copy(key.default)
        try:
            return _coerce(raw, key)
        except (TypeError, ValueError):
            return _copy(key.default)

    def set(self, key: Key, value: Any) -> None:
        if key.type is list:
            # QSettings turns a one-element list into a scalar in INI files; store as a list
            # explicitly and coerce on read.
            value = [str(v) for v in value]
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


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


def _coerce(raw: Any, key: Key) -> Any:
    if key.type is bool:
        if isinstance(raw, str):
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        return bool(raw)
    if key.type is int:
        return int(raw)
    if key.type is str:
        return str(raw)
    if key.type is list:
        if isinstance(raw, (list, tuple)):
            return [str(v) for v in raw]
        return [str(raw)] if str(raw) else []
    if key.type is QByteArray:
        if isinstance(raw, QByteArray):
            return raw
        if isinstance(raw, (bytes, bytearray)):
            return QByteArray(bytes(raw))
        raise TypeError(type(raw))
    raise TypeError(key.type)
