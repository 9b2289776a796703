"""Install the wheel the ways users do and run it: pip as Python 3.11 bundles it, the current pip,
and ``pipx install .``. Each installation runs ``installcheck.py`` (every import, ``nordbrief
summarize`` on a news page, a .docx and a .txt, the window start-up smoke test), so a run-time
dependency that an installer leaves out fails here, which ``pip check`` does not notice."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.distribution.disttools import INSTALLCHECK, NEWS_PAGE, REPO, base_python, clean_env, run

pytestmark = [pytest.mark.dist, pytest.mark.timeout(1500)]


def pip_version(python: Path) -> tuple[int, ...]:
    out = run([str(python), "-m", "pip", "--version"], env=clean_env()).stdout
    return tuple(int(x) for x in out.split()[1].split(".")[:3])


def installcheck(python: Path, exe: Path, work: Path) -> dict[str, object]:
    proc = subprocess.run(
        [str(python), str(INSTALLCHECK), "--exe", str(exe), "--html", str(NEWS_PAGE), "--work", str(work)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=work.parent,
        env=clean_env(),
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["imports"]["own_modules"] > 30 and report["imports"]["third_party_modules"] > 10
    assert set(report["bullets"]) == {"html", "docx", "txt"}
    return report


def fresh_venv(where: Path) -> Path:
    run([base_python(), "-m", "venv", str(where)], env=clean_env())
    return where / "bin" / "python"


def test_wheel_with_the_pip_python_bundles(wheel: Path, tmp_path: Path) -> None:
    python = fresh_venv(tmp_path / "venv")
    bundled = run([base_python(), "-c", "import ensurepip; print(ensurepip.version())"]).stdout.strip()
    assert pip_version(python) == tuple(int(x) for x in bundled.split(".")[:3])  # 23.2.1 for 3.11.7
    run([str(python), "-m", "pip", "install", "-q", str(wheel)], env=clean_env())
    installcheck(python, tmp_path / "venv" / "bin" / "nordbrief", tmp_path / "work")


def test_wheel_with_the_current_pip(wheel: Path, tmp_path: Path) -> None:
    python = fresh_venv(tmp_path / "venv")
    old = pip_version(python)
    run([str(python), "-m", "pip", "install", "-q", "--upgrade", "pip"], env=clean_env())
    assert pip_version(python) > old
    run([str(python), "-m", "pip", "install", "-q", str(wheel)], env=clean_env())
    installcheck(python, tmp_path / "venv" / "bin" / "nordbrief", tmp_path / "work")


def test_pipx_install_dot(tmp_path: Path) -> None:
    pipx = shutil.which("pipx", path=str(Path(sys.executable).parent))
    assert pipx, "pipx not found in the dev environment (it is a test extra)"
    src = tmp_path / "src"
    files = run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO).stdout.splitlines()
    for name in files:
        if (REPO / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, src / name)
    home, bindir = tmp_path / "pipx", tmp_path / "bin"
    env = clean_env(
        PIPX_HOME=str(home),
        PIPX_BIN_DIR=str(bindir),
        PIPX_MAN_DIR=str(tmp_path / "man"),
        PIPX_DEFAULT_PYTHON=base_python(),
    )
    run([pipx, "install", "."], cwd=src, env=env)
    installcheck(home / "venvs" / "nordbrief" / "bin" / "python", bindir / "nordbrief", tmp_path / "work")
