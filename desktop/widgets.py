"""The window's building blocks: the three panes, their headers and the status banner.

Widgets hold no engine logic: they show text, report what the user did through signals, and
convert rich clipboard content to plain text.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QFont, QHelpEvent, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from models.textio import normalise_newlines


def plain_text(edit: QPlainTextEdit) -> str:
    """The editor's text exactly as typed (``toPlainText`` would turn no-break spaces into spaces)."""
    return edit.document().toRawText().replace("\u2029", "\n")


def html_to_plain(html: str) -> str:
    """Rich text -> plain text with paragraph breaks kept (blank line between blocks).

    Uses the import engine's news-page extraction when it is available; otherwise Qt's own HTML
    parser, block by block, so ``<p>``/``<h1>``/``<li>`` become paragraphs and ``<br>`` a line break.
    Qt's parser never runs scripts or fetches remote resources.
    """
    extracted = _engine_html_to_text(html)
    if extracted:
        return extracted
    doc = QTextDocument()
    doc.setHtml(html)
    paras: list[str] = []
    block = doc.begin()
    while block.isValid():
        text = block.text().replace("\u2028", "\n").replace("\u00a0", " ").strip()
        if text:
            paras.append(text)
        block = block.next()
    return "\n\n".join(paras)


def _engine_html_to_text(html: str) -> str | None:
    """The import engine's extraction (the same as for a saved web page), if it yields text."""
    try:
        from models.importer import extract_html
    except ImportError:
        return None
    try:
        text = extract_html(html, None, name="pasted HTML").text
    except Exception:  # a fragment the extractor rejects: fall back to Qt's parser
        return None
    return text if isinstance(text, str) and text.strip() else None


def local_files(mime: QMimeData) -> list[str]:
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile() and Path(u.toLocalFile()).is_file()]


class OriginalEdit(QPlainTextEdit):
    """The editable Norwegian pane: pastes rich text as clean plain text, accepts dropped files."""

    fileDropped = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setTabChangesFocus(True)  # Tab moves on to the next pane: keyboard users need it
        self.setPlaceholderText(
            "Paste a Norwegian news article here, open a file (Ctrl+O) or drop one on the window."
        )

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return bool(local_files(source)) or source.hasText() or source.hasHtml()

    def insertFromMimeData(self, source: QMimeData) -> None:
        files = local_files(source)
        if files:
            self.fileDropped.emit(files[0])
            return
        if source.hasHtml():
            text = html_to_plain(source.html())
            if not text.strip() and source.hasText():
                text = source.text()
        elif source.hasText():
            text = source.text()
        else:
            return
        self.textCursor().insertText(normalise_newlines(text))
        self.ensureCursorVisible()

    def dragEnterEvent(self, e: QDragEnterEvent) -> None:
        if local_files(e.mimeData()):
            e.acceptProposedAction()
        else:
            super().dragEnterEvent(e)

    def dragMoveEvent(self, e) -> None:  # type: ignore[no-untyped-def]
        if local_files(e.mimeData()):
            e.acceptProposedAction()
        else:
            super().dragMoveEvent(e)

    def dropEvent(self, e: QDropEvent) -> None:
        files = local_files(e.mimeData())
        if files:
            e.acceptProposedAction()
            self.fileDropped.emit(files[0])
        else:
            super().dropEvent(e)


class TranslationView(QPlainTextEdit):
    """The read-only English pane; tooltips come from a provider (sentence flags)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTabChangesFocus(True)
        # Keep a visible caret so keyboard users can walk the translation sentence by sentence.
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setPlaceholderText("The English translation appears here, sentence by sentence.")
        self.tooltip_provider: Callable[[int], str | None] | None = None

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ToolTip and self.tooltip_provider is not None:
            assert isinstance(e, QHelpEvent)
            pos = self.cursorForPosition(e.pos()).position()
            tip = self.tooltip_provider(pos)
            if tip:
                QToolTip.showText(e.globalPos(), tip, self)
            else:
                QToolTip.hideText()
                e.ignore()
            return True
        return super().event(e)


class BulletList(QListWidget):
    """Key-fact bullets; each item stores its bullet index in ``Qt.UserRole``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setSpacing(3)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.setAlternatingRowColors(False)
        self.setUniformItemSizes(False)


class PaneHeader(QWidget):
    """A bold title over a pane, with room for a short note and small tool buttons on the right."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paneHeader")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(6)
        self.title = QLabel(title)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.05)
        self.title.setFont(font)
        self.note = QLabel()
        self.note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout.addWidget(self.title)
        layout.addWidget(self.note, 1)
        self._layout = layout

    def add_widget(self, w: QWidget) -> None:
        self._layout.addWidget(w)


class Pane(QFrame):
    """Header + content, the unit the splitter holds."""

    def __init__(self, title: str, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pane")
        self.header = PaneHeader(title)
        self.content = content
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(content, 1)
        content.setFrameShape(QFrame.Shape.NoFrame) if isinstance(content, QFrame) else None


class Banner(QFrame):
    """A message strip above the panes: text, an optional action, a progress bar and Cancel."""

    actionClicked = Signal()
    secondaryClicked = Signal()
    cancelClicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setAccessibleName("Notice")
        self.setAutoFillBackground(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        layout.setSpacing(8)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Download progress")
        self.progress.setFixedWidth(220)
        self.progress.setTextVisible(True)
        self.action = QPushButton()
        self.secondary = QPushButton()
        self.cancel = QPushButton("Cancel")
        self.cancel.setAccessibleName("Cancel download")
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAccessibleName("Hide notice")
        self.close_button.setToolTip("Hide this notice")
        self.close_button.setAutoRaise(True)
        for w in (self.label, self.progress, self.action, self.secondary, self.cancel, self.close_button):
            layout.addWidget(w)
        self.action.clicked.connect(self.actionClicked)
        self.secondary.clicked.connect(self.secondaryClicked)
        self.cancel.clicked.connect(self.cancelClicked)
        self.close_button.clicked.connect(self.hide)
        self.show_message("")
        self.hide()

    def show_message(
        self, text: str, *, action: str | None = None, secondary: str | None = None, kind: str = "info"
    ) -> None:
        self.label.setText(text)
        self.action.setVisible(bool(action))
        self.action.setText(action or "")
        self.action.setAccessibleName(action or "")
        self.secondary.setVisible(bool(secondary))
        self.secondary.setText(secondary or "")
        self.secondary.setAccessibleName(secondary or "")
        self.progress.hide()
        self.cancel.hide()
        self._tint(kind)
        self.show()

    def show_progress(self, text: str, fraction: float | None) -> None:
        self.label.setText(text)
        self.action.hide()
        self.secondary.hide()
        self.progress.show()
        self.cancel.show()
        if fraction is None:
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, 1000)
            self.progress.setValue(round(max(0.0, min(1.0, fraction)) * 1000))
        self.show()

    def _tint(self, kind: str) -> None:
        """Tint from the palette so the banner reads well in light and dark themes."""
        pal = self.palette()
        base = pal.color(QPalette.ColorRole.Window)
        accent = QColor(230, 140, 0) if kind == "warning" else pal.color(QPalette.ColorRole.Highlight)
        if kind == "error":
            accent = QColor(210, 50, 50)
        pal.setColor(QPalette.ColorRole.Window, blend(base, accent, 0.18))
        self.setPalette(pal)


def blend(a: QColor, b: QColor, t: float) -> QColor:
    """``a`` moved ``t`` of the way towards ``b`` (opaque), for palette-derived tints."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * t),
        round(a.green() + (b.green() - a.green()) * t),
        round(a.blue() + (b.blue() - a.blue()) * t),
    )


def is_dark(pal: QPalette) -> bool:
    return pal.color(QPalette.ColorRole.Base).lightness() < 128


def scaled_font(base: QFont, point_size: int) -> QFont:
    f = QFont(base)
    if point_size > 0:
        f.setPointSize(point_size)
    return f


ICON_SIZE = QSize(18, 18)
