"""A model folder with a missing or corrupted file -> one clear error naming the model and the fix
(re-download / verify), exit 3; never a crash (or a segfault) inside CTranslate2.

Each damaged copy of the tiny model is run through the real CLI in a subprocess, so a native crash
would show as a negative return code instead of killing the test run. Both ways of naming a model
are covered: a folder path, and a model installed in the store (``models import``).
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from models.errors import EXIT_MODEL


def _delete(name: str) -> Callable[[Path], None]:
    return lambda d: (d / name).unlink()


def _truncate(name: str) -> Callable[[Path], None]:
    def run(d: Path) -> None:
        data = (d / name).read_bytes()
        (d / name).write_bytes(data[: len(data) // 2])

    return run


def _garble(name: str) -> Callable[[Path], None]:
    def run(d: Path) -> None:
        size = (d / name).stat().st_size
        (d / name).write_bytes(random.Random(name).randbytes(size))

    return run


def _scribble_middle(name: str) -> Callable[[Path], None]:
    """Same size, a block in the middle overwritten: only a content check can notice."""

    def run(d: Path) -> None:
        data = bytearray((d / name).read_bytes())
        mid = len(data) // 2
        data[mid : mid + 64] = b"\xff" * 64
        (d / name).write_bytes(bytes(data))

    return run


DAMAGE: dict[str, Callable[[Path], None]] = {
    "model.bin missing": _delete("model.bin"),
    "model.bin truncated": _truncate("model.bin"),
    "model.bin garbage": _garble("model.bin"),
    "model.bin empty": lambda d: (d / "model.bin").write_bytes(b""),
    "source.spm missing": _delete("source.spm"),
    "source.spm truncated": _truncate("source.spm"),
    "target.spm garbage": _garble("target.spm"),
    "config.json missing": _delete("config.json"),
    "config.json garbage": lambda d: (d / "config.json").write_text("{not json"),
    "vocabulary missing": _delete("shared_vocabulary.json"),
    "vocabulary truncated": _truncate("shared_vocabulary.json"),
}


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "models.cli", *args], capture_output=True, text=True, timeout=180, env=env
    )


def _article(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text("Regjeringen la fram budsjettet mandag.\n\nDet koster 2,5 milliarder kroner.")
    return path


def _assert_model_error(proc: subprocess.CompletedProcess, model: str) -> None:
    assert proc.returncode == EXIT_MODEL, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nordbrief: error: "), proc.stderr
    msg = lines[0].lower()
    assert model.lower() in msg, f"error does not name the model: {lines[0]}"
    # The fix: download again or verify (catalog models), import again (imported ones).
    fixes = ("download", "verify", "import")
    assert any(f in msg for f in fixes), f"error does not say how to fix it: {lines[0]}"


@pytest.mark.timeout(240)
@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_model_folder(damage: str, tiny_model: Path, tmp_path: Path) -> None:
    folder = tmp_path / "broken-tiny"
    shutil.copytree(tiny_model, folder)
    DAMAGE[damage](folder)
    proc = _cli(["translate", str(_article(tmp_path)), "--model", str(folder)], dict(os.environ))
    _assert_model_error(proc, "broken-tiny")


@pytest.mark.timeout(300)
@pytest.mark.parametrize("damage", ["model.bin truncated", "model.bin scribbled", "source.spm missing"])
def test_damaged_installed_model(damage: str, tiny_model: Path, tmp_path: Path) -> None:
    env = dict(os.environ)
    imported = _cli(["models", "import", str(tiny_model)], env)
    assert imported.returncode == 0, imported.stderr
    from models.store import installed_models

    installed = installed_models()
    assert len(installed) == 1, installed
    name, folder = next(iter(installed.items()))
    if damage == "model.bin scribbled":
        _scribble_middle("model.bin")(folder)
        # Same size: the cheap per-load check cannot see it; `models verify` (full hashes) must.
        verify = _cli(["models", "verify", name], env)
        assert verify.returncode == 4, verify.stdout + verify.stderr
        assert "Traceback" not in verify.stderr and name in verify.stdout + verify.stderr
        return
    DAMAGE[damage](folder)
    proc = _cli(["translate", str(_article(tmp_path)), "--model", name], env)
    _assert_model_error(proc, name)
