"""The shipped freedesktop files: valid per the reference validators, consistent with each other
and with the app, and icons that are the SVG rendered at each hicolor size."""

from __future__ import annotations

import configparser
import os
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "packaging"))
import make_icons  # noqa: E402

from models.desktop_entry import APP_ID, source_dir  # noqa: E402

DESKTOP = source_dir() / f"{APP_ID}.desktop"
METAINFO = source_dir() / f"{APP_ID}.metainfo.xml"


def tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} missing (Debian package {package}; .ci/run installs it)")
        pytest.skip(f"{name} not installed (apt-get install {package})")
    return path


def test_metainfo_passes_appstreamcli_validate() -> None:
    proc = subprocess.run(
        [tool("appstreamcli", "appstream"), "validate", "--no-net", str(METAINFO)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_desktop_file_passes_desktop_file_validate() -> None:
    proc = subprocess.run(
        [tool("desktop-file-validate", "desktop-file-utils"), str(DESKTOP)], capture_output=True, text=True
    )
    assert proc.returncode == 0 and "error" not in proc.stdout, proc.stdout + proc.stderr


def test_ids_agree_across_files_and_the_app() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP.name
    cp = configparser.ConfigParser(interpolation=None)
    cp.optionxform = str  # type: ignore[assignment,method-assign]
    cp.read(DESKTOP, encoding="utf-8")
    entry = cp["Desktop Entry"]
    assert entry["Icon"] == APP_ID
    mime = {m for m in entry["MimeType"].split(";") if m}
    assert mime == {m.text for m in root.iter("mediatype")}
    assert {"text/plain", "text/html", "text/markdown"} <= mime
    assert "application/vnd.openxmlformats-officedocument.wordprocessingml.document" in mime
    from desktop.app import make_app

    assert make_app().desktopFileName() == APP_ID  # Wayland matches the window to this file


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", head[16:24])


def test_icons_are_the_svg_at_every_hicolor_size(tmp_path: Path) -> None:
    shipped = source_dir() / "icons" / "hicolor"
    assert (shipped / "scalable" / "apps" / f"{APP_ID}.svg").read_bytes() == make_icons.SVG.read_bytes()
    fresh = tmp_path / "hicolor"
    make_icons.write_icons(fresh)
    from PySide6.QtGui import QImage

    for size in make_icons.SIZES:
        rel = Path(f"{size}x{size}") / "apps" / f"{APP_ID}.png"
        assert _png_size(shipped / rel) == (size, size)
        a, b = QImage(str(shipped / rel)), QImage(str(fresh / rel))
        worst = max(
            abs(a.pixelColor(x, y).__getattribute__(c)() - b.pixelColor(x, y).__getattribute__(c)())
            for x in range(0, size, max(1, size // 32))
            for y in range(0, size, max(1, size // 32))
            for c in ("red", "green", "blue", "alpha")
        )
        assert worst <= 8, f"{rel} differs from the SVG rendering (run packaging/make_icons.py)"
