"""Text from outside shown as plain text, everywhere (issue 14, item 10).

Qt guesses: a ``QLabel``, a ``QMessageBox`` or a tooltip whose text merely looks like markup
(``Qt.mightBeRichText``) is rendered as HTML, so an HTTP reason phrase such as
``<b>Moved</b> <a href=…>`` or a model's license text would be shown bold, linked or laid out
as their author chose. Error text, notices and anything read from files, pages or models go
through these helpers instead: labels and message boxes with ``Qt.PlainText``, tooltips (which
have no format setting) escaped into a ``white-space: pre-wrap`` paragraph (Qt's
``convertFromPlainText`` either collapses spaces or never wraps).
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget


def plain_label(label: QLabel) -> QLabel:
    """``label`` shows its text literally, whatever is set later."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def plain_html(text: str, lead: str | None = None) -> str:
    """Rich text that shows ``text`` literally (spaces and line breaks kept), after an optional
    bold ``lead``: for places that need a little markup of the app's own around outside text."""
    bold = f"<b>{html.escape(lead, quote=False)}</b> " if lead else ""
    return f"<p style='white-space:pre-wrap'>{bold}{html.escape(text, quote=False)}</p>"


def plain_tooltip(text: str) -> str:
    """A tooltip that shows ``text`` literally, line breaks kept ("" stays "": no tooltip)."""
    return plain_html(text) if text else ""


def message_box(
    icon: QMessageBox.Icon,
    title: str,
    message: str,
    buttons: QMessageBox.StandardButton = QMessageBox.StandardButton.Ok,
    parent: QWidget | None = None,
    details: str = "",
) -> QMessageBox:
    """The one way the app builds a message box: its text is plain (details always are)."""
    box = QMessageBox(icon, title, message, buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    if details:
        box.setDetailedText(details)
    return box


__all__ = ["message_box", "plain_html", "plain_label", "plain_tooltip"]
