"""The main window with the tiny random-weight model: structure and behaviour, never wording."""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtTest import QTest

from desktop import dialogs
from desktop import settings as S
from desktop.render import layout_translation
from desktop.textpos import OffsetMap
from models import export

ARTICLE = (
    "Ny bro åpnet i Bergen 😀\n\n"
    "Bergen kommune åpnet mandag en ny bro over Puddefjorden. Broen kostet 410 millioner kroner.\n\n"
    "Ordfører Marte Mjøs Persen sa at broen vil korte ned reisetiden for 12 000 syklister hver dag. "
    "Arbeidet startet i 2021.\n\n"
    "Trafikk\n\n"
    "Statens vegvesen venter at trafikken over broen vil øke med 30 prosent innen 2030."
)


def _write(tmp_path: Path, text: str = ARTICLE, name: str = "artikkel.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _unique_article(n: int) -> str:
    """Sentences the translation memory cannot have seen, so translation really runs."""
    rng = random.Random(time.monotonic_ns())
    words = ["bro", "kommune", "vei", "skole", "by", "havn", "tog", "buss", "fylke", "marked"]
    paras = []
    for _p in range(n // 4):
        sents = []
        for _ in range(4):
            body = " ".join(rng.choice(words) for _ in range(12))
            sents.append(f"Den {rng.randrange(10**6)} {body} kom {rng.randrange(10**6)}.")
        paras.append(" ".join(sents))
    return "\n\n".join(paras)


def _translated(window: Any) -> None:
    assert window.article is not None and not window.translating
    assert window.article.sentences
    assert all(s.translation is not None for s in window.article.sentences)


def test_window_opens_fast_and_loads_the_model_after_showing(make_window, qtbot, tiny_model) -> None:
    t0 = time.monotonic()
    window = make_window(model=str(tiny_model))
    qtbot.waitExposed(window)
    shown = time.monotonic() - t0
    assert window.model_state in ("loading", "unknown")  # not loaded before first paint
    qtbot.waitUntil(lambda: window.model_state == "ready", timeout=30_000)
    assert shown < 1.5


def test_open_translate_fills_every_sentence_in_order(ready_window, qtbot, tmp_path) -> None:
    window = ready_window
    order: list[int] = []
    progress = []
    show = window._translate_progress

    def spy(p, article):  # every batch the GUI thread receives, in arrival order
        order.extend(t.index for t in p.new if not t.bullet)
        progress.append(p)
        show(p, article)

    window._translate_progress = spy
    window.open_path(str(_write(tmp_path, _unique_article(24))))
    qtbot.waitUntil(lambda: _translated(window), timeout=60_000)
    art = window.article
    assert order == list(range(len(art.sentences)))  # every sentence once, in document order
    assert progress[-1].done == progress[-1].total == len(art.sentences)
    assert window.progress.value() == 100
    assert window.translation.toPlainText() == layout_translation(art).text
    assert "words/s" in window.speed_label.text()
    assert str(tmp_path / "artikkel.txt") in window.settings.get(S.RECENT_FILES)
    assert window.windowTitle()


def test_stop_midway_leaves_a_consistent_state(ready_window, qtbot, tmp_path) -> None:
    window = ready_window
    window.open_path(str(_write(tmp_path, _unique_article(400))))
    qtbot.waitUntil(lambda: window.translating, timeout=10_000)
    job = window._translate_job
    qtbot.waitUntil(lambda: window.progress.value() > 0, timeout=30_000)
    QTest.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: job.finished and not window.translating, timeout=30_000)
    art = window.article
    done = [s.translation is not None for s in art.sentences]
    assert any(done) and not all(done), "stop should land mid-way"
    first_gap = done.index(False)
    assert all(done[:first_gap]) and not any(done[first_gap:])  # a clean prefix, in order
    assert window.translation.toPlainText() == layout_translation(art).text
    assert window.commands.translate.isEnabled() and not window.commands.stop.isEnabled()
    assert "Stopped" in window.status_label.text()
    # Translating again finishes the job (earlier sentences come from the translation memory).
    window.translate()
    qtbot.waitUntil(lambda: _translated(window), timeout=120_000)


def _selection_spans(edit: Any) -> list[tuple[int, int]]:
    return [(s.cursor.selectionStart(), s.cursor.selectionEnd()) for s in edit.extraSelections()]


def test_bullet_click_highlights_its_sentence_in_both_panes(ready_window, qtbot, tmp_path) -> None:
    window = ready_window
    window.open_path(str(_write(tmp_path)))
    qtbot.waitUntil(lambda: _translated(window), timeout=60_000)
    art = window.article
    assert art.bullets, "the summarizer should find key facts"
    row = len(art.bullets) - 1
    target = art.sentences[art.bullets[row].sentence]
    item = window.bullets.item(row)
    QTest.mouseClick(
        window.bullets.viewport(), Qt.MouseButton.LeftButton, pos=window.bullets.visualItemRect(item).center()
    )
    assert window.current_sentence() == target.index
    # Original: engine code points -> Qt UTF-16 (the emoji in the headline shifts by one).
    m = OffsetMap(art.text)
    assert m.to_utf16(target.start) == target.start + 1
    assert (m.to_utf16(target.start), m.to_utf16(target.end)) in _selection_spans(window.original)
    span = window.translation_span(target.index)
    assert span in _selection_spans(window.translation)
    cur = window.translation.textCursor()
    cur.setPosition(span[0])
    cur.setPosition(span[1], cur.MoveMode.KeepAnchor)
    assert cur.selectedText() == " ".join(target.translation.split())


def test_caret_in_the_original_highlights_the_translation(ready_window, qtbot, tmp_path) -> None:
    window = ready_window
    window.open_path(str(_write(tmp_path)))
    qtbot.waitUntil(lambda: _translated(window), timeout=60_000)
    art = window.article
    s = art.sentences[2]
    c = window.original.textCursor()
    c.setPosition(OffsetMap(art.text).to_utf16(s.start) + 3)
    window.original.setTextCursor(c)
    assert window.current_sentence() == s.index
    assert window.translation_span(s.index) in _selection_spans(window.translation)
    # And back: the caret in the translation selects the Norwegian sentence.
    t = art.sentences[1]
    tc = window.translation.textCursor()
    tc.setPosition(window.translation_span(t.index)[0] + 1)
    window.translation.setTextCursor(tc)
    assert window.current_sentence() == t.index


def test_flagged_sentences_are_marked_with_a_tooltip(ready_window, qtbot, tmp_path) -> None:
    window = ready_window
    window.open_path(str(_write(tmp_path)))
    qtbot.waitUntil(lambda: _translated(window), timeout=60_000)
    flagged = [s for s in window.article.sentences if s.flags]
    assert flagged, "gibberish translations lose the numbers: the check must flag them"
    s = flagged[0]
    span = window.translation_span(s.index)
    tip = window._translation_tooltip(span[0] + 1)
    assert tip and all(d.detail in tip for d in s.flag_details)
    bullet_rows = [
        i for i, b in enumerate(window.article.bullets) if window.article.sentences[b.sentence].flags
    ]
    for r in bullet_rows:
        assert not window.bullets.item(r).icon().isNull()
        assert "Check" in window.bullets.item(r).toolTip()


def test_export_writes_the_summary_file(ready_window, qtbot, tmp_path, monkeypatch) -> None:
    window = ready_window
    window.open_path(str(_write(tmp_path)))
    qtbot.waitUntil(lambda: _translated(window), timeout=60_000)
    suggested: list[str] = []
    out = tmp_path / "out" / "summary.md"
    out.parent.mkdir()

    def fake_save(parent, name, fmt="markdown"):
        suggested.append(name)
        return str(out)

    monkeypatch.setattr(dialogs, "ask_save_file", fake_save)
    QTest.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert out.exists()
    text = out.read_text(encoding="utf-8")
    assert Path(suggested[0]).name.startswith("ny-bro-apnet-i-bergen-") and suggested[0].endswith(".md")
    art = window.article
    assert text.startswith(f"# {export.export_title(art)}")  # the English headline
    assert f"**Original title:** {art.title}" in text
    for b in art.bullets:
        assert " ".join(art.sentences[b.sentence].translation.split()) in text
        assert " ".join(art.sentences[b.sentence].text.split()) in text  # Norwegian source (default on)
    # The file by its name, never the folder; a test model is an imported one, not a path.
    assert "artikkel.txt" in text and str(tmp_path) not in text and "Machine translation" in text
    assert "**Translation model:** imported model" in text
    window.copy_summary()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text().startswith(export.export_title(art))


def test_paste_rich_text_keeps_paragraphs_as_plain_text(make_window, qtbot) -> None:
    window = make_window(autoload_model=False)
    mime = QMimeData()
    mime.setHtml(
        "<html><body><h1>Stor <b>brann</b> i Oslo</h1><p>Brannen startet <i>natt</i> til søndag.</p>"
        "<p>Ingen ble skadd, sier politiet.<br>Saken oppdateres.</p></body></html>"
    )
    mime.setText("fallback")
    window.original.insertFromMimeData(mime)
    # A whole page: extracted in the background, then loaded.
    qtbot.waitUntil(lambda: bool(window.original.toPlainText().strip()), timeout=10_000)
    text = window.original.toPlainText()
    assert "<" not in text and "fallback" not in text
    paras = [p for p in text.split("\n\n") if p.strip()]
    assert paras[0].strip() == "Stor brann i Oslo"
    assert any(p.startswith("Brannen startet natt til søndag.") for p in paras)
    assert any("Ingen ble skadd, sier politiet." in p for p in paras)
    # The pasted text is analysed like typed text: Norwegian bullets without a model.
    qtbot.waitUntil(lambda: bool(window.article is not None and window.article.sentences), timeout=10_000)


def test_plain_paste_is_inserted_unchanged(make_window) -> None:
    window = make_window(autoload_model=False)
    mime = QMimeData()
    mime.setText("Linje én\u00a0med NBSP\r\nog 😀 emoji")
    window.original.insertFromMimeData(mime)
    from desktop.widgets import plain_text

    assert plain_text(window.original) == "Linje én\u00a0med NBSP\nog 😀 emoji"


def test_drag_and_drop_of_a_file_opens_it(make_window, qtbot, tmp_path) -> None:
    window = make_window(autoload_model=False)
    path = _write(tmp_path)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    drop = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.original.dropEvent(drop)
    qtbot.waitUntil(
        lambda: window.article is not None and window.article.source.file == str(path), timeout=10_000
    )
    assert window.original.toPlainText() == ARTICLE


def test_no_model_banner_and_norwegian_bullets(make_window, qtbot, recorded_errors) -> None:
    window = make_window()  # no model installed in the isolated models folder
    qtbot.waitUntil(lambda: window.model_state == "missing", timeout=10_000)
    assert window.banner.isVisible()
    assert "No translation model" in window.banner.label.text()
    assert window.banner.secondary.isVisible()
    window.original.setPlainText(ARTICLE)
    window.analyse_now()
    qtbot.waitUntil(lambda: window.article is not None and window.bullets.count() > 0, timeout=10_000)
    art = window.article
    first = art.sentences[art.bullets[0].sentence]
    assert window.bullets.item(0).text() == " ".join(first.text.split())  # Norwegian
    window.translate()  # asks for the model instead of failing
    assert window.banner.isVisible() and not window.translating
    assert not recorded_errors


def test_settings_and_session_restored_on_next_start(
    make_window, ready_window, qtbot, tmp_path, tiny_model
) -> None:
    window = ready_window
    window.open_path(str(_write(tmp_path)))
    qtbot.waitUntil(lambda: _translated(window), timeout=60_000)
    window.resize(1400, 800)  # three columns: their widths are what is remembered
    qtbot.waitUntil(lambda: window.width() == 1400, timeout=5_000)
    window.splitter.setSizes([500, 450, 350])
    sizes = window.splitter.sizes()
    window.resize(760, 560)  # within the offscreen screen (800x600): Key facts go below
    qtbot.waitUntil(lambda: window.width() == 760, timeout=5_000)
    window.change_font(+2)
    font = window.font_size()
    translations = [s.translation for s in window.article.sentences]
    window.close()

    again = make_window(model=str(tiny_model), restore_session=True)
    assert again.original.toPlainText() == ARTICLE
    assert again.article is not None
    assert [s.translation for s in again.article.sentences] == translations
    assert again.translation.toPlainText() == layout_translation(again.article).text
    assert again.size().width() == 760 and again.size().height() == 560
    assert again.bullets_pane.parent() is again.outer
    again.resize(1400, 800)
    qtbot.waitUntil(lambda: again.width() == 1400, timeout=5_000)
    qtbot.wait(50)
    # The remembered three-column widths come back (give or take the splitter's rounding when
    # the Key facts pane is put back next to the languages).
    got = again.splitter.sizes()
    assert len(got) == 3 and all(abs(a - b) <= 30 for a, b in zip(got, sizes, strict=True)), (got, sizes)
    assert again.font_size() == font


def test_typing_is_autosaved_and_restored(make_window, qtbot) -> None:
    window = make_window(autoload_model=False)
    QTest.keyClicks(window.original, "Hei verden. Dette er en test.")
    qtbot.waitUntil(lambda: window.article is not None, timeout=10_000)
    window.save_session()
    window.close()
    again = make_window(autoload_model=False, restore_session=True)
    assert again.original.toPlainText() == "Hei verden. Dette er en test."


def test_keyboard_shortcuts_and_accessible_names(make_window, qtbot) -> None:
    window = make_window(autoload_model=False)

    def keys(act):
        return {k.toString() for k in act.shortcuts()}

    assert "Ctrl+O" in keys(window.commands.open)
    assert "Ctrl+Return" in keys(window.commands.translate)
    assert "Esc" in keys(window.commands.stop)
    assert "Ctrl+E" in keys(window.commands.export)
    assert "Ctrl+Shift+C" in keys(window.commands.copy)
    assert "Ctrl++" in keys(window.commands.zoom_in) and "Ctrl+-" in keys(window.commands.zoom_out)
    for w in (window.original, window.translation, window.bullets, window.progress):
        assert w.accessibleName()
    before = window.font_size()
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow())
    QTest.keyClick(window, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert window.font_size() == before + 1
    QTest.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert window.font_size() == before
    # Tab order: original -> translation -> key facts.
    window.original.setFocus()
    assert window.original.nextInFocusChain() is not None
    assert window.original.tabChangesFocus() and window.translation.tabChangesFocus()


def test_event_loop_never_blocks_during_translation(ready_window, qtbot, tmp_path) -> None:
    """A generous bound (1 s) that catches outright blocking; the benchmark reports the real gap."""
    window = ready_window
    gaps: list[float] = []
    last = [time.monotonic()]

    def tick() -> None:
        now = time.monotonic()
        if window.translating:  # only the gaps while the translator works count
            gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    window.open_path(str(_write(tmp_path, _unique_article(400))))
    qtbot.waitUntil(lambda: _translated(window), timeout=120_000)
    timer.stop()
    assert len(gaps) >= 5, "the timer must have ticked while translating"
    assert max(gaps) < 1.0, f"worst event-loop gap {max(gaps):.3f} s"


def test_failed_open_shows_a_message(make_window, qtbot, tmp_path, recorded_errors) -> None:
    window = make_window(autoload_model=False)
    window.open_path(str(tmp_path / "missing.txt"))
    qtbot.waitUntil(lambda: bool(recorded_errors), timeout=10_000)
    assert "missing.txt" in recorded_errors[0][1]
    assert window.original.toPlainText() == ""


def test_download_of_a_model_another_process_is_downloading_shows_the_message(
    make_window, qtbot, monkeypatch, recorded_errors
) -> None:
    """The store's per-model lock is held elsewhere: the normal failure path says so, in one line."""
    import socket

    from filelock import FileLock

    from models import store

    with socket.socket() as s:  # a port nobody listens on: were the lock ignored, this would show
        s.bind(("127.0.0.1", 0))
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{s.getsockname()[1]}")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    window = make_window(autoload_model=False)
    path = store.lock_path("gmq-en-base")
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path)
    lock.acquire()
    try:
        window.download_model("gmq-en-base")
        qtbot.waitUntil(lambda: bool(recorded_errors), timeout=15_000)
    finally:
        lock.release()
    title, message = recorded_errors[-1]
    assert title == "Download failed"
    assert message.startswith("gmq-en-base is already being downloaded by another Nordbrief process")
    assert "\n" not in message
    assert window._download_job is None and window.status_label.text() == message


def test_banner_download_shows_progress_then_loads_the_model(
    make_window, qtbot, monkeypatch, tiny_model
) -> None:
    from models import store

    window = make_window()
    qtbot.waitUntil(lambda: window.model_state == "missing", timeout=10_000)

    def fake_download(name=None, progress=None, cancel=None):
        for done in (0, 50, 100):
            progress(store.DownloadProgress(model="tiny", phase="download", done=done, total=100))
        return store.InstalledModel(name="tiny", path=tiny_model)

    monkeypatch.setattr(store, "download_model", fake_download)
    monkeypatch.setattr(window, "model_arg", str(tiny_model))  # what the store now resolves
    window.banner.action.click()
    qtbot.waitUntil(lambda: window.model_state == "ready", timeout=30_000)
    assert window.banner.progress.maximum() == 1000


def test_import_model_action_installs_off_the_gui_thread_and_loads_it(
    make_window, qtbot, monkeypatch, tiny_model
) -> None:
    """Translate › Import model… with a model folder: progress in the banner, the store installs it
    (the real import, in the background), the window loads it."""
    from models import store

    window = make_window()
    qtbot.waitUntil(lambda: window.model_state == "missing", timeout=10_000)
    assert window.banner.import_button.isVisible()  # the banner offers Import model… itself
    monkeypatch.setattr(dialogs, "ask_import_path", lambda parent, directory="": str(tiny_model))
    seen: list[str] = []
    real = window.banner.show_progress
    monkeypatch.setattr(
        window.banner, "show_progress", lambda text, frac: (seen.append(text), real(text, frac))
    )
    window.commands.import_model.trigger()
    assert window._download_job is not None  # returned at once: the work runs in the background
    qtbot.waitUntil(lambda: window.model_state == "ready", timeout=30_000)
    assert seen and seen[0].startswith("Importing the translation model")
    assert list(store.installed_models()) == ["tiny"]
    assert window.model_info is not None and window.model_info.name == "tiny"
    assert window._download_job is None


def test_import_model_failure_shows_the_message(
    make_window, qtbot, monkeypatch, tmp_path, recorded_errors
) -> None:
    from models import store

    window = make_window()
    qtbot.waitUntil(lambda: window.model_state == "missing", timeout=10_000)
    empty = tmp_path / "not-a-model"
    empty.mkdir()
    monkeypatch.setattr(dialogs, "ask_import_path", lambda parent, directory="": str(empty))
    window.commands.import_model.trigger()
    qtbot.waitUntil(lambda: bool(recorded_errors), timeout=15_000)
    title, message = recorded_errors[-1]
    assert title == "Import failed" and "not-a-model" in message and "\n" not in message
    assert window._download_job is None and store.installed_models() == {}
    assert window.banner.action.isVisible()  # the no-model banner is back, with its Download button
