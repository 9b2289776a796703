"""Paths reached through menus and dialogs: the models dialog, File > Open URL, recent files and
the real entry point (``desktop.app.run``) in its own process."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop import dialogs
from desktop import settings as S
from desktop.workers import TaskManager
from models import pipeline, store

REPO = Path(__file__).resolve().parents[2]

PAGE = """<!doctype html><html lang="nb"><head><meta charset="utf-8"><title>Ny bro i Bergen</title></head>
<body><nav><ul><li><a href="/">Forsiden</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<article><h1>Ny bro i Bergen</h1>
<p>Bergen kommune åpnet mandag en ny bro over Puddefjorden. Broen kostet 410 millioner kroner.</p>
<p>Ordfører Marte Mjøs Persen sa at broen vil korte ned reisetiden for 12 000 syklister hver dag.</p>
<p>Statens vegvesen venter at trafikken over broen vil øke med 30 prosent innen 2030.</p>
</article><footer>Kontakt oss · Personvern</footer></body></html>"""


@pytest.fixture
def two_models(tiny_model: Path) -> list[str]:
    """Two copies of the tiny model installed in the test's own models folder."""
    names = [store.import_model(tiny_model, name=n).name for n in ("tiny-a", "tiny-b")]
    store.set_default_model("tiny-a")
    return names


def _select(dialog: Any, name: str) -> None:
    row = next(r for r, m in enumerate(dialog._rows) if m.name == name)
    dialog.table.selectRow(row)
    assert dialog.selected().name == name


def _status(dialog: Any, name: str) -> str:
    row = next(r for r, m in enumerate(dialog._rows) if m.name == name)
    return dialog.table.item(row, 1).text()


@pytest.fixture
def tasks(qtbot: Any) -> Iterator[TaskManager]:
    tm = TaskManager()
    yield tm
    tm.shutdown(10)


def _dialog(qtbot: Any, tasks: TaskManager, parent: Any = None) -> dialogs.ModelsDialog:
    """The models dialog once its background listing has arrived."""
    dialog = dialogs.ModelsDialog(parent, tasks)
    if parent is None:
        qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.loaded and bool(dialog._rows), timeout=10_000)
    return dialog


def test_models_dialog_use_as_default_changes_the_engine_default(qtbot, two_models, tasks) -> None:
    dialog = _dialog(qtbot, tasks)
    assert store.get_default_model() == "tiny-a" and _status(dialog, "tiny-a") == "Default"
    _select(dialog, "tiny-b")
    assert dialog.default_button.isEnabled() and dialog.remove_button.isEnabled()
    dialog.default_button.click()
    # The store's setting, so the CLI (resolve_model(None)) follows the GUI's choice.
    assert store.get_default_model() == "tiny-b"
    assert store.resolve_model(None).name == "tiny-b"
    qtbot.waitUntil(lambda: dialog.loaded and _status(dialog, "tiny-b") == "Default", timeout=10_000)
    assert _status(dialog, "tiny-a") == "Installed"


def test_models_dialog_remove_asks_first_then_removes(qtbot, two_models, monkeypatch, tasks) -> None:
    answers: list[str] = []
    monkeypatch.setattr(dialogs, "confirm", lambda parent, title, msg: answers.append(msg) or False)
    dialog = _dialog(qtbot, tasks)
    _select(dialog, "tiny-a")
    dialog.remove_button.click()
    assert answers and "tiny-a" in answers[0]
    assert "tiny-a" in store.installed_models()  # the user said no
    monkeypatch.setattr(dialogs, "confirm", lambda parent, title, msg: True)
    _select(dialog, "tiny-a")
    main = threading.get_ident()
    removed_in: list[int] = []
    real_remove = store.remove_model
    monkeypatch.setattr(
        store, "remove_model", lambda n: removed_in.append(threading.get_ident()) or real_remove(n)
    )
    dialog.remove_button.click()
    assert not dialog.remove_button.isEnabled()  # no second click while it runs
    qtbot.waitUntil(lambda: dialog.loaded and "tiny-a" not in [m.name for m in dialog._rows], timeout=10_000)
    assert removed_in and removed_in[0] != main  # the rmtree ran off the GUI thread
    assert "tiny-a" not in store.installed_models()
    assert store.get_default_model() == "tiny-b"  # the default moved to what is left
    assert _status(dialog, "tiny-b") == "Default"


def test_window_loads_the_model_picked_in_the_dialog(make_window, qtbot, two_models, monkeypatch) -> None:
    window = make_window()  # no --model: the store's default
    qtbot.waitUntil(lambda: window.model_state == "ready", timeout=30_000)
    assert window.model_info.name == "tiny-a"

    def pick_b(parent: Any, tasks: TaskManager) -> None:
        dialog = _dialog(qtbot, tasks, parent)
        _select(dialog, "tiny-b")
        dialog.default_button.click()
        dialog.close()
        return None

    monkeypatch.setattr(dialogs, "open_models_dialog", pick_b)
    window.commands.models.trigger()
    qtbot.waitUntil(
        lambda: window.model_state == "ready" and window.model_info.name == "tiny-b", timeout=30_000
    )
    assert window.model_label.text() == "Model: tiny-b"


@pytest.fixture
def page_server() -> Iterator[str]:
    """A loopback web server with one news page; stopped and joined at the end."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = PAGE.encode("utf-8")
            self.send_response(200 if self.path == "/nyheter/bro" else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="page-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/nyheter/bro"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_open_url_imports_the_page_through_the_engine(make_window, qtbot, page_server, monkeypatch) -> None:
    asked: list[Any] = []
    monkeypatch.setattr(dialogs, "ask_url", lambda parent: asked.append(parent) or page_server)
    window = make_window(autoload_model=False)
    assert (
        window.commands.open_url.isVisible()
        and "Ctrl+Shift+O" in window.commands.open_url.shortcut().toString()
    )
    window.commands.open_url.trigger()
    assert asked == [window]
    qtbot.waitUntil(lambda: window.article is not None, timeout=20_000)
    expected = pipeline.load_url(page_server)
    text = window.original.toPlainText()
    assert text == expected.text
    paras = text.split("\n\n")
    assert paras[0] == "Ny bro i Bergen"
    assert paras[1].startswith("Bergen kommune åpnet mandag")
    assert "Forsiden" not in text and "Personvern" not in text  # menus and footer dropped
    assert window.file == page_server
    assert window.article.source.url == page_server
    assert window.bullets.count() > 0


def test_open_url_cancelled_or_failing_page(
    make_window, qtbot, page_server, monkeypatch, recorded_errors
) -> None:
    window = make_window(autoload_model=False)
    monkeypatch.setattr(dialogs, "ask_url", lambda parent: None)  # the user pressed Cancel
    window.commands.open_url.trigger()
    assert not window.tasks.active() and window.article is None
    missing = page_server.replace("/nyheter/bro", "/finnes-ikke")
    monkeypatch.setattr(dialogs, "ask_url", lambda parent: missing)
    window.commands.open_url.trigger()
    qtbot.waitUntil(lambda: bool(recorded_errors), timeout=20_000)
    assert "404" in recorded_errors[0][1] or "not found" in recorded_errors[0][1].lower()
    assert window.original.toPlainText() == ""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_recent_files_menu_lists_opens_and_drops_missing_files(
    make_window, qtbot, tmp_path, recorded_errors
) -> None:
    first = _write(tmp_path, "forste.txt", "Første sak\n\nOslo fikk 12 nye busser i 2023.")
    second = _write(tmp_path, "andre.txt", "Andre sak\n\nBergen fikk 3 nye trikker i 2024.")
    gone = tmp_path / "borte.txt"
    window = make_window(autoload_model=False)
    for p in (gone, first, second):
        window.settings.add_recent(str(p))
    window.recent_menu.aboutToShow.emit()  # what opening the menu does
    entries = [a for a in window.recent_menu.actions() if not a.isSeparator()]
    texts = [a.text() for a in entries]
    assert texts[:3] == ["&1 andre.txt", "&2 forste.txt", "&3 borte.txt"]
    assert [a.toolTip() for a in entries[:3]] == [str(second), str(first), str(gone)]
    assert texts[-1] == "&Clear list"

    entries[1].trigger()  # forste.txt
    qtbot.waitUntil(lambda: window.article is not None and window.file == str(first), timeout=10_000)
    assert window.original.toPlainText() == first.read_text(encoding="utf-8")
    assert window.settings.get(S.RECENT_FILES)[0] == str(first)  # moved to the top

    window.recent_menu.aboutToShow.emit()
    missing = next(a for a in window.recent_menu.actions() if a.toolTip() == str(gone))
    missing.trigger()
    assert recorded_errors and recorded_errors[-1][0] == "File not found"
    assert str(gone) in recorded_errors[-1][1]
    assert str(gone) not in window.settings.get(S.RECENT_FILES)
    assert str(gone) not in [a.toolTip() for a in window.recent_menu.actions()]
    assert window.file == str(first)  # what was open stays open

    window.recent_menu.aboutToShow.emit()
    next(a for a in window.recent_menu.actions() if a.text() == "&Clear list").trigger()
    window.recent_menu.aboutToShow.emit()
    assert [a.text() for a in window.recent_menu.actions()] == ["No recent files"]


@pytest.mark.timeout(120)
def test_app_run_end_to_end_in_its_own_process(tmp_path: Path, isolated_user_dirs: Path) -> None:
    """``nordbrief gui FILE`` through the console-script launcher: the window shows, opens the file,
    quits through the smoke-test hook with exit code 0 and leaves the session saved."""
    article = _write(
        tmp_path, "sak.txt", "Ny bro i Bergen\n\nBergen kommune åpnet en ny bro. Den kostet 410 millioner."
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", NORDBRIEF_QUIT_AFTER_MS="300")
    proc = subprocess.run(
        [sys.executable, "-m", "desktop.launcher", "gui", str(article)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    state = json.loads(proc.stdout.strip().splitlines()[-1])
    assert state["visible"] is True and state["title"].endswith("Nordbrief")
    assert state["sentences"] == 3 and state["bullets"] > 0
    assert state["model_state"] == "missing" and state["banner"] is True  # no model installed here
    saved = json.loads((isolated_user_dirs / "data" / "session.json").read_text(encoding="utf-8"))
    assert saved["text"] == article.read_text(encoding="utf-8") and saved["file"] == str(article)


def test_app_run_usage_error_returns_2() -> None:
    from desktop.app import run

    assert run(["--no-such-option"]) == 2


def test_open_dialog_filter_offers_exactly_the_engine_file_types(tmp_path: Path) -> None:
    """One table (``pipeline.FILE_TYPES``): every suffix the Open dialog offers is one the engine
    reads as that kind, and the dialog offers every one of them."""
    first, *kinds, everything = dialogs.OPEN_FILTER.split(";;")
    suffixes = [s for t in pipeline.FILE_TYPES for s in t.suffixes]
    assert first == "Articles (" + " ".join(f"*{s}" for s in suffixes) + ")"
    assert kinds == [
        f"{t.label} (" + " ".join(f"*{s}" for s in t.suffixes) + ")" for t in pipeline.FILE_TYPES
    ]
    assert everything == "All files (*)"
    page = "<html><body><h1>Ny bro</h1><p>Broen åpnet i dag, sa ordføreren.</p></body></html>"
    for suffix in suffixes:
        path = tmp_path / f"sak{suffix}"
        if suffix == ".docx":
            import docx

            doc = docx.Document()
            doc.add_heading("Ny bro", 1)
            doc.add_paragraph("Broen åpnet i dag, sa ordføreren.")
            doc.save(str(path))
        elif suffix in (".html", ".htm", ".xhtml"):
            path.write_text(page, encoding="utf-8")
        else:
            markup = "# " if suffix in (".md", ".markdown") else ""
            path.write_text(f"{markup}Ny bro\n\nBroen åpnet i dag, sa ordføreren.\n", encoding="utf-8")
        article = pipeline.load_article(str(path))
        assert article.title == "Ny bro", suffix
        assert article.text.rstrip().endswith("Broen åpnet i dag, sa ordføreren."), suffix
