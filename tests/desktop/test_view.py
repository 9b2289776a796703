"""How the window presents things: zoom keys, headings, the key-facts list, paste, accessibility,
contrast of the highlight colours in a dark theme, and autosave off the GUI thread."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QColor, QFont, QPalette, QTextCharFormat
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QMenu, QStyleOptionViewItem

from desktop import session
from desktop import settings as S
from desktop.widgets import SOURCE_ROLE, contrast_ratio, plain_text
from models import pipeline

ARTICLE = (
    "Ny bro åpnet i Bergen\n\n"
    "Bergen kommune åpnet mandag en ny bro over Puddefjorden. Broen kostet 410 millioner kroner.\n\n"
    "Ordfører Marte Mjøs Persen sa at broen vil korte ned reisetiden for 12 000 syklister hver dag. "
    "Arbeidet startet i 2021.\n\n"
    "Trafikk\n\n"
    "Statens vegvesen venter at trafikken over broen vil øke med 30 prosent innen 2030."
)

M = Qt.KeyboardModifier


def _write(tmp_path: Path, text: str = ARTICLE) -> Path:
    path = tmp_path / "artikkel.txt"
    path.write_text(text, encoding="utf-8")
    return path


def _translated(window: Any) -> None:
    assert window.article is not None and not window.translating and window.article.sentences
    assert all(s.translation is not None for s in window.article.sentences)


def _analysed(window: Any) -> None:
    assert window.article is not None and window.article.sentences


def _sizes(window: Any) -> set[float]:
    return {w.font().pointSizeF() for w in (window.original, window.translation, window.bullets)}


# ----- zoom -------------------------------------------------------------------------------------


def test_zoom_actions_apply_to_all_panes_and_persist(make_window) -> None:
    window = make_window(autoload_model=False)
    start = window.font_size()
    initial = _sizes(window)
    assert len(initial) == 1
    window.commands.zoom_in.trigger()
    window.commands.zoom_in.trigger()
    assert _sizes(window) == {start + 2}
    window.commands.zoom_out.trigger()
    assert _sizes(window) == {start + 1}
    assert window.settings.get(S.FONT_SIZE) == start + 1
    window.close()
    again = make_window(autoload_model=False)  # same (temporary) settings file
    assert _sizes(again) == {start + 1}
    again.commands.zoom_reset.trigger()
    assert again.settings.get(S.FONT_SIZE) == 0 and _sizes(again) == initial


@pytest.mark.parametrize(
    ("key", "mods", "delta"),
    [
        (Qt.Key.Key_Plus, M.ControlModifier, +1),  # Ctrl++ (Norwegian layout: its own key)
        (Qt.Key.Key_Plus, M.ControlModifier | M.ShiftModifier, +1),  # US layout: Ctrl+Shift+=
        (Qt.Key.Key_Equal, M.ControlModifier, +1),  # Ctrl+= (the unshifted key)
        (Qt.Key.Key_Plus, M.ControlModifier | M.KeypadModifier, +1),  # keypad
        (Qt.Key.Key_Minus, M.ControlModifier, -1),
        (Qt.Key.Key_Minus, M.ControlModifier | M.KeypadModifier, -1),
    ],
)
def test_zoom_keys_work_from_every_pane(make_window, qtbot, key, mods, delta) -> None:
    window = make_window(autoload_model=False)
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow())
    for pane in (window.original, window.translation, window.bullets):
        pane.setFocus()
        qtbot.waitUntil(lambda p=pane: p.hasFocus())
        before = window.font_size()
        QTest.keyClick(pane, key, mods)
        assert window.font_size() == before + delta, pane.accessibleName()
        assert len(_sizes(window)) == 1
    assert plain_text(window.original) == ""  # no key reached the editor as text
    QTest.keyClick(window.original, Qt.Key.Key_0, M.ControlModifier)
    assert window.settings.get(S.FONT_SIZE) == 0


# ----- headings ---------------------------------------------------------------------------------


def _block_formats(edit: Any, pos: int) -> list[Any]:
    block = edit.document().findBlock(pos)
    ranges = block.layout().formats()
    return [(r.start + block.position(), r.length, QTextCharFormat(r.format)) for r in ranges]


def _bold_larger(formats: list[Any], span: tuple[int, int], base: QFont) -> bool:
    for start, length, fmt in formats:
        if start <= span[0] and start + length >= span[1]:
            return fmt.fontWeight() >= QFont.Weight.Bold and fmt.fontPointSize() > base.pointSizeF()
    return False


def test_headings_are_bold_and_larger_without_changing_the_text(ready_window, qtbot, tmp_path) -> None:
    window = ready_window
    window.open_path(str(_write(tmp_path)))
    qtbot.waitUntil(lambda: _translated(window), timeout=60_000)
    art = window.article
    heads = [s for s in art.sentences if s.heading]
    body = [s for s in art.sentences if not s.heading]
    assert {s.text for s in heads} >= {"Ny bro åpnet i Bergen", "Trafikk"}
    base = window.original.font()
    for s in heads:
        span = window.original_span(s.index)
        assert _bold_larger(_block_formats(window.original, span[0]), span, base), s.text
        tspan = window.translation_span(s.index)
        assert _bold_larger(_block_formats(window.translation, tspan[0]), tspan, base), s.text
    for s in body:
        span = window.original_span(s.index)
        assert not _block_formats(window.original, span[0])  # body text keeps the pane's format
    # Display formats only: the Original is exactly what was opened and nothing is undoable.
    assert plain_text(window.original) == ARTICLE
    assert not window.original.document().isUndoAvailable()
    assert window.article is art  # no spurious textChanged dropped the analysis
    # Zoom keeps headings larger than the new body size.
    window.change_font(+3)
    span = window.original_span(heads[0].index)
    assert _bold_larger(_block_formats(window.original, span[0]), span, window.original.font())
    assert window.article is art


# ----- key facts --------------------------------------------------------------------------------


def test_key_facts_show_english_with_the_norwegian_source_beneath(ready_window, qtbot, tmp_path) -> None:
    window = ready_window
    window.open_path(str(_write(tmp_path)))
    qtbot.waitUntil(lambda: _translated(window), timeout=60_000)
    art = window.article
    lst = window.bullets
    assert lst.count() == len(art.bullets) > 0
    delegate = lst.itemDelegate()
    opt = QStyleOptionViewItem()
    opt.initFrom(lst.viewport())
    opt.widget = lst
    opt.font = lst.font()
    for row, b in enumerate(art.bullets):
        s = art.sentences[b.sentence]
        item = lst.item(row)
        assert item.text() == " ".join(s.translation.split())
        assert item.data(SOURCE_ROLE) == " ".join(s.text.split())
        assert s.text.split()[0] in item.data(Qt.ItemDataRole.AccessibleTextRole)
        if s.flags:
            assert all(d.detail in item.toolTip() for d in s.flag_details)
        # Two text blocks: the item is taller than its English line alone.
        index = lst.model().index(row, 0)
        with_source = delegate.sizeHint(opt, index).height()
        item.setData(SOURCE_ROLE, "")
        assert delegate.sizeHint(opt, index).height() < with_source
        item.setData(SOURCE_ROLE, " ".join(s.text.split()))


def test_key_facts_wrap_to_the_list_width(qtbot) -> None:
    from PySide6.QtWidgets import QListWidgetItem

    from desktop.widgets import BulletList

    lst = BulletList()
    qtbot.addWidget(lst)
    item = QListWidgetItem(
        "The municipality opened a new bridge over the fjord on Monday, costing 410 million."
    )
    item.setData(
        SOURCE_ROLE, "Bergen kommune åpnet mandag en ny bro over Puddefjorden; den kostet 410 millioner."
    )
    lst.addItem(item)
    lst.show()
    opt = QStyleOptionViewItem()
    opt.initFrom(lst.viewport())
    opt.widget = lst
    opt.font = lst.font()
    index = lst.model().index(0, 0)
    heights = []
    for width in (900, 220):
        lst.resize(width, 300)
        qtbot.waitUntil(lambda w=width: lst.width() == w)
        hint = lst.itemDelegate().sizeHint(opt, index)
        assert hint.width() <= lst.viewport().width()  # never wider than the list: it wraps
        heights.append(hint.height())
    assert heights[1] > heights[0]


def test_key_facts_before_translation_show_only_norwegian(make_window, qtbot) -> None:
    window = make_window(autoload_model=False)
    window.original.setPlainText(ARTICLE)
    window.analyse_now()
    qtbot.waitUntil(lambda: window.bullets.count() > 0, timeout=10_000)
    art = window.article
    for row, b in enumerate(art.bullets):
        item = window.bullets.item(row)
        assert item.text() == " ".join(b.text.split())
        assert item.data(SOURCE_ROLE) == ""
    assert "Norwegian" in window.bullets_pane.header.note.text()


def test_key_facts_keyboard_navigation_selects_the_source(make_window, qtbot) -> None:
    window = make_window(autoload_model=False)
    window.original.setPlainText(ARTICLE)
    window.analyse_now()
    qtbot.waitUntil(lambda: window.bullets.count() >= 2, timeout=10_000)
    art = window.article
    lst = window.bullets
    window.activateWindow()
    lst.setFocus()
    qtbot.waitUntil(lst.hasFocus)
    lst.setCurrentRow(0)
    assert window.current_sentence() == art.bullets[0].sentence
    QTest.keyClick(lst, Qt.Key.Key_Down)
    assert lst.currentRow() == 1 and window.current_sentence() == art.bullets[1].sentence
    # Enter on a row (reached without a selection change) selects its source sentence too.
    window.select_sentence(art.bullets[0].sentence)
    lst.blockSignals(True)
    lst.setCurrentRow(1)
    lst.blockSignals(False)
    assert window.current_sentence() == art.bullets[0].sentence
    QTest.keyClick(lst, Qt.Key.Key_Return)
    assert window.current_sentence() == art.bullets[1].sentence
    span = window.original_span(art.bullets[1].sentence)
    assert span in [
        (x.cursor.selectionStart(), x.cursor.selectionEnd()) for x in window.original.extraSelections()
    ]


# ----- paste ------------------------------------------------------------------------------------


def _paste_html(window: Any, html: str, text: str = "") -> str:
    mime = QMimeData()
    mime.setHtml(html)
    if text:
        mime.setText(text)
    window.original.insertFromMimeData(mime)
    return plain_text(window.original)


def test_paste_of_a_fragment_keeps_exactly_its_paragraphs(make_window) -> None:
    window = make_window(autoload_model=False)
    html = (
        "<meta charset='utf-8'><h2>Stor <b>brann</b> i Oslo</h2>"
        "<p>Brannen startet <i>natt</i> til   søndag.</p>"
        "<p>Ingen ble skadd.<br>Saken oppdateres.</p>"
        "<ul><li>Tre biler</li><li>Ett hus</li></ul>"
        "<div>Politiet&nbsp;etterforsker.</div>"
    )
    text = _paste_html(window, html, text="plain fallback")
    assert text.split("\n\n") == [
        "Stor brann i Oslo",
        "Brannen startet natt til søndag.",
        "Ingen ble skadd.\nSaken oppdateres.",
        "Tre biler",
        "Ett hus",
        "Politiet etterforsker.",
    ]


def test_paste_of_a_windows_clipboard_fragment_takes_only_the_selection(make_window) -> None:
    window = make_window(autoload_model=False)
    html = (
        "<html><body><nav>Meny</nav><!--StartFragment--><p>Første avsnitt.</p>"
        "<p>Andre avsnitt.</p><!--EndFragment--><footer>Bunntekst</footer></body></html>"
    )
    assert _paste_html(window, html).split("\n\n") == ["Første avsnitt.", "Andre avsnitt."]


def _big_page(article: str) -> str:
    """A whole news page as a browser copies it: chrome around the article, ~200 KB of markup."""
    paras = [p.strip() for p in article.split("\n\n") if p.strip()]
    nav = "".join(f"<li><a href='/seksjon/{i}'>Seksjon {i}</a></li>" for i in range(400))
    teasers = "".join(
        f"<div class='teaser'><a href='/sak/{i}'><img src='/b/{i}.jpg' alt=''>"
        f"<span>Les også: sak nummer {i} fra redaksjonen</span></a></div>"
        for i in range(600)
    )
    body = "".join(f"<p>{p}</p>" for p in paras[1:])
    return (
        f"<!doctype html><html><head><title>{paras[0]}</title>"
        "<meta property='og:site_name' content='Avisa'><script>var ads = 1;</script></head><body>"
        f"<header><nav><ul>{nav}</ul></nav></header>"
        f"<main><article><h1>{paras[0]}</h1>{body}</article></main>"
        f"<aside>{teasers}</aside><footer>Personvern og informasjonskapsler</footer></body></html>"
    )


def _record_extraction_threads(monkeypatch: pytest.MonkeyPatch) -> list[threading.Thread]:
    threads: list[threading.Thread] = []
    real = pipeline.article_from_html

    def recording(html: str, url: str | None = None) -> Any:
        threads.append(threading.current_thread())
        return real(html, url)

    monkeypatch.setattr(pipeline, "article_from_html", recording)
    return threads


def test_paste_of_a_big_page_is_extracted_off_the_gui_thread_and_loaded(
    make_window, qtbot, seed_article: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window(autoload_model=False)
    html = _big_page(seed_article.read_text(encoding="utf-8"))
    assert len(html) > 100_000
    expected = pipeline.article_from_html(html)
    threads = _record_extraction_threads(monkeypatch)
    mime = QMimeData()
    mime.setHtml(html)
    mime.setText("the browser's plain text")
    window.original.insertFromMimeData(mime)

    def loaded() -> None:
        assert window.article is not None and window.article.bullets
        assert plain_text(window.original) == expected.text

    qtbot.waitUntil(loaded, timeout=30_000)
    assert threads and all(t is not threading.main_thread() for t in threads)
    text = plain_text(window.original)
    assert "Seksjon 12" not in text and "Les også" not in text and "Personvern" not in text
    # Loaded like an opened page: its metadata is kept for the export's provenance.
    assert window.article.source.title == expected.source.title


def test_paste_of_a_page_into_existing_text_inserts_the_article_at_the_caret(
    make_window, qtbot, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window(autoload_model=False)
    window.original.setPlainText("Innledning.\n\n")
    window.original.moveCursor(window.original.textCursor().MoveOperation.End)
    html = (
        "<!doctype html><html><head><title>Ny bro i Bergen</title></head><body>"
        "<nav><a href='/'>Forsiden</a> <a href='/sport'>Sport</a></nav>"
        "<article><h1>Ny bro i Bergen</h1>"
        "<p>Bergen kommune åpnet mandag en ny bro over Puddefjorden. Broen kostet 410 millioner kroner.</p>"
        "<p>Ordfører Marte Mjøs Persen sa at broen vil korte ned reisetiden for tusenvis av syklister.</p>"
        "</article><footer>Personvern og informasjonskapsler</footer></body></html>"
    )
    extracted = pipeline.article_from_html(html).text
    threads = _record_extraction_threads(monkeypatch)
    mime = QMimeData()
    mime.setHtml(html)
    window.original.insertFromMimeData(mime)

    def inserted() -> None:
        assert plain_text(window.original) == "Innledning.\n\n" + extracted

    qtbot.waitUntil(inserted, timeout=15_000)
    assert threads and threads[0] is not threading.main_thread()
    assert "Forsiden" not in extracted and "Personvern" not in extracted
    window.original.undo()  # an ordinary edit: one undo takes the pasted article out again
    assert plain_text(window.original) == "Innledning.\n\n"


def test_paste_of_a_page_without_article_text_fails_with_a_message(
    make_window, qtbot, recorded_errors: list[tuple[str, str]]
) -> None:
    window = make_window(autoload_model=False)
    mime = QMimeData()
    mime.setHtml("<!doctype html><html><body><nav></nav><script>x()</script></body></html>")
    window.original.insertFromMimeData(mime)

    def failed() -> None:
        assert recorded_errors and recorded_errors[-1][0] == "Cannot paste the page"

    qtbot.waitUntil(failed, timeout=15_000)
    assert plain_text(window.original) == ""
    assert window.status_label.text() == recorded_errors[-1][1]


# ----- accessibility ----------------------------------------------------------------------------


def _walk(menu: QMenu, path: str, problems: list[str]) -> None:
    for act in menu.actions():
        if act.isSeparator() or not act.isVisible():
            continue
        sub = act.menu()
        if sub is not None:
            if "&" not in act.text():
                problems.append(f"{path} > {act.text()} (submenu without mnemonic)")
            sub.aboutToShow.emit()
            _walk(sub, f"{path} > {act.text()}", problems)
        elif act.isEnabled() and act.shortcut().isEmpty() and "&" not in act.text():
            problems.append(f"{path} > {act.text()}")


def test_every_menu_action_has_a_shortcut_or_a_mnemonic(make_window, tmp_path) -> None:
    window = make_window(autoload_model=False)
    window.settings.add_recent(str(_write(tmp_path)))
    problems: list[str] = []
    for top in window.menuBar().actions():
        assert "&" in top.text(), top.text()
        _walk(top.menu(), top.text(), problems)
    assert problems == []


def test_accessible_names_and_tab_order(make_window, qtbot) -> None:
    window = make_window(autoload_model=False)
    named = [
        window.original,
        window.translation,
        window.bullets,
        window.progress,
        window.banner,
        window.banner.progress,
        window.original_pane,
        window.translation_pane,
        window.bullets_pane,
    ]
    assert all(w.accessibleName() for w in named)
    window.show_no_model_banner()
    buttons = [b for b in window.findChildren(QAbstractButton) if b.isVisible()]
    assert len(buttons) >= 8 and all(b.accessibleName() for b in buttons), [
        b.text() for b in buttons if not b.accessibleName()
    ]
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow())
    window.original.setFocus()
    qtbot.waitUntil(window.original.hasFocus)
    QTest.keyClick(window.original, Qt.Key.Key_Tab)
    assert window.translation.hasFocus()
    QTest.keyClick(window.translation, Qt.Key.Key_Tab)
    assert window.bullets.hasFocus()
    QTest.keyClick(window.bullets, Qt.Key.Key_Backtab, M.ShiftModifier)
    assert window.translation.hasFocus()


# ----- dark theme -------------------------------------------------------------------------------


def _palette(base: str, text: str, highlight: str, window_bg: str) -> QPalette:
    pal = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, window_bg),
        (QPalette.ColorRole.WindowText, text),
        (QPalette.ColorRole.Base, base),
        (QPalette.ColorRole.AlternateBase, window_bg),
        (QPalette.ColorRole.Text, text),
        (QPalette.ColorRole.Button, window_bg),
        (QPalette.ColorRole.ButtonText, text),
        (QPalette.ColorRole.Highlight, highlight),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
    ):
        pal.setColor(role, QColor(colour))
    return pal


@pytest.mark.parametrize(
    "pal",
    [
        pytest.param(("#1e1e1e", "#e8e8e8", "#2f65ca", "#2b2b2b"), id="dark"),
        pytest.param(("#121212", "#dddddd", "#3874d8", "#181818"), id="near-black"),
        pytest.param(("#ffffff", "#1a1a1a", "#3daee9", "#efefef"), id="light"),
    ],
)
def test_highlight_colours_contrast_with_the_theme(make_window, qtbot, pal) -> None:
    window = make_window(autoload_model=False)
    window.setPalette(_palette(*pal))
    base, text = QColor(pal[0]), QColor(pal[1])
    window.original.setPlainText(ARTICLE)
    window.analyse_now()
    qtbot.waitUntil(lambda: _analysed(window), timeout=10_000)
    window.select_sentence(1)
    colours = window._colors()
    for name in ("current", "flag_bg"):
        assert contrast_ratio(colours[name], base) >= 1.5, name
        assert contrast_ratio(colours[name], text) >= 4.5, name  # text on it stays readable
    # What is painted is what was checked (recomputed for the new palette).
    selections = window.original.extraSelections()
    painted = QTextCharFormat(selections[0].format).background().color()
    assert painted == colours["current"]
    banner_bg = window.banner.palette().color(QPalette.ColorRole.Window)
    assert contrast_ratio(banner_bg, QColor(pal[1])) >= 4.5


# ----- autosave ---------------------------------------------------------------------------------


def test_autosave_writes_off_the_gui_thread_and_keeps_the_latest(make_window, qtbot, monkeypatch) -> None:
    real = session.write_atomic
    writes: list[tuple[str, str]] = []

    def slow_write(path: Any, data: str) -> Any:
        time.sleep(0.4)  # a slow disk / fsync
        writes.append((threading.current_thread().name, data))
        return real(path, data)

    monkeypatch.setattr(session, "write_atomic", slow_write)
    window = make_window(autoload_model=False)
    texts = ["Første utkast.", "Andre utkast.", "Tredje utkast."]
    t0 = time.monotonic()
    for t in texts:
        window.original.setPlainText(t)
        window.save_session()
    assert time.monotonic() - t0 < 0.3, "the GUI thread waited for the disk"
    qtbot.waitUntil(lambda: not window.autosaving, timeout=10_000)
    assert writes and all(name != threading.main_thread().name for name, _ in writes)
    assert len(writes) <= 2  # the middle snapshot was superseded while the first was written
    saved = session.load()
    assert saved is not None and saved.text == texts[-1]
    # The previous good session is kept as the backup.
    assert session.load(session.backup_path()) is not None


def test_close_during_a_slow_autosave_keeps_the_newest_text(make_window, qtbot, monkeypatch) -> None:
    real = session.write_atomic

    def slow_write(path: Any, data: str) -> Any:
        time.sleep(0.3)
        return real(path, data)

    monkeypatch.setattr(session, "write_atomic", slow_write)
    window = make_window(autoload_model=False)
    window.original.setPlainText("Gammel tekst.")
    window.save_session()
    window.original.setPlainText("Ny tekst som ikke må gå tapt.")
    window.close()  # waits for the write in flight, then saves the newest state
    saved = session.load()
    assert saved is not None and saved.text == "Ny tekst som ikke må gå tapt."


def test_failed_autosave_is_reported_in_the_status_bar(
    make_window, qtbot, monkeypatch, recorded_errors
) -> None:
    from models.errors import OutputError

    def failing(path: Any, data: str) -> Any:
        raise OutputError("cannot write session.json: disk full")

    monkeypatch.setattr(session, "write_atomic", failing)
    window = make_window(autoload_model=False)
    window.original.setPlainText("Tekst.")
    window.save_session()
    qtbot.waitUntil(lambda: "Autosave failed" in window.status_label.text(), timeout=10_000)
    assert "disk full" in window.status_label.text() and not recorded_errors


def test_streaming_does_not_move_the_users_place(ready_window, qtbot, tmp_path) -> None:
    """Appending to the translation moves that pane's caret when it sits at the end; the window
    must not take that for the user selecting a sentence (which would scroll the Original)."""
    window = ready_window
    window.open_path(str(_write(tmp_path)))
    qtbot.waitUntil(lambda: _translated(window), timeout=60_000)
    assert window.current_sentence() is None
    assert window.original.textCursor().position() == 0
    assert window.original.extraSelections() == []
