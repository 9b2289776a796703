"""Application start: ``nordbrief gui [FILE] [--model NAME|DIR]`` (called by ``desktop.launcher``).

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
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from models.paths import APP_NAME, resources_dir

QUIT_AFTER_ENV = "NORDBRIEF_QUIT_AFTER_MS"


def parse_args(args: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="nordbrief gui", description="Open the Nordbrief window.")
    p.add_argument("file", nargs="?", help="an article to open (.txt, .md, .html, .docx) or an http(s) link")
    p.add_argument("--model", help="translation model name or folder (default: the store's default model)")
    p.add_argument(
        "--no-restore", action="store_true", help="start empty instead of restoring the last article"
    )
    return p.parse_args(args)


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
    app.setDesktopFileName("nordbrief")
    app.setStyleSheet(stylesheet())
    return app


def run(args: list[str]) -> int:
    try:
        ns = parse_args(args)
    except SystemExit as exc:  # argparse's usage error (2) or --help (0)
        return int(exc.code or 0)
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


def _quit_when_idle(app: QApplication, window: Any, delay_ms: int) -> None:
    """Smoke-test hook (``NORDBRIEF_QUIT_AFTER_MS``): ``delay_ms`` after start, as soon as no
    background work runs, close the window the normal way (stop workers, save settings and the
    session) and print one JSON line of what was on screen, so a test or CI can run the real
    entry point end to end without a human to close it."""
    deadline = time.monotonic() + delay_ms / 1000 + 60.0

    def poll() -> None:
        if window.tasks.active() and time.monotonic() < deadline:
            QTimer.singleShot(50, poll)
            return
        state = {
            "visible": window.isVisible(),
            "title": window.windowTitle(),
            "size": [window.width(), window.height()],
            "sentences": len(window.article.sentences) if window.article else 0,
            "bullets": window.bullets.count(),
            "model_state": window.model_state,
            "banner": window.banner.isVisible(),
        }
        window.close()
        print(json.dumps(state), flush=True)
        app.quit()

    QTimer.singleShot(delay_ms, poll)
