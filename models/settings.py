"""The engine's settings: which model translates, and how (beam, compute type, threads).

One module both front ends read: the CLI builds ``EngineSettings`` from its flags, the window
from its command line, and both open the translator with ``pipeline.open_translator``, so a
translation (and the ``model`` block of its JSON, export or session) is made the same way from
either. The one persistent setting, the default model, lives in ``engine.json`` in the user config
folder, so the CLI follows what the window picked and the other way round.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.errors import InputError
from models.files import write_atomic
from models.paths import config_dir

SETTINGS_FILE = "engine.json"
# CTranslate2 compute types offered on the command line (int8 is the default: README "Translation").
COMPUTE_TYPES = ("int8", "int8_float32", "int16", "float32")
DEFAULT_COMPUTE_TYPE = "int8"
MAX_BEAM = 16
MAX_THREADS = 256


@dataclass(frozen=True)
class EngineSettings:
    """How to translate. ``None`` means the engine's own default (README "Translation"): the
    default installed model, beam 2, and the physical cores (or ``NORDBRIEF_THREADS``)."""

    model: str | None = None  # an installed or catalog name, or a CTranslate2 model folder
    beam: int | None = None
    compute_type: str = DEFAULT_COMPUTE_TYPE
    threads: int | None = None

    def __post_init__(self) -> None:
        if self.beam is not None and not 1 <= self.beam <= MAX_BEAM:
            raise InputError(f"--beam must be between 1 and {MAX_BEAM}")
        if self.threads is not None and not 1 <= self.threads <= MAX_THREADS:
            raise InputError("--threads must be at least 1")
        if self.compute_type not in COMPUTE_TYPES:
            raise InputError(f"--compute-type must be one of {', '.join(COMPUTE_TYPES)}")


# ---------------------------------------------------------------- engine.json


def settings_path() -> Path:
    return config_dir() / SETTINGS_FILE


def _read() -> dict[str, Any]:
    try:
        data = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(data: dict[str, Any]) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def chosen_default_model() -> str | None:
    """The model the user made the default (``models default NAME`` or the window), if any.

    Whether it is still installed is the store's question (``store.get_default_model``)."""
    value = _read().get("default_model")
    return value if isinstance(value, str) else None


def choose_default_model(name: str | None) -> None:
    """Record ``name`` as the default model (``None``: forget the choice)."""
    data = _read()
    if name is None:
        if "default_model" not in data:
            return
        data.pop("default_model")
    else:
        data["default_model"] = name
    _write(data)
