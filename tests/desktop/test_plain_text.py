"""Error text is shown as plain text everywhere (issue 14, item 10, the GUI half).

An HTTP reason phrase (or any message built from what a server, a file or a model sent) that
looks like markup must be shown literally in the error box, the status bar, the banner, the
models dialog and tooltips, never rendered as rich text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel, QMessageBox

from desktop import dialogs, workers
from desktop.plain import plain_tooltip

HOSTILE = 'HTTP 404 <b>Not Found</b> <a href="https://evil.example/">click</a><img src="x.png">'
DESKTOP = Path(__file__).resolve().parents[2] / "desktop"


@pytest.fixture
def shown_boxes(monkeypatch: pytest.MonkeyPatch) -> list[QMessageBox]:
    """The real message boxes (``show_error`` un-replaced), captured instead of run modally."""
    monkeypatch.undo()  # the conftest's recorder replaces show_error: use the real one here
    boxes: list[QMessageBox] = []

    def fake_exec(self: QMessageBox) -> int:
        boxes.append(self)
        return int(QMessageBox.StandardButton.No)

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return boxes


def _shows_literally(label: QLabel, text: str) -> None:
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert label.text() == text


def test_a_failed_job_shows_its_message_as_plain_text(
    make_window: Any, qtbot: Any, shown_boxes: list
) -> None:
    window = make_window(autoload_model=False)
    window._job_error(workers.JobError(HOSTILE, user_error=True), title="Cannot open the page")
    assert len(shown_boxes) == 1
    box = shown_boxes[0]
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert box.text() == HOSTILE
    _shows_literally(window.status_label, HOSTILE)


def _rendered(label: QLabel) -> str:
    """What a rich-text label shows, as text."""
    if label.textFormat() == Qt.TextFormat.PlainText:
        return label.text()
    doc = QTextDocument()
    doc.setHtml(label.text())
    return doc.toPlainText().replace("\u00a0", " ")


def test_the_banner_and_the_model_label_are_plain(make_window: Any, qtbot: Any) -> None:
    window = make_window(autoload_model=False)
    window.banner.show_message(HOSTILE, kind="warning")
    assert _rendered(window.banner.label) == HOSTILE
    window.banner.show_progress(HOSTILE, 0.5)
    assert _rendered(window.banner.label) == HOSTILE
    window.model_label.setText(HOSTILE)
    _shows_literally(window.model_label, HOSTILE)


def test_a_model_problem_in_the_banner_is_shown_literally(make_window: Any, qtbot: Any) -> None:
    """The banner's own lead stays bold; the problem (an error message) is never markup."""
    window = make_window(autoload_model=False)
    window.show_no_model_banner(HOSTILE)
    shown = _rendered(window.banner.label)
    assert shown.startswith("The translation model cannot be used: " + HOSTILE)
    assert "<b>The translation model cannot be used:</b>" in window.banner.label.text()
    window.show_no_model_banner()
    assert _rendered(window.banner.label).startswith("No translation model installed. Key facts")


def test_the_models_dialog_shows_failures_as_plain_text(
    qtbot: Any, shown_boxes: list, monkeypatch: Any
) -> None:
    tasks = workers.TaskManager()
    dialog = dialogs.ModelsDialog(None, tasks)
    qtbot.addWidget(dialog)
    try:
        dialog._failed(workers.JobError(HOSTILE, user_error=True))
        _shows_literally(dialog.status, HOSTILE)
        assert shown_boxes and shown_boxes[-1].textFormat() == Qt.TextFormat.PlainText
    finally:
        tasks.shutdown()


@pytest.mark.parametrize("fn", ["show_info", "confirm"])
def test_every_message_box_is_plain(fn: str, shown_boxes: list) -> None:
    getattr(dialogs, fn)(None, "Title", HOSTILE)
    assert shown_boxes[-1].textFormat() == Qt.TextFormat.PlainText
    assert shown_boxes[-1].text() == HOSTILE


@pytest.mark.parametrize("text", [HOSTILE, "line 1\n\n  • indented <i>x</i> & y", "a < b > c"])
def test_plain_tooltips_render_as_the_text_itself(text: str) -> None:
    doc = QTextDocument()
    doc.setHtml(plain_tooltip(text))
    assert doc.toPlainText().replace("\u00a0", " ") == text
    assert plain_tooltip("") == ""


def test_no_message_box_is_built_outside_the_one_helper() -> None:
    """``desktop.plain.message_box`` is the one place: a ``QMessageBox(...)`` or a static
    ``QMessageBox.warning/critical/information/question/about`` elsewhere would guess the format."""
    pattern = re.compile(r"QMessageBox\(|QMessageBox\.(warning|critical|information|question|about)\(")
    offenders = [
        f"{p.name}:{i}"
        for p in sorted(DESKTOP.glob("*.py"))
        if p.name != "plain.py"
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
