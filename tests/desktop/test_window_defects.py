"""Issue 16's defects in a real window (tiny random-weight model): paste falls back to plain
text, no stale key facts after Stop or a model change, a stopped run is fact-checked, honest
header and speed labels."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QMimeData, Qt
from PySide6.QtTest import QTest

from desktop import workers
from models import pipeline
from tests.desktop.test_window import _translated, _unique_article, _write

PAGE = "<!DOCTYPE html><html><head><title>T</title></head><body><article><p>x</p></article></body></html>"


def test_a_failing_page_paste_falls_back_to_the_plain_text(
    make_window, qtbot, monkeypatch, recorded_errors
) -> None:
    """The HTML path failing for any reason (lxml.html.clean split off, a page the extractor
    chokes on) pastes the clipboard's plain text, with a note in the status bar, no dialog."""

    def broken(html: str, text: str) -> Any:
        raise ImportError("lxml.html.clean module is now a separate project lxml_html_clean")

    monkeypatch.setattr(pipeline, "article_from_clipboard", broken)
    window = make_window(autoload_model=False)
    mime = QMimeData()
    mime.setHtml(PAGE)
    mime.setText("Det regner i Oslo.\r\nIngen ble skadd.")
    window.original.insertFromMimeData(mime)
    qtbot.waitUntil(lambda: "Det regner i Oslo." in window.original.toPlainText(), timeout=10_000)
    assert window.original.toPlainText() == "Det regner i Oslo.\nIngen ble skadd."
    assert "plain text" in window.status_label.text()
    assert recorded_errors == []


def test_no_stale_key_facts_after_a_new_run_is_stopped(ready_window, qtbot, tmp_path) -> None:
    """A bullet's English from an earlier run (another model) never survives a new run: after
    Stop the bullets show only English of the current translation."""
    window = ready_window
    window.open_path(str(_write(tmp_path, _unique_article(200))))
    qtbot.waitUntil(lambda: _translated(window), timeout=120_000)
    art = window.article
    assert art.bullets
    for b in art.bullets:  # as if model A had translated them as their own segments
        b.compressed, b.translation = True, "STALE ENGLISH FROM MODEL A"
    window.model_info = type(window.model_info)(name="model-b")
    window.article = pipeline.article_from_text(art.text)  # fresh sentences: really decoded
    window.article.bullets = art.bullets
    window.translate()
    QTest.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.translating, timeout=30_000)
    for i in range(len(window.article.bullets)):
        assert pipeline.bullet_english(window.article, i) != "STALE ENGLISH FROM MODEL A"
    shown = [window.bullets.item(i).text() for i in range(window.bullets.count())]
    assert not any("STALE" in t for t in shown)
    assert window.article.model.name == "model-b"


def test_a_stopped_run_is_fact_checked_for_what_it_has(ready_window, qtbot, tmp_path, monkeypatch) -> None:
    window = ready_window
    checked: list[int] = []
    real = workers.check

    def spy(article):
        checked.append(sum(1 for s in article.sentences if s.translation is not None))
        return real(article)

    monkeypatch.setattr(workers, "check", spy)
    window.open_path(str(_write(tmp_path, _unique_article(400))))
    qtbot.waitUntil(lambda: window.translating and window.progress.value() > 0, timeout=30_000)
    QTest.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.translating, timeout=30_000)
    qtbot.waitUntil(lambda: bool(checked) and not window.tasks.active(), timeout=30_000)
    done = sum(1 for s in window.article.sentences if s.translation is not None)
    assert 0 < checked[0] == done < len(window.article.sentences)
    assert "Stopped" in window.status_label.text()
    note = window.translation_pane.header.note.text()
    assert "out of date" not in note and "stopped" in note


def test_header_and_speed_labels_say_what_happened(ready_window, qtbot, tmp_path) -> None:
    window = ready_window
    window.open_path(str(_write(tmp_path, _unique_article(8))))  # never seen by the memory
    qtbot.waitUntil(lambda: _translated(window), timeout=60_000)
    assert "words/s" in window.speed_label.text()
    assert window.model_info.name in window.translation_pane.header.note.text()
    # Type, translate again: during the run the header never says "out of date".
    window.original.textCursor().insertText(" ")
    notes: list[str] = []
    show = window._translate_progress

    def spy(p, article):
        notes.append(window.translation_pane.header.note.text())
        show(p, article)

    window._translate_progress = spy
    window.analyse_now()
    qtbot.waitUntil(lambda: window.article is not None, timeout=10_000)
    window.translate()
    qtbot.waitUntil(lambda: _translated(window), timeout=60_000)
    assert notes and not any("out of date" in n for n in notes)
    # Every sentence came from the translation memory: no absurd words/s, no "0.0 s".
    assert window.speed_label.text() == "from memory"
    assert "from memory" in window.status_label.text() and "0.0 s" not in window.status_label.text()


def test_translation_runs_at_the_gui_priority(ready_window, qtbot) -> None:
    import os
    import sys
    import threading

    if sys.platform != "linux":
        return
    seen: list[int] = []

    def nice(token: Any) -> None:
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

    job = workers.Job("nice", nice, "translator")
    ready_window.tasks.submit(job)
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    assert seen[0] == os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


class _SlowCT2:
    """The real model, each call taking at least ``seconds`` (a busy laptop at beam 2, where
    CTranslate2 cannot stop a call)."""

    def __init__(self, inner: Any, seconds: float) -> None:
        self.inner, self.seconds = inner, seconds

    def translate_batch(self, source: Any, **kw: Any) -> Any:
        import time

        time.sleep(self.seconds)
        return self.inner.translate_batch(source, **kw)

    def unload_model(self) -> None:
        self.inner.unload_model()


def test_stop_answers_at_once_and_drops_the_call_in_flight(ready_window, qtbot, tmp_path) -> None:
    import time

    window = ready_window
    real = window.translator.ct2
    window.translator.ct2 = _SlowCT2(real, 1.5)
    try:
        window.open_path(str(_write(tmp_path, _unique_article(40))))
        qtbot.waitUntil(lambda: window.translating and window.progress.value() > 0, timeout=30_000)
        job = window._translate_job
        shown = [s.translation for s in window.article.sentences]
        t0 = time.monotonic()
        QTest.keyClick(window, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: not window.translating, timeout=10_000)
        assert time.monotonic() - t0 < 0.5  # the call in flight still has most of 1.5 s to go
        assert "Stopped" in window.status_label.text() and window.commands.translate.isEnabled()
        assert not job.finished
        qtbot.waitUntil(lambda: job.finished, timeout=30_000)
        qtbot.wait(50)
        # What the abandoned call finished later did not change the window's article.
        assert [s.translation for s in window.article.sentences] == shown
    finally:
        window.translator.ct2 = real
    window.translate()  # new work runs (from the memory where the stopped run got to)
    qtbot.waitUntil(lambda: _translated(window), timeout=120_000)


def test_an_offline_download_says_so_and_offers_import(
    make_window, qtbot, monkeypatch, recorded_errors
) -> None:
    """A failed name lookup is "No internet connection (or the Hub is unreachable): …" in the
    banner, whose button then imports a model instead; no raw "[Errno -2]", no error box."""
    from desktop import dialogs

    monkeypatch.setenv("HF_ENDPOINT", "http://nordbrief-no-such-host.invalid")
    window = make_window()
    qtbot.waitUntil(lambda: window.model_state == "missing", timeout=10_000)
    window.banner.action.click()
    qtbot.waitUntil(lambda: window._download_job is None and window._banner_offers_import, timeout=30_000)
    assert "No internet connection (or the Hub is unreachable)" in window.banner.label.text()
    assert "&lt;b&gt;" not in window.banner.label.text()  # the bold lead is markup, not shown literally
    assert "Errno" not in window.status_label.text() and recorded_errors == []
    assert window.banner.action.text().startswith("Import model")
    asked: list[bool] = []
    monkeypatch.setattr(dialogs, "ask_import_path", lambda parent, directory="": asked.append(True))
    window.banner.action.click()
    assert asked == [True]


def test_a_model_installed_by_the_cli_is_noticed_without_a_restart(make_window, qtbot, tiny_model) -> None:
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    from models import store

    window = make_window()
    qtbot.waitUntil(lambda: window.model_state == "missing", timeout=10_000)
    store.import_model(tiny_model)  # what `nordbrief models import DIR` does in a terminal
    QApplication.sendEvent(window, QEvent(QEvent.Type.ActivationChange))  # the user comes back
    window.activateWindow()
    QApplication.sendEvent(window, QEvent(QEvent.Type.ActivationChange))
    qtbot.waitUntil(lambda: window.model_state == "ready", timeout=30_000)
    assert window.model_info.name == "tiny"


def test_small_windows_put_key_facts_below_and_keep_the_languages_side_by_side(make_window, qtbot) -> None:
    window = make_window(autoload_model=False)
    window.resize(800, 600)
    qtbot.waitUntil(lambda: window.width() == 800, timeout=5_000)
    assert window.bullets_pane.parent() is window.outer  # a row under the two columns
    o, t, b = (
        p.mapTo(window, p.rect().topLeft())
        for p in (window.original_pane, window.translation_pane, window.bullets_pane)
    )
    assert o.y() == t.y() and o.x() < t.x() and b.y() > o.y()
    for pane in (window.original_pane, window.translation_pane):
        header = pane.header.title
        assert header.width() >= header.sizeHint().width()  # "Translation", not "Translatio"
    sizes = window.splitter.sizes()
    window.resize(1400, 800)
    qtbot.waitUntil(lambda: window.width() == 1400, timeout=5_000)
    assert window.bullets_pane.parent() is window.splitter and len(window.splitter.sizes()) == 3
    assert len(sizes) == 2
