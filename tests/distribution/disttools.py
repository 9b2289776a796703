"""Helpers for the distribution tests (paths, clean environments, the wheel fixture)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NEWS_PAGE = REPO / "tests" / "models" / "fixtures" / "news_page.html"
INSTALLCHECK = Path(__file__).resolve().parent / "installcheck.py"


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without the dev venv leaking in (no VIRTUAL_ENV, no PYTHONPATH)."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env.update(extra)
    return env


def base_python() -> str:
    """The interpreter the dev venv was made from: fresh venvs get its bundled pip."""
    return str(Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}")


def run(cmd: list[str], timeout: float = 900, **kw: object) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)  # type: ignore[call-overload]
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} -> {proc.returncode}\n{proc.stderr[-4000:]}"
    return proc


def build_wheel(out: Path) -> Path:
    """The wheel built from the working tree into ``out``, as a release would be."""
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(REPO),
        ]
    )
    (whl,) = out.glob("nordbrief-*.whl")
    return whl


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built once per session."""
    return build_wheel(tmp_path_factory.mktemp("wheel"))
