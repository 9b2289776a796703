"""Desktop fixtures: windows that are always closed (their background work joined), and dialogs
replaced by recorders so no test ever blocks on a modal box."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytest.importorskip("PySide6")


@pytest.fixture(autouse=True)
def recorded_errors(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every error the window would show in a message box, as (title, message)."""
    from desktop import dialogs

    errors: list[tuple[str, str]] = []
    monkeypatch.setattr(
        dialogs, "show_error", lambda parent, title, msg, details="": errors.append((title, msg))
    )
    monkeypatch.setattr(dialogs, "show_info", lambda parent, title, msg: None)
    # The export dialog answers as a user pressing Export without changing anything.
    monkeypatch.setattr(dialogs, "ask_export_options", lambda parent, options, fmt: (options, fmt))
    return errors


@pytest.fixture
def make_window(qtbot: Any) -> Callable[..., Any]:
    """Build a MainWindow registered with qtbot (closed, and its workers joined, at teardown)."""
    from desktop.mainwindow import MainWindow

    def make(**kwargs: Any) -> MainWindow:
        kwargs.setdefault("restore_session", False)
        window = MainWindow(**kwargs)
        qtbot.addWidget(window)
        window.show()
        return window

    return make


@pytest.fixture
def ready_window(make_window: Callable[..., Any], qtbot: Any, tiny_model: Any) -> Any:
    """A window with the tiny model loaded."""
    window = make_window(model=str(tiny_model))

    def loaded() -> None:
        assert window.model_state == "ready"

    qtbot.waitUntil(loaded, timeout=30_000)
    return window
