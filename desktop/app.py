"""Application start: ``nordbrief gui [FILE] [--model NAME|DIR]`` (called by ``desktop.launcher``,
which parses the command line with the engine's command registry, ``models.cli``).

The window is shown first and everything slow (model loading, reading a big file) starts after
the first paint, in the background.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from desktop.state import ModelState
from models.desktop_entry import APP_ID
from models.paths import APP_NAME, resources_dir

if TYPE_CHECKING:
    from desktop.mainwindow import MainWindow

QUIT_AFTER_ENV = "NORDBRIEF_QUIT_AFTER_MS"
EXPORT_ON_QUIT_ENV = "NORDBRIEF_EXPORT_ON_QUIT"


def stylesheet() -> str:
    """Small touches on top of the platform style; colours come from the palette (light or dark)."""
    path = resources_dir() / "style.qss"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv or [sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName(APP_ID)  # Wayland app_id / X11 hint: matches the installed .desktop file
    app.setStyleSheet(stylesheet())
    return app


def run(args: list[str]) -> int:
    """``nordbrief gui ARGS``: parse with the command registry, then ``start``."""
    from models import cli

    try:
        ns = cli.parse([cli.GUI, *args])
    except SystemExit as exc:  # argparse's usage error (2) or --help (0)
        return int(exc.code or 0)
    return start(ns)


def start(ns: argparse.Namespace) -> int:
    """Show the window for a parsed ``gui`` command line and run the event loop."""
    app = make_app()
    from desktop.mainwindow import MainWindow

    window = MainWindow(model=ns.model, restore_session=not ns.no_restore)
    window.show()
    if ns.file:
        target = ns.file
        if "://" not in target:
            target = str(Path(target).resolve())
        QTimer.singleShot(0, lambda: window.open_path(target))
    quit_after = os.environ.get(QUIT_AFTER_ENV, "").strip()
    if quit_after.isdigit():
        _quit_when_idle(app, window, int(quit_after))
    return app.exec()


def _quit_when_idle(app: QApplication, window: MainWindow, delay_ms: int) -> None:
    """Smoke-test hook (``NORDBRIEF_QUIT_AFTER_MS``): ``delay_ms`` after start, as soon as no
    background work runs, close the window the normal way (stop workers, save settings and the
    session) and print one JSON line of what was on screen, so a test or CI can run the real
    entry point end to end without a human to close it. With ``NORDBRIEF_EXPORT_ON_QUIT=PATH``
    the summary is exported there first, as Ctrl+E would; ``shown_at`` is the wall clock of the
    window's first paint, for start-up timing from outside (the bundle test)."""
    deadline = time.monotonic() + delay_ms / 1000 + 60.0
    export_path = os.environ.get(EXPORT_ON_QUIT_ENV, "").strip()
    marks: dict[str, float] = {}

    class FirstPaint(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            painted = event.type() == QEvent.Type.Paint
            if painted and isinstance(obj, QWidget) and "shown_at" not in marks and obj.window() is window:
                marks["shown_at"] = time.time()
            return False

    paint_filter = FirstPaint(app)
    app.installEventFilter(paint_filter)

    def busy() -> bool:
        # ``active``: jobs whose outcome has not reached the GUI thread yet.
        return bool(window.tasks.active() or window.translating or window.model_state is ModelState.LOADING)

    def poll() -> None:
        if busy() and time.monotonic() < deadline:
            QTimer.singleShot(50, poll)
            return
        app.removeEventFilter(paint_filter)
        sentences = window.article.sentences if window.article else []
        state = {
            "visible": window.isVisible(),
            "title": window.windowTitle(),
            "size": [window.width(), window.height()],
            "sentences": len(sentences),
            "translated": sum(1 for s in sentences if s.translation is not None),
            "bullets": window.bullets.count(),
            "model_state": window.model_state,
            "banner": window.banner.isVisible(),
            "shown_at": marks.get("shown_at"),
            "exported": export_path if export_path and window.export_to(export_path) else None,
        }
        window.close()
        print(json.dumps(state), flush=True)
        app.quit()

    QTimer.singleShot(delay_ms, poll)
