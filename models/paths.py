"""Where things live: the shipped resources, and the per-user data and config folders."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "Nordbrief"


def resources_dir() -> Path:
    """The ``resources`` package, wherever it was installed (wheel or editable)."""
    import resources

    return Path(resources.__file__).resolve().parent


def data_dir() -> Path:
    override = os.environ.get("NORDBRIEF_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    override = os.environ.get("NORDBRIEF_CONFIG_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def models_dir() -> Path:
    override = os.environ.get("NORDBRIEF_MODELS_DIR")
    return Path(override) if override else data_dir() / "models"
