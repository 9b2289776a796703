"""Shared fixtures: the read-only ../shared folder, isolated user folders, leak checks."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Never reach a real Hub from tests.
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path | None:
    env = os.environ.get("NORDBRIEF_SHARED")
    path = Path(env) if env else REPO.parent / "shared"
    return path if path.is_dir() else None


@pytest.fixture(scope="session")
def shared() -> Path:
    """../shared, resolved from the repo root; missing -> skip locally, fail under CI."""
    path = shared_dir()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("shared/ data not found (set NORDBRIEF_SHARED)")
        pytest.skip("shared/ data not found")
    return path


@pytest.fixture(scope="session")
def seed_article(shared: Path) -> Path:
    return shared / "articles" / "syria-is-attacks.txt"


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own config/data/models folders: the real user config is never touched."""
    base = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("NORDBRIEF_CONFIG_DIR", str(base / "config"))
    monkeypatch.setenv("NORDBRIEF_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("NORDBRIEF_MODELS_DIR", str(base / "models"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(base / "xdg-data"))
    return base


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random-weight CTranslate2 model built offline (see ``python -m models.testing``)."""
    from models.testing import make_model

    path = tmp_path_factory.mktemp("tiny-model") / "tiny"
    make_model(path, size="tiny", seed=1)
    return path


@pytest.fixture(autouse=True)
def no_leaked_threads():
    """Fail a test that leaves Python threads running (napari-style leak check)."""
    before = set(threading.enumerate())
    yield
    leaked = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    deadline = 5.0
    for t in leaked:
        t.join(timeout=deadline)
        deadline = 0.5
    still = [t.name for t in leaked if t.is_alive()]
    if still:
        pytest.fail(f"test left threads running: {still}")
