"""``nordbrief install-desktop-entry`` / ``uninstall-desktop-entry`` in a temporary XDG_DATA_HOME."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from models import desktop_entry
from models.cli import main as cli_main
from models.desktop_entry import APP_ID


def _entry(path: Path) -> configparser.SectionProxy:
    cp = configparser.ConfigParser(interpolation=None, strict=True)
    cp.optionxform = str  # type: ignore[assignment,method-assign]
    cp.read_string(path.read_text(encoding="utf-8"))
    return cp["Desktop Entry"]


def test_install_then_uninstall_through_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "share"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    # Someone else's files in the same folders must survive the uninstall.
    other = home / "applications" / "other.desktop"
    other.parent.mkdir(parents=True)
    other.write_text("[Desktop Entry]\nType=Application\nName=Other\nExec=other\n", encoding="utf-8")

    assert cli_main(["install-desktop-entry"]) == 0
    out = capsys.readouterr().out
    desktop = home / "applications" / f"{APP_ID}.desktop"
    assert str(desktop) in out
    entry = _entry(desktop)
    exe = Path(entry["TryExec"])
    assert exe.is_absolute() and exe.is_file(), exe  # this venv's nordbrief script
    assert entry["Exec"].endswith(" gui %f") and entry["Exec"].startswith(str(exe))
    assert "text/html" in entry["MimeType"].split(";")
    assert "application/vnd.openxmlformats-officedocument.wordprocessingml.document" in entry["MimeType"]
    assert entry["Icon"] == APP_ID
    assert (home / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    icons = sorted(p.relative_to(home).as_posix() for p in (home / "icons").rglob(f"{APP_ID}.*"))
    assert f"icons/hicolor/scalable/apps/{APP_ID}.svg" in icons
    assert f"icons/hicolor/48x48/apps/{APP_ID}.png" in icons and len(icons) >= 8
    if shutil.which("desktop-file-validate"):
        proc = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    if shutil.which("update-desktop-database"):  # the "Open with" association cache was refreshed
        cache = (home / "applications" / "mimeinfo.cache").read_text(encoding="utf-8")
        assert f"text/plain={APP_ID}.desktop;" in cache

    assert cli_main(["install-desktop-entry"]) == 0  # twice is fine: same files, replaced
    capsys.readouterr()
    assert cli_main(["uninstall-desktop-entry"]) == 0
    assert "Removed" in capsys.readouterr().out
    left = [p for p in home.rglob("*") if p.is_file() and APP_ID in p.read_text(errors="replace")]
    assert not left, left
    assert other.is_file()
    assert not list(home.rglob(f"{APP_ID}*"))
    assert cli_main(["uninstall-desktop-entry"]) == 0
    assert "Nothing to remove" in capsys.readouterr().out


def test_launcher_routes_the_subcommands_headless(tmp_path: Path) -> None:
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "share"), QT_QPA_PLATFORM="nonexistent")
    for cmd in ("install-desktop-entry", "uninstall-desktop-entry"):
        proc = subprocess.run(
            [sys.executable, "-m", "desktop.launcher", cmd],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "share" / "applications" / f"{APP_ID}.desktop").exists()


@pytest.mark.parametrize(
    ("arg", "quoted"),
    [
        ("/usr/bin/nordbrief", "/usr/bin/nordbrief"),
        ("/home/a b/nordbrief", '"/home/a b/nordbrief"'),
        ("/opt/100%/x", "/opt/100%%/x"),
        ('/o/"q"$`x', '"/o/\\\\"q\\\\"\\\\$\\\\`x"'),  # backslash-escaped, then the escape doubled
    ],
)
def test_exec_arguments_are_quoted_per_the_spec(arg: str, quoted: str) -> None:
    assert desktop_entry.quote_exec_arg(arg) == quoted


def test_relative_xdg_data_home_is_ignored(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", "relative/share")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert desktop_entry.data_home() == tmp_path / ".local" / "share"


def test_unwritable_target_exits_5(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "share"
    blocker.write_text("a file where a folder must be", encoding="utf-8")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    assert cli_main(["install-desktop-entry"]) == 5


def test_frozen_bundle_points_at_its_executable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    exe = tmp_path / "Nordbrief bundle" / "nordbrief"
    exe.parent.mkdir()
    exe.write_text("", encoding="utf-8")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    assert desktop_entry.launcher_command() == [str(exe.resolve())]
    result = desktop_entry.install(tmp_path / "share")
    assert result.exec_line == f'"{exe.resolve()}" gui %f'
