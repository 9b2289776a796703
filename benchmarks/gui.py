"""Section 5: GUI start-up and event-loop responsiveness, the real window in fresh processes.

Start-up: the parent notes the wall clock, starts ``python -m benchmarks.gui startup``, and the
child runs the app exactly as ``nordbrief gui`` does (``desktop.app.run``) with an event filter
that notes the wall clock at the window's first paint; with a model it also notes when the model
is ready (``MainWindow.translator`` set), which must not delay the first paint.

Responsiveness: the real ``MainWindow`` opens the seed article, loads the model and translates it
through its own background machinery (``desktop.workers``) while a 10 ms ``QTimer`` in the GUI
thread records the gaps between its ticks; the worst gap is what a user would feel as a stall.

Busy machine (issue 16, item 4): the same child runs again while two busy-loop processes at
normal priority compete for the cores (a journalist's laptop always runs a browser), and a CLI
child translates the same article the way ``nordbrief translate`` does (``models.pipeline``,
fresh process, fresh translation memory) under the same load: window speed = CLI time / window
time (translation only, model loading excluded on both sides).

Stop latency: the window translates a long article (the seed's sentences with numbers changed so
the memory never hits); once sentences stream in, ``MainWindow.stop`` is called and the time until
the window is idle again (``translating`` False: "Stopped", new work accepted) is measured.

Children run offscreen with throw-away user folders, never touching the real config.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import run_child, seed_article_path


def _isolated_env(base: Path) -> dict[str, str]:
    return {
        "QT_QPA_PLATFORM": "offscreen",
        "NORDBRIEF_CONFIG_DIR": str(base / "config"),
        "NORDBRIEF_DATA_DIR": str(base / "data"),
        "NORDBRIEF_MODELS_DIR": str(base / "models"),
        "XDG_CONFIG_HOME": str(base / "xdg-config"),
        "XDG_DATA_HOME": str(base / "xdg-data"),
    }


# --- children ------------------------------------------------------------------------------------


def _child_startup(t_parent: float, model: str | None) -> None:
    """Run the app as ``nordbrief gui`` does; print when the window first paints (and model ready)."""
    t_main = time.time()
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QMainWindow, QWidget

    from desktop.app import make_app, run

    app = make_app()
    marks: dict[str, float] = {"python_main_s": t_main - t_parent}

    def finish() -> None:
        print(json.dumps({k: round(v, 4) for k, v in marks.items()}), flush=True)
        os._exit(0)  # skip teardown: only the start-up is measured

    def poll_model() -> None:
        windows = [w for w in app.topLevelWidgets() if isinstance(w, QMainWindow)]
        win: Any = windows[0] if windows else None
        if win is not None and getattr(win, "translator", None) is not None:
            marks["model_ready_s"] = time.time() - t_parent
            finish()
        elif win is not None and getattr(win, "model_state", "") in ("missing", "error"):
            marks["model_error"] = 1.0
            finish()

    class FirstPaint(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if (
                "shown_s" not in marks
                and event.type() == QEvent.Type.Paint
                and isinstance(obj, QWidget)
                and isinstance(obj.window(), QMainWindow)
            ):
                marks["shown_s"] = time.time() - t_parent
                if model is None:
                    QTimer.singleShot(0, finish)
                else:
                    timer = QTimer(app)
                    timer.timeout.connect(poll_model)
                    timer.start(10)
            return False

    paint_filter = FirstPaint(app)
    app.installEventFilter(paint_filter)
    QTimer.singleShot(120_000, finish)  # never hang the benchmark
    run(["--no-restore", *(["--model", model] if model else [])])
    finish()


def _wait(cond: Callable[[], bool], timeout: float) -> bool:
    """Run the Qt event loop (not a busy loop) until ``cond`` holds or ``timeout`` passes."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    deadline = time.monotonic() + timeout

    def check() -> None:
        if cond() or time.monotonic() > deadline:
            loop.quit()

    poll = QTimer()
    poll.timeout.connect(check)
    poll.start(20)
    check()
    if not (cond() or time.monotonic() > deadline):
        loop.exec()
    poll.stop()
    return cond()


def _translate_time(window: Any, art_ready: Callable[[], bool], marks: list[float] | None = None) -> float:
    """Seconds from ``translate`` to every sentence translated (the window's speed); ``marks``
    gets the run's start and end (``perf_counter``)."""
    _wait(art_ready, 60)

    def all_done() -> bool:
        art = window.article
        return art is not None and all(s.translation is not None for s in art.sentences)

    _wait(lambda: not window.translating, 600)
    for s in window.article.sentences:
        s.translation = None
    window.translator.memory.clear()
    t0 = time.perf_counter()
    window.translate()
    _wait(lambda: all_done() and not window.translating, 600)
    t1 = time.perf_counter()
    if marks is not None:
        marks += [t0, t1]
    return t1 - t0


def _long_article(copies: int) -> str:
    """The seed article ``copies`` times, each copy's numbers changed (no memory hits)."""
    import re

    text = seed_article_path().read_text(encoding="utf-8")
    parts = []
    for k in range(copies):
        parts.append(re.sub(r"\d+", lambda m, k=k: str(int(m.group()) + 7 * k + 1), text))
    return "\n\n".join(parts)


def _child_stop(model: str) -> None:
    """Time from ``stop`` to an idle window (and to a free translator lane), a few times while a
    long article translates; also the slowest sentence of the article decoded alone, the bound
    at beam > 1 where no call can be interrupted."""
    from desktop.app import make_app
    from desktop.mainwindow import MainWindow

    app = make_app()
    window: Any = MainWindow(model=model, restore_session=False)
    window.show()
    if not _wait(lambda: window.translator is not None, 300):
        print(json.dumps({"error": f"model did not load (state {window.model_state})"}), flush=True)
        os._exit(0)
    latencies: list[float] = []  # Esc to "Stopped", new work accepted
    engine: list[float] = []  # Esc to the translator lane free (the call in flight ended)
    for k in range(3):
        window._setting_text = True
        window.original.setPlainText(_long_article(6 + k))
        window._setting_text = False
        window.article = None
        window.analyse_now()
        _wait(lambda: window.article is not None, 60)
        window.translator.memory.clear()
        window.translate()
        _wait(lambda: window.progress.value() > 0, 120)
        _wait(lambda: False, 0.4 + 0.3 * k)  # stop at different points of a call
        job = window._translate_job
        t0 = time.perf_counter()
        window.stop()
        _wait(lambda: not window.translating, 120)
        latencies.append(time.perf_counter() - t0)
        _wait(lambda job=job: job.finished, 120)
        engine.append(time.perf_counter() - t0)
    tr = window.translator
    alone = []
    for sent in window.article.sentences[:40]:
        tr.memory.clear()
        t0 = time.perf_counter()
        tr.translate([sent.text])
        alone.append(time.perf_counter() - t0)
    print(
        json.dumps(
            {
                "slowest_sentence_alone_s": round(max(alone), 3),
                "median_sentence_alone_s": round(sorted(alone)[len(alone) // 2], 3),
                "latencies_s": [round(x, 3) for x in latencies],
                "worst_s": round(max(latencies), 3),
                "engine_latencies_s": [round(x, 3) for x in engine],
                "engine_worst_s": round(max(engine), 3),
                "beam_size": tr.options.beam_size,
                "call_seconds": tr.options.call_seconds,
            }
        ),
        flush=True,
    )
    app.processEvents()
    os._exit(0)


def _child_cli_speed(model: str) -> None:
    """Translate the seed article as ``nordbrief translate`` does; translation time only."""
    from models import pipeline
    from models.settings import EngineSettings

    translator, _info = pipeline.open_translator(EngineSettings(model=model))
    article = pipeline.article_from_text(seed_article_path().read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    for batch in pipeline.translate_article(article, translator):
        pipeline.apply_translations(article, batch)
    pipeline.check_article(article)
    print(json.dumps({"seconds": round(time.perf_counter() - t0, 3)}), flush=True)


def _child_window_speed(model: str) -> None:
    """The window's translation time for the seed article and the timer gaps meanwhile."""
    from PySide6.QtCore import QTimer

    from desktop.app import make_app
    from desktop.mainwindow import MainWindow

    app = make_app()
    window: Any = MainWindow(model=model, restore_session=False)
    window.show()
    if not _wait(lambda: window.translator is not None, 300):
        print(json.dumps({"error": f"model did not load (state {window.model_state})"}), flush=True)
        os._exit(0)
    window.open_path(str(seed_article_path()))
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    run: list[float] = []
    seconds = _translate_time(
        window, lambda: window.article is not None and bool(window.article.sentences), run
    )
    timer.stop()
    every = sorted(1000 * (b - a) for a, b in itertools.pairwise(ticks))
    # The timed run, from Translate to the last sentence shown (the open, analysis and first
    # automatic run before it are the "with open" figure).
    gaps = sorted(1000 * (b - a) for a, b in itertools.pairwise(ticks) if b >= run[0] and a <= run[1])
    print(
        json.dumps(
            {
                "seconds": round(seconds, 3),
                "worst_gap_ms": round(gaps[-1], 1) if gaps else None,
                "worst_gap_with_open_ms": round(every[-1], 1) if every else None,
                "p99_gap_ms": round(gaps[int(0.99 * (len(gaps) - 1))], 1) if gaps else None,
                "ticks": len(ticks),
            }
        ),
        flush=True,
    )
    app.processEvents()
    os._exit(0)


def _child_responsiveness(model: str) -> None:
    from PySide6.QtCore import QTimer

    from desktop.app import make_app
    from desktop.mainwindow import MainWindow

    app = make_app()
    window: Any = MainWindow(model=model, restore_session=False)
    window.show()
    ok = _wait(lambda: window.translator is not None, 300)
    if not ok:
        print(json.dumps({"error": f"model did not load (state {window.model_state})"}), flush=True)
        os._exit(0)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    t0 = time.perf_counter()
    # Opening an article translates it at once (what the user opened it for), so the timer runs
    # from the open through reading, analysis and the whole streamed translation.
    window.open_path(str(seed_article_path()))
    _wait(lambda: window.article is not None and bool(window.article.sentences), 60)

    def all_done() -> bool:
        art = window.article
        return art is not None and all(s.translation is not None for s in art.sentences)

    if not window.translating and not all_done():
        window.translate()
    finished = _wait(lambda: all_done() and not window.translating, 600)
    seconds = time.perf_counter() - t0
    timer.stop()
    gaps = sorted(1000 * (b - a) for a, b in itertools.pairwise(ticks))
    done = sum(1 for s in window.article.sentences if s.translation is not None)
    result = {
        "how": "real MainWindow, desktop.workers translator lane, default engine options",
        "finished": finished,
        "sentences_translated": done,
        "sentences": len(window.article.sentences),
        "seconds": round(seconds, 3),
        "ticks": len(ticks),
        "worst_gap_ms": round(gaps[-1], 1) if gaps else None,
        "p99_gap_ms": round(gaps[int(0.99 * (len(gaps) - 1))], 1) if gaps else None,
        "median_gap_ms": round(gaps[len(gaps) // 2], 1) if gaps else None,
    }
    print(json.dumps(result), flush=True)
    app.processEvents()
    os._exit(0)  # the window's shutdown path is tested elsewhere; keep this child quick


# --- parent --------------------------------------------------------------------------------------


def startup(model_dir: Path | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="nordbrief-bench-gui-") as tmp:
        args = ["startup", "--t0", repr(time.time())]
        if model_dir is not None:
            args += ["--model", str(model_dir)]
        return run_child("benchmarks.gui", args, env=_isolated_env(Path(tmp)), timeout=300)


def responsiveness(size: str, model_dir: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="nordbrief-bench-gui-") as tmp:
        result = run_child(
            "benchmarks.gui", ["responsiveness", str(model_dir)], env=_isolated_env(Path(tmp)), timeout=900
        )
    result["size"] = size
    return result


BUSY_LOOPS = 2


def _busy_loops(n: int) -> list[Any]:
    """``n`` processes spinning at normal priority (what a browser tab does to the cores)."""
    import subprocess

    return [
        subprocess.Popen([sys.executable, "-c", "while True: pass"], stdout=subprocess.DEVNULL)
        for _ in range(n)
    ]


def busy(model_dir: Path, size: str) -> dict[str, Any]:
    """Window vs CLI translation speed and the window's timer gaps under two busy loops, then
    Stop latency (idle machine apart from the other users')."""
    from benchmarks.common import log

    out: dict[str, Any] = {"size": size, "busy_loops": BUSY_LOOPS}
    with tempfile.TemporaryDirectory(prefix="nordbrief-bench-gui-") as tmp:
        env = _isolated_env(Path(tmp))
        loops = _busy_loops(BUSY_LOOPS)
        try:
            log(f"  gui: CLI vs window speed, {size} model, {BUSY_LOOPS} busy loops")
            cli, win = [], []
            for _ in range(3):  # interleaved: the other users of the machine come and go
                cli.append(run_child("benchmarks.gui", ["cli-speed", str(model_dir)], env=env))
                win.append(run_child("benchmarks.gui", ["window-speed", str(model_dir)], env=env))
        finally:
            for p in loops:
                p.kill()
                p.wait()
        out["cli"], out["window"] = cli, win
        if all("seconds" in r for r in cli + win):
            cli_s = min(r["seconds"] for r in cli)
            win_s = min(r["seconds"] for r in win)
            out["cli_seconds"], out["window_seconds"] = cli_s, win_s
            out["speed_ratio"] = round(cli_s / win_s, 3)
            out["worst_gap_ms"] = max(r["worst_gap_ms"] for r in win)
            out["worst_gap_with_open_ms"] = max(r["worst_gap_with_open_ms"] for r in win)
        log(f"  gui: Stop latency, {size} model")
        out["stop"] = run_child("benchmarks.gui", ["stop", str(model_dir)], env=env)
    return out


def measure(model_dir: Path, size: str) -> dict[str, Any]:
    from benchmarks.common import log

    log("  gui: start-up without a model")
    no_model = startup(None)
    log(f"  gui: start-up with the {size} model")
    with_model = startup(model_dir)
    log(f"  gui: 10 ms timer while the {size} model translates the seed article")
    return {
        "startup": {"no_model": no_model, "with_model": with_model},
        "responsiveness": responsiveness(size, model_dir),
        "busy": busy(model_dir, size),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.gui", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("startup", help="child: run the app, print first-paint time as JSON")
    s.add_argument(
        "--t0", type=float, required=True, help="parent's time.time() before starting this process"
    )
    s.add_argument("--model")
    r = sub.add_parser("responsiveness", help="child: timer gaps while translating the seed article")
    r.add_argument("model")
    for name, what in (
        ("cli-speed", "the CLI's translation time"),
        ("window-speed", "the window's translation time"),
        ("stop", "Stop latency"),
    ):
        sub.add_parser(name, help=f"child: {what}").add_argument("model")
    args = ap.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    children = {
        "responsiveness": _child_responsiveness,
        "cli-speed": _child_cli_speed,
        "window-speed": _child_window_speed,
        "stop": _child_stop,
    }
    if args.cmd == "startup":
        _child_startup(args.t0, args.model)
    else:
        children[args.cmd](args.model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
