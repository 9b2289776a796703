"""Keyboard-only use: every command of the window is driven from the keyboard here (its
shortcut, or its menu opened with Alt+mnemonic), and key facts / pane choices are remembered."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMenu

from desktop import dialogs
from desktop import settings as S
from tests.desktop.test_window import _translated, _unique_article, _write

Mod = Qt.KeyboardModifier


def _press(window: Any, key: str) -> None:
    """Type a shortcut the way a user does (through the window's shortcut map)."""
    from PySide6.QtGui import QKeySequence

    combo = QKeySequence(key)[0]
    QTest.keyClick(window, combo.key(), combo.keyboardModifiers())


def test_every_action_is_reachable_from_the_keyboard(make_window) -> None:
    """Each action has a shortcut or sits in a menu whose title and entry have a mnemonic."""
    window = make_window(autoload_model=False)
    reachable: set[int] = set()
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        assert "&" in menu_action.text(), menu_action.text()

        def walk(m: QMenu) -> None:
            for act in m.actions():
                if act.isSeparator():
                    continue
                if act.menu() is not None:
                    walk(act.menu())
                if "&" in act.text() or not act.shortcut().isEmpty():
                    reachable.add(id(act))

        walk(menu)
    commands = [a for a in vars(window.commands).values() if isinstance(a, QAction)]
    commands += [*window.commands.bullet_counts.values(), *window.commands.show_panes.values()]
    assert len(commands) > 25
    for act in commands:
        assert id(act) in reachable or not act.shortcut().isEmpty(), act.text()


def test_keyboard_only_session(ready_window, qtbot, tmp_path, monkeypatch) -> None:
    window = ready_window
    window.activateWindow()
    path = _write(tmp_path, _unique_article(24))
    monkeypatch.setattr(dialogs, "ask_open_file", lambda parent, directory="": str(path))
    _press(window, "Ctrl+O")  # open (translation starts by itself)
    qtbot.waitUntil(lambda: _translated(window), timeout=60_000)
    _press(window, "Ctrl+Return")  # translate again (from memory)
    _press(window, "Esc")  # stop
    qtbot.waitUntil(lambda: not window.translating, timeout=30_000)
    _press(window, "Ctrl+Return")
    qtbot.waitUntil(lambda: _translated(window), timeout=60_000)

    # Key facts: choose the count and order; remembered; new facts for the shown article.
    before = len(window.article.bullets)
    _press(window, "Ctrl+]")
    assert window.settings.get(S.BULLETS) == 6
    qtbot.waitUntil(lambda: len(window.article.bullets) == min(6, before + 1) or before >= 6, timeout=10_000)
    _press(window, "Ctrl+[")
    assert window.settings.get(S.BULLETS) == 5
    window.commands.order_importance.trigger()  # a menu entry (Alt+K, I from the keyboard)
    assert window.settings.get(S.BULLET_ORDER) == "importance"

    # Go to the key facts, pick one, edit its sentence's English (F2).
    qtbot.waitUntil(lambda: not window.tasks.active(), timeout=30_000)
    _press(window, "Alt+3")
    assert window.bullets.hasFocus() or window.focusWidget() is window.bullets
    QTest.keyClick(window.bullets, Qt.Key.Key_Down)
    QTest.keyClick(window.bullets, Qt.Key.Key_Up)
    assert window.linker.current is not None
    edits: list[int] = []

    def fake_edit(parent, norwegian, english, edited, check):
        edits.append(window.linker.current)
        return ("edit", "Edited by the keyboard.")

    monkeypatch.setattr(dialogs, "edit_english", fake_edit)
    _press(window, "F2")
    assert edits and window.article.sentences[edits[0]].edited

    # Export and copy.
    out = tmp_path / "summary.txt"
    monkeypatch.setattr(dialogs, "ask_save_file", lambda parent, name, fmt="markdown": str(out))
    _press(window, "Ctrl+E")
    assert out.is_file() and "Edited by the keyboard." in out.read_text(encoding="utf-8")
    _press(window, "Ctrl+Shift+C")
    from PySide6.QtGui import QGuiApplication

    assert "Edited by the keyboard." in QGuiApplication.clipboard().text()

    # Panes: hide the key facts (remembered), show them again; focus moves between panes.
    _press(window, "Ctrl+Alt+3")
    assert not window.bullets_pane.isVisible() and window.settings.get(S.HIDDEN_PANES) == ["facts"]
    _press(window, "Ctrl+Alt+3")
    assert window.bullets_pane.isVisible() and window.settings.get(S.HIDDEN_PANES) == []
    _press(window, "Alt+1")
    assert window.original.hasFocus()
    _press(window, "Alt+2")
    assert window.translation.hasFocus()
    size = window.font_size()
    _press(window, "Ctrl+=")
    assert window.font_size() == size + 1
    _press(window, "Ctrl+0")


def test_pane_and_key_fact_choices_survive_a_restart(make_window, tmp_path) -> None:
    settings = S.Settings(tmp_path / "desktop.ini")
    window = make_window(autoload_model=False, settings=settings)
    window.show_pane("translation", False)
    window.set_bullets(count=8, order="importance")
    window.close()
    again = make_window(autoload_model=False, settings=S.Settings(tmp_path / "desktop.ini"))
    assert not again.translation_pane.isVisible() and again.original_pane.isVisible()
    assert not again.commands.show_panes["translation"].isChecked()
    assert again.commands.bullet_counts[8].isChecked() and again.commands.order_importance.isChecked()
    # The last visible pane cannot be hidden.
    again.show_pane("original", False)
    again.show_pane("facts", False)
    assert sum(p.isVisible() for p in (again.original_pane, again.translation_pane, again.bullets_pane)) == 1
