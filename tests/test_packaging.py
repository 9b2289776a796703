"""The wheel must carry everything the app needs at run time (resources, catalog, package data)."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.distribution.disttools import build_wheel

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    # The distribution tests' builder (tests/distribution/disttools.py), opened as a zip.
    return zipfile.ZipFile(build_wheel(tmp_path_factory.mktemp("wheel")))


def test_wheel_ships_every_resource_file(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    tracked = subprocess.run(
        ["git", "ls-files", "resources", "models"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    needed = [n for n in tracked if not n.endswith((".pyc",)) and "__pycache__" not in n]
    assert needed, "no tracked resources found"
    missing = [n for n in needed if n not in names]
    assert not missing, f"not in the wheel: {missing}"


def test_wheel_declares_console_script(wheel: zipfile.ZipFile) -> None:
    entry = next(n for n in wheel.namelist() if n.endswith("entry_points.txt"))
    text = wheel.read(entry).decode()
    assert "nordbrief = desktop.launcher:main" in text


def test_wheel_has_no_tests_or_shared_data(wheel: zipfile.ZipFile) -> None:
    names = wheel.namelist()
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/"))]
    assert not [n for n in names if "syria-is-attacks" in n], "the seed article must not ship"


def test_wheel_ships_exactly_the_three_top_level_packages(wheel: zipfile.ZipFile) -> None:
    """``models``, ``desktop`` and ``resources`` are generic names (README: install Nordbrief in
    its own environment); nothing else may land in site-packages next to them."""
    tops = {n.split("/", 1)[0] for n in wheel.namelist() if not n.split("/", 1)[0].endswith(".dist-info")}
    assert tops == {"models", "desktop", "resources"}
    top_level = next(n for n in wheel.namelist() if n.endswith(".dist-info/top_level.txt"))
    assert set(wheel.read(top_level).decode().split()) == {"models", "desktop", "resources"}
