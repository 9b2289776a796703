"""Application start: ``nordbrief gui [FILE|LINK] [--model NAME|DIR]`` (called by
``desktop.launcher``, which parses the command line with the engine's command registry,
``models.cli``).

One window per user and data folder (``desktop.instance``): a launch while a window runs hands
its file or link to that window and exits 0. The window is shown first and everything slow
(model loading, reading a big file) starts after the first paint, in the background.
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

from desktop import instance
from desktop.launcher import is_link
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
    """Show the window for a parsed ``gui`` command line and run the event loop, or hand the
    file or link to the window already running for this user and data folder."""
    app = make_app()
    target = _target(ns.file) if ns.file else None
    claimed = instance.claim(target, app)
    if claimed is True:
        what = f"opened {target} in" if target else "showed"
        print(f"nordbrief: {what} the Nordbrief window that is already running", file=sys.stderr)
        if ns.model or ns.no_restore:
            print("nordbrief: --model and --no-restore apply only when the window starts", file=sys.stderr)
        return 0
    from desktop.mainwindow import MainWindow

    # What later launches hand over while the window is still being built waits for it.
    early: list[str | None] = []
    windows: list[MainWindow] = []
    if isinstance(claimed, instance.InstanceServer):
        claimed.received.connect(lambda t: open_handed_over(windows[0], t) if windows else early.append(t))
    window = MainWindow(model=ns.model, restore_session=not ns.no_restore)
    windows.append(window)
    window.show()
    for t in early:
        QTimer.singleShot(0, lambda t=t: open_handed_over(window, t))
    if target:
        QTimer.singleShot(0, lambda: open_target(window, target))
    quit_after = os.environ.get(QUIT_AFTER_ENV, "").strip()
    if quit_after.isdigit():
        _quit_when_idle(app, window, int(quit_after))
    try:
        return app.exec()
    finally:
        if isinstance(claimed, instance.InstanceServer):
            claimed.close()  # removes the socket: the next launch is the window at once


def _target(arg: str) -> str:
    """A link as given; a file as an absolute path (a running window has another cwd)."""
    return arg.strip() if is_link(arg) else str(Path(arg).resolve())


def open_target(window: MainWindow, target: str) -> None:
    """Open a file or a link exactly as the window's Open / Open URL would."""
    if is_link(target):
        window.open_url(target.strip())
    else:
        window.open_path(target)


def has_typed_text(window: MainWindow) -> bool:
    """Text typed or pasted in the Original since it was last loaded (an opened file, a link, the
    restored session): opening something else would replace it."""
    doc = window.original.document()
    return doc.isModified() and bool(window.original.toPlainText().strip())


def open_handed_over(window: MainWindow, target: str | None) -> None:
    """What a second launch asked for: bring the window forward and open its file or link.

    Typed text is never dropped silently: as a single-document editor asks before replacing
    unsaved changes, the window asks before an article from outside replaces what the user
    typed, and keeps it when they say no.
    """
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()
    if target is None:
        return
    from desktop import dialogs

    label = target if is_link(target) else Path(target).name
    if has_typed_text(window) and not dialogs.confirm(
        window,
        "Open another article",
        f"Open {label}? It replaces the text you typed in the Original pane.",
    ):
        window.set_status(f"Did not open {label}: your typed text is kept")
        return
    open_target(window, target)


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
