"""Photograph the real app: start it under ``xvfb-run`` (a real X server, Qt's xcb platform), load
an article, translate it with a model, click a key fact and save a PNG of the window.

An offscreen Qt process cannot be photographed as an X11 window, so the picture is taken through
the X server (``QScreen.grabWindow`` on the window id), exactly what a user's screen would show.

    python scripts/screenshot.py --out shot.png [--article FILE] [--model DIR | --no-model] [--bullet N]
                                 [--size 1600x1000]

Without ``--model`` a tiny random-weight test model is built (the English is gibberish; the
layout is what matters). ``--no-model`` shows the first start without any model: the banner
that offers the download, and Norwegian key facts. Without ``--article`` the seed article from
../shared is used. User settings and the session go to a temporary folder: your own config is
never touched. Prints one JSON line: the PNG path, the window size and the image size.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 1440, 880


def default_article() -> Path:
    env = os.environ.get("NORDBRIEF_SHARED")
    shared = Path(env) if env else REPO.parent / "shared"
    return shared / "articles" / "syria-is-attacks.txt"


def outer(ns: argparse.Namespace) -> int:
    xvfb = shutil.which("xvfb-run")
    if xvfb is None:
        print("screenshot: xvfb-run not found (apt-get install xvfb xauth)", file=sys.stderr)
        return 3
    with tempfile.TemporaryDirectory(prefix="nordbrief-shot-") as tmp:
        model = ns.model
        if model is None and not ns.no_model:
            from models.testing import make_model

            model = str(make_model(Path(tmp) / "tiny-model", size="tiny", seed=1))
        env = dict(os.environ)
        env.update(
            QT_QPA_PLATFORM="xcb",
            NORDBRIEF_CONFIG_DIR=str(Path(tmp) / "config"),
            NORDBRIEF_DATA_DIR=str(Path(tmp) / "data"),
            NORDBRIEF_MODELS_DIR=str(Path(tmp) / "models"),
            XDG_CONFIG_HOME=str(Path(tmp) / "xdg-config"),
        )
        env.pop("QT_SCALE_FACTOR", None)
        cmd = [
            xvfb,
            "-a",
            "-s",
            f"-screen 0 {ns.width + 160}x{ns.height + 120}x24",
            sys.executable,
            str(Path(__file__).resolve()),
            "--inner",
            "--out",
            str(Path(ns.out).resolve()),
            "--article",
            str(ns.article),
            *(["--model", model] if model else ["--no-model"]),
            "--bullet",
            str(ns.bullet),
            "--size",
            f"{ns.width}x{ns.height}",
            *(["--dark"] if ns.dark else []),
        ]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=ns.timeout)
        sys.stderr.write(
            "".join(line + "\n" for line in proc.stderr.splitlines() if "propagateSize" not in line)
        )
        sys.stdout.write(proc.stdout)
        return proc.returncode


def inner(ns: argparse.Namespace) -> int:
    from PySide6.QtCore import QPoint, Qt, QTimer
    from PySide6.QtTest import QTest

    from desktop.app import make_app
    from desktop.mainwindow import MainWindow

    app = make_app()
    if ns.dark:
        app.setPalette(dark_palette())
    window = MainWindow(model=ns.model, restore_session=False)
    window.resize(ns.width, ns.height)
    window.move(40, 40)
    window.show()
    window.open_path(str(ns.article))
    deadline = time.monotonic() + ns.timeout
    result: dict[str, object] = {}

    def translated() -> bool:
        art = window.article
        if ns.no_model:  # the first start: banner shown, Norwegian key facts ready
            return bool(
                art
                and window.model_state == "missing"
                and window.banner.isVisible()
                and window.bullets.count()
            )
        return bool(
            art
            and window.model_state == "ready"
            and not window.translating
            and art.sentences
            and all(s.translation is not None for s in art.sentences)
        )

    def step() -> None:
        failed = window.model_state == "error" or (window.model_state == "missing" and not ns.no_model)
        if failed or time.monotonic() > deadline:
            result["error"] = f"not translated (model {window.model_state}; {window.status_label.text()})"
            app.quit()
            return
        if not translated():
            QTimer.singleShot(50, step)
            return
        bullets = window.bullets
        row = min(ns.bullet, bullets.count() - 1)
        if row >= 0:
            rect = bullets.visualItemRect(bullets.item(row))
            QTest.mouseClick(bullets.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        window.original.verticalScrollBar().setValue(0)
        QTimer.singleShot(400, shoot)

    def shoot() -> None:
        app.processEvents()
        screen = window.screen()
        pixmap = screen.grabWindow(window.winId())
        ratio = pixmap.devicePixelRatio()
        out = Path(ns.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        ok = pixmap.save(str(out), "PNG")
        result.update(
            png=str(out) if ok else None,
            window=[window.width(), window.height()],
            image=[pixmap.width(), pixmap.height()],
            device_pixel_ratio=ratio,
            platform=app.platformName(),
            selected_sentence=window.current_sentence(),
            model_state=window.model_state,
            banner=window.banner.isVisible(),
            origin=[window.mapToGlobal(QPoint(0, 0)).x(), window.mapToGlobal(QPoint(0, 0)).y()],
        )
        window.close()
        app.quit()

    QTimer.singleShot(0, step)
    app.exec()
    print(json.dumps(result))
    return 0 if result.get("png") else 1


def dark_palette() -> object:
    """A dark theme like a desktop's dark mode, to look at the tints derived from the palette."""
    from PySide6.QtGui import QColor, QPalette

    pal = QPalette()
    roles = QPalette.ColorRole
    for role, colour in (
        (roles.Window, "#2b2b2b"),
        (roles.WindowText, "#e6e6e6"),
        (roles.Base, "#1e1e1e"),
        (roles.AlternateBase, "#262626"),
        (roles.Text, "#e6e6e6"),
        (roles.Button, "#333333"),
        (roles.ButtonText, "#e6e6e6"),
        (roles.Highlight, "#2f65ca"),
        (roles.HighlightedText, "#ffffff"),
        (roles.PlaceholderText, "#8a8a8a"),
        (roles.Mid, "#444444"),
        (roles.Midlight, "#3a3a3a"),
        (roles.ToolTipBase, "#333333"),
        (roles.ToolTipText, "#e6e6e6"),
    ):
        pal.setColor(role, QColor(colour))
    for role in (roles.WindowText, roles.ButtonText, roles.Text):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor("#777777"))
    return pal


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default="screenshot.png")
    p.add_argument("--article", type=Path, default=None)
    p.add_argument("--model", default=None)
    p.add_argument("--no-model", action="store_true", help="start without any model (the banner)")
    p.add_argument("--dark", action="store_true", help="use a dark palette")
    p.add_argument("--bullet", type=int, default=1, help="0-based key fact to click")
    p.add_argument("--timeout", type=float, default=120.0)
    p.add_argument("--size", default=f"{WIDTH}x{HEIGHT}", help="window size WxH, e.g. 800x600")
    p.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    ns = p.parse_args(argv)
    try:
        ns.width, ns.height = (int(v) for v in ns.size.lower().split("x"))
    except ValueError:
        p.error("--size must be WIDTHxHEIGHT, e.g. 1600x1000")
    if ns.article is None:
        ns.article = default_article()
    if not Path(ns.article).is_file():
        print(f"screenshot: article {ns.article} not found", file=sys.stderr)
        return 2
    return inner(ns) if ns.inner else outer(ns)


if __name__ == "__main__":
    sys.exit(main())
