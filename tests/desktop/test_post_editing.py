"""Post-editing in the window: F2 edits the current sentence's English, the edit is kept over
re-translation, in the session and the export, and fact-checked as it is typed (debounced, off
the GUI thread)."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop import dialogs
from models import export
from models.article import Article
from tests.desktop.test_window import _translated, _write

TEXT = (
    "Ny bro åpnet i Bergen\n\n"
    "Bergen kommune åpnet mandag en ny bro. Broen kostet 410 millioner kroner.\n\n"
    "Trafikken vil øke med 30 prosent."
)


def test_keyboard_edit_is_kept_checked_and_exported(ready_window, qtbot, tmp_path, monkeypatch) -> None:
    window = ready_window
    window.open_path(str(_write(tmp_path, TEXT)))
    qtbot.waitUntil(lambda: _translated(window), timeout=60_000)
    art = window.article
    target = next(s.index for s in art.sentences if "410" in s.text)
    window.linker.select(target)
    findings: list[list[Any]] = []

    def fake_edit(parent, norwegian, english, edited, check):
        assert "410" in norwegian and not edited
        check("The bridge cost 41 million kroner.", findings.append)  # what a typo finds
        qtbot.waitUntil(lambda: bool(findings), timeout=10_000)
        return ("edit", "The bridge cost 410 million kroner.")

    monkeypatch.setattr(dialogs, "edit_english", fake_edit)
    QTest.keyClick(window, Qt.Key.Key_F2)
    assert findings and findings[0], "the typo (41 for 410) is flagged while typing"
    s = art.sentences[target]
    assert s.edited and s.translation == "The bridge cost 410 million kroner."
    assert "The bridge cost 410 million kroner." in window.translation.toPlainText()
    qtbot.waitUntil(lambda: not window.tasks.active(), timeout=10_000)
    assert not [d for d in s.flag_details if "410" in d.detail]
    # Re-translating keeps the edit; the session and the export carry it.
    window.translate()
    qtbot.waitUntil(lambda: _translated(window), timeout=60_000)
    assert s.translation == "The bridge cost 410 million kroner." and s.edited
    again = Article.from_json({**art.to_json(), "text": art.text})
    assert again.sentences[target].edited
    assert "Edited by hand: the English of 1 of" in export.render_text(art)


def test_the_dialog_rechecks_after_a_pause_off_the_gui_thread(make_window, qtbot) -> None:
    window = make_window(autoload_model=False)
    threads: list[str] = []
    calls: list[str] = []

    def check(text: str, done: Any) -> None:
        calls.append(text)

        def job(token: Any) -> list[Any]:
            threads.append(threading.current_thread().name)
            return []

        window.tasks.run("check-edit", job, on_success=done)

    dlg = dialogs.EditEnglishDialog(window, "Broen kostet 410 millioner kroner.", "The bridge.", True, check)
    qtbot.addWidget(dlg)
    dlg.show()
    assert calls == ["The bridge."]  # the text as opened
    qtbot.waitUntil(lambda: "match" in dlg.findings.text(), timeout=10_000)
    dlg.editor.setFocus()
    QTest.keyClicks(dlg.editor, " cost 410")
    assert len(calls) == 1  # not per keystroke
    qtbot.waitUntil(lambda: len(calls) == 2, timeout=5_000)
    assert calls[-1] == "The bridge. cost 410"
    assert threads and all(t != threading.main_thread().name for t in threads)
    QTest.keyClick(dlg.revert_button, Qt.Key.Key_Space)
    assert dlg.result_value == ("revert", None)
