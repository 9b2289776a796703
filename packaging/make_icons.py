"""Render the hicolor PNG icons from ``resources/icons/nordbrief.svg`` (run after editing the SVG).

    python packaging/make_icons.py

Writes ``resources/desktop/icons/hicolor/NxN/apps/ID.png`` for the sizes desktops look up, and
the SVG itself as ``scalable/apps/ID.svg``, plus ``packaging/nordbrief.ico``/``.icns`` for the
Windows and macOS bundles. The PNGs are committed, so neither a wheel install
nor the bundle build needs a renderer; ``tests/test_desktop_files.py`` checks they match the SVG.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
APP_ID = "io.github.nordbrief.Nordbrief"
SVG = REPO / "resources" / "icons" / "nordbrief.svg"
HICOLOR = REPO / "resources" / "desktop" / "icons" / "hicolor"
# The fixed sizes of the hicolor theme that launchers, docks and software centres ask for.
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def render(svg: Path, size: int):  # -> QImage
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"not a valid SVG: {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def write_icons(hicolor: Path = HICOLOR, svg: Path = SVG) -> list[Path]:
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication(["make_icons", "-platform", "offscreen"])
    written = []
    for size in SIZES:
        out = hicolor / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        if not render(svg, size).save(str(out), "PNG"):
            raise OSError(f"cannot write {out}")
        written.append(out)
    scalable = hicolor / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(svg, scalable)
    return [*written, scalable]


def write_platform_icons(folder: Path = REPO / "packaging", svg: Path = SVG) -> list[Path]:
    """The Windows .ico and macOS .icns the spec gives PyInstaller (Qt's ico/icns plugins)."""
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication(["make_icons", "-platform", "offscreen"])
    written = []
    for name, fmt, size in (("nordbrief.ico", "ICO", 256), ("nordbrief.icns", "ICNS", 512)):
        out = folder / name
        if not render(svg, size).save(str(out), fmt):
            raise OSError(f"cannot write {out}")
        written.append(out)
    return written


if __name__ == "__main__":
    for path in [*write_icons(), *write_platform_icons()]:
        print(path.relative_to(REPO))
    sys.exit(0)
