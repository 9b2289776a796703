"""The no-model banner offers Import model… (by keyboard too), and the export dialog shows what
goes into the file, the full translation included, starting from the last choices."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop import dialogs
from desktop import settings as S
from models import pipeline

ARTICLE = (
    "Ny bro åpnet i Bergen\n\n"
    "Bergen kommune åpnet mandag en ny bro over Puddefjorden. Broen kostet 410 millioner kroner.\n\n"
    "Statens vegvesen venter at trafikken over broen vil øke med 30 prosent innen 2030."
)


def test_no_model_banner_offers_import_reachable_by_keyboard(make_window, qtbot, monkeypatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "ask_import_path", lambda parent, directory="": asked.append("asked"))
    window = make_window()  # no model installed in the isolated models folder
    qtbot.waitUntil(lambda: window.model_state == "missing", timeout=10_000)
    button = window.banner.import_button
    assert window.banner.isVisible() and button.isVisible()
    assert button.text().replace("&", "") == "Import model…" and button.accessibleName()
    # Tab from the banner's first button reaches it; Space presses it.
    window.activateWindow()
    window.banner.action.setFocus()
    qtbot.waitUntil(window.banner.action.hasFocus, timeout=2_000)
    QTest.keyClick(window.banner.action, Qt.Key.Key_Tab)
    assert button.hasFocus()
    QTest.keyClick(button, Qt.Key.Key_Space)
    assert asked == ["asked"]
    # A download in progress hides it (the banner then only offers Cancel).
    window.banner.show_progress("Downloading…", None)
    assert not button.isVisible()


def test_export_dialog_shows_the_full_translation_option_and_remembers(
    ready_window, qtbot, tmp_path, monkeypatch
) -> None:
    window = ready_window
    path = tmp_path / "bro.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    window.open_path(str(path))
    qtbot.waitUntil(
        lambda: window.article is not None and all(s.translation for s in window.article.sentences),
        timeout=60_000,
    )
    assert window.settings.get(S.EXPORT_TRANSLATION) is False
    seen: list[tuple[bool, bool, bool, str]] = []

    def real_dialog(parent: Any, options: pipeline.ExportOptions, fmt: str) -> Any:
        """The real dialog, driven by the keyboard: Tab and Space tick the full English
        translation, Tab and Down pick plain text, Enter exports."""
        dlg = dialogs.ExportDialog(parent, options, fmt)
        qtbot.addWidget(dlg)
        dlg.show()
        dlg.activateWindow()
        qtbot.waitExposed(dlg)
        qtbot.waitUntil(dlg.isActiveWindow, timeout=2_000)
        assert dlg.translation.isVisible() and "translation" in dlg.translation.text()
        seen.append((dlg.source.isChecked(), dlg.translation.isChecked(), dlg.original.isChecked(), fmt))
        if not dlg.translation.isChecked():
            dlg.source.setFocus()
            QTest.keyClick(dlg.source, Qt.Key.Key_Tab)
            assert dlg.translation.hasFocus()
            QTest.keyClick(dlg.translation, Qt.Key.Key_Space)
            assert dlg.translation.isChecked()
            QTest.keyClick(dlg.translation, Qt.Key.Key_Tab)
            QTest.keyClick(dlg.original, Qt.Key.Key_Tab)
            assert dlg.format.hasFocus()
            QTest.keyClick(dlg.format, Qt.Key.Key_Down)
        assert dlg.export_button.isDefault()
        QTest.keyClick(dlg.focusWidget() or dlg, Qt.Key.Key_Return)
        assert dlg.result() == dialogs.QDialog.DialogCode.Accepted
        return dlg.choice()

    monkeypatch.setattr(dialogs, "ask_export_options", real_dialog)
    out = tmp_path / "summary"
    names: list[str] = []

    def save(parent: Any, name: str, fmt: str = "markdown") -> str:
        names.append(name)
        return str(out.with_suffix(".txt" if fmt == "text" else ".md"))

    monkeypatch.setattr(dialogs, "ask_save_file", save)
    window.export_dialog()
    written = out.with_suffix(".txt").read_text(encoding="utf-8")
    english = window.article.sentences[-1].translation
    assert " ".join(english.split()) in " ".join(written.split())  # the full translation is in it
    assert names[0].endswith(".txt")
    # Remembered: the settings, the File menu toggle and the next dialog all start from it.
    assert window.settings.get(S.EXPORT_TRANSLATION) is True
    assert window.settings.get(S.EXPORT_FORMAT) == "text"
    assert window.commands.opt_translation.isChecked()
    window.export_dialog()
    assert seen[0] == (True, False, False, "markdown") and seen[1] == (True, True, False, "text")


def test_export_dialog_mnemonics(qtbot) -> None:
    """Alt+E ticks the full English translation, Alt+N the original; Enter exports."""
    dlg = dialogs.ExportDialog(None, pipeline.ExportOptions(), "markdown")
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.activateWindow()
    qtbot.waitExposed(dlg)
    qtbot.waitUntil(dlg.isActiveWindow, timeout=2_000)
    QTest.keyClick(dlg, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(dlg.translation.isChecked, timeout=2_000)  # a mnemonic animates its click
    QTest.keyClick(dlg, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(dlg.original.isChecked, timeout=2_000)
    QTest.keyClick(dlg.focusWidget(), Qt.Key.Key_Return)
    assert dlg.result() == dialogs.QDialog.DialogCode.Accepted
    options, fmt = dlg.choice()
    assert (options.include_source, options.include_translation, options.include_original, fmt) == (
        True,
        True,
        True,
        "markdown",
    )
