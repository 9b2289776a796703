"""The window's building blocks: the three panes, their headers and the status banner.

Widgets hold no engine logic: they show text, report what the user did through signals, and
convert rich clipboard selections to plain text (a whole pasted page goes to the window, which
extracts the article in the background).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QIcon,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTextEdit,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from desktop.plain import plain_html, plain_tooltip
from models.pipeline import normalise_newlines

log = logging.getLogger(__name__)


def plain_text(edit: QPlainTextEdit | QTextEdit) -> str:
    """The editor's text exactly as typed (``toPlainText`` would turn no-break spaces into spaces)."""
    return edit.document().toRawText().replace("\u2029", "\n")


_PAGE_MARKUP = re.compile(r"<(?:!doctype|html|head|body|nav|header|footer|main|article)\b", re.I)
_FRAGMENT_MARKERS = re.compile(r"<!--\s*StartFragment\s*-->(.*?)<!--\s*EndFragment\s*-->", re.S | re.I)


def is_whole_page(html: str) -> bool:
    """A copied web page (document or page structure) rather than a selection of a few paragraphs.

    Browsers wrap a selection in ``StartFragment``/``EndFragment`` (Windows) or send the bare
    elements (Linux, macOS); "Select all" in a page or a saved page has the document structure.
    """
    return _PAGE_MARKUP.search(html) is not None and _FRAGMENT_MARKERS.search(html) is None


def html_to_plain(html: str) -> str:
    """A copied selection -> plain text with paragraph breaks kept (blank line between blocks).

    Every paragraph the user copied is kept: Qt's own HTML parser, block by block, so
    ``<p>``/``<h1>``/``<li>`` become paragraphs and ``<br>`` a line break; it runs no scripts and
    fetches no remote resources. (Whole pages take the engine's news extraction instead, in the
    background: ``OriginalEdit.pagePasted``.)
    """
    frag = _FRAGMENT_MARKERS.search(html)
    return _qt_html_to_text(frag.group(1) if frag else html)


def _qt_html_to_text(html: str) -> str:
    doc = QTextDocument()
    doc.setHtml(html)
    paras: list[str] = []
    block = doc.begin()
    while block.isValid():
        lines = block.text().replace("\u00a0", " ").split("\u2028")
        text = "\n".join(" ".join(line.split()) for line in lines if line.strip())
        if text:
            paras.append(text)
        block = block.next()
    return "\n\n".join(paras)


def local_files(mime: QMimeData) -> list[str]:
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile() and Path(u.toLocalFile()).is_file()]


class _PlainPane(QTextEdit):
    """A plain-text ``QTextEdit`` whose placeholder wraps over as many lines as it needs
    (``QTextEdit`` clips its own to the height of one line)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptRichText(False)
        self._placeholder = ""

    def placeholderText(self) -> str:
        return self._placeholder

    def setPlaceholderText(self, text: str) -> None:
        self._placeholder = text
        self.viewport().update()

    def paintEvent(self, e: QPaintEvent) -> None:
        super().paintEvent(e)
        if not self._placeholder or not self.document().isEmpty():
            return
        painter = QPainter(self.viewport())
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        m = round(self.document().documentMargin())
        rect = self.viewport().rect().adjusted(m, m, -m, -m)
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap), self._placeholder)
        painter.end()


class OriginalEdit(_PlainPane):
    """The editable Norwegian pane: pastes rich text as clean plain text, accepts dropped files."""

    fileDropped = Signal(str)
    # A whole web page was pasted: (html, the clipboard's plain text or ""). Extracting the
    # article takes ~0.1 s on a big page, so the window runs it off the GUI thread.
    pagePasted = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # A QTextEdit (not QPlainTextEdit) because its layout honours block margins, which is how
        # the two panes are aligned row by row (``desktop.aligned``); the text stays plain.
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
        if source.hasHtml() and is_whole_page(source.html()):
            self.pagePasted.emit(source.html(), source.text() if source.hasText() else "")
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


class TranslationView(_PlainPane):
    """The read-only English pane; tooltips come from a provider (sentence flags)."""

    PLACEHOLDER = "The English translation appears here, sentence by sentence (Ctrl+Return)."

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTabChangesFocus(True)
        # Keep a visible caret so keyboard users can walk the translation sentence by sentence.
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setPlaceholderText(self.PLACEHOLDER)
        self.tooltip_provider: Callable[[int], str | None] | None = None

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ToolTip and self.tooltip_provider is not None:
            assert isinstance(e, QHelpEvent)
            pos = self.cursorForPosition(e.pos()).position()
            tip = self.tooltip_provider(pos)
            if tip:
                QToolTip.showText(e.globalPos(), plain_tooltip(tip), self)
            else:
                QToolTip.hideText()
                e.ignore()
            return True
        return super().event(e)


class SpanHighlighter(QSyntaxHighlighter):
    """Character formats over given spans (Qt positions) of a document, e.g. headings in bold.

    A syntax highlighter only sets display formats on the layout: the document's text, its undo
    history and ``textChanged`` are untouched, so the user's Original stays exactly as typed.
    """

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.spans: list[tuple[int, int]] = []
        self.span_format = QTextCharFormat()
        # Re-highlighting marks the layout dirty, which QPlainTextEdit reports as ``textChanged``
        # although not one character changed; listeners check this flag to ignore that.
        self.restyling = False

    def rehighlight(self) -> None:
        self.restyling = True
        try:
            super().rehighlight()
        finally:
            self.restyling = False

    def set_spans(self, spans: Sequence[tuple[int, int]]) -> None:
        spans = sorted(spans)
        if spans == self.spans:
            return
        self.spans = spans
        self.rehighlight()

    def add_span(self, span: tuple[int, int]) -> None:
        """For text about to be appended: the block is highlighted when it is inserted."""
        self.spans.append(span)

    def set_format(self, fmt: QTextCharFormat) -> None:
        self.span_format = fmt
        if self.spans:
            self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        block = self.currentBlock()
        start = block.position()
        end = start + len(text)
        for s, e in self.spans:
            if e <= start or s >= end:
                continue
            a = max(s, start) - start
            self.setFormat(a, min(e, end) - start - a, self.span_format)


def heading_format(base: QFont) -> QTextCharFormat:
    """Headings: bold and about 15% larger than the pane's text (follows zoom)."""
    fmt = QTextCharFormat()
    fmt.setFontWeight(QFont.Weight.Bold)
    size = base.pointSizeF()
    if size > 0:
        fmt.setFontPointSize(round(size * 1.15, 1))
    return fmt


SOURCE_ROLE = Qt.ItemDataRole.UserRole + 1  # the Norwegian sentence under an English bullet
FLAGGED_ROLE = Qt.ItemDataRole.UserRole + 2  # the bullet's sentence was flagged by the fact check


class BulletDelegate(QStyledItemDelegate):
    """Draws a key fact as a wrapped main line (English, or Norwegian before translation) with the
    Norwegian source beneath in smaller, muted text, and a bullet or warning mark on the left."""

    PAD_X = 8
    PAD_Y = 7
    ICON = 16
    GAP = 8
    LINE_GAP = 3

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        main = QFont(option.font)
        small = QFont(option.font)
        small.setPointSizeF(max(6.0, main.pointSizeF() * 0.87))
        return main, small

    def _text_width(self, option: QStyleOptionViewItem) -> int:
        view = option.widget
        width = option.rect.width()
        if isinstance(view, QListWidget):
            width = view.viewport().width() - 2 * view.spacing()
        return max(60, width - 2 * self.PAD_X - self.ICON - self.GAP)

    @staticmethod
    def _height(font: QFont, width: int, text: str) -> int:
        if not text:
            return 0
        rect = QFontMetrics(font).boundingRect(QRect(0, 0, width, 1 << 20), _WRAP, text)
        return rect.height()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        main_font, small_font = self._fonts(option)
        width = self._text_width(option)
        h = self._height(main_font, width, str(index.data(Qt.ItemDataRole.DisplayRole) or ""))
        source = str(index.data(SOURCE_ROLE) or "")
        if source:
            h += self.LINE_GAP + self._height(small_font, width, source)
        return QSize(width + 2 * self.PAD_X + self.ICON + self.GAP, max(h, self.ICON) + 2 * self.PAD_Y)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        icon = QIcon(opt.icon)  # a copy: the option's member is cleared below
        text = str(opt.text)
        opt.text = ""
        opt.icon = QIcon()
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)  # background

        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        pal = opt.palette
        fg = pal.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        bg = pal.color(QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.Base)
        muted = blend(fg, bg, 0.32)
        main_font, small_font = self._fonts(opt)
        width = self._text_width(opt)
        r = opt.rect
        x = r.left() + self.PAD_X
        y = r.top() + self.PAD_Y
        painter.save()
        line = QFontMetrics(main_font).height()
        mark = QRect(x, y + max(0, (line - self.ICON) // 2), self.ICON, self.ICON)
        if index.data(FLAGGED_ROLE) and not icon.isNull():
            icon.paint(painter, mark)  # the warning sign
        else:
            # A plain bullet in the text colour of the row, so it stays visible when selected.
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fg if selected else pal.color(QPalette.ColorRole.Highlight))
            d = max(5, self.ICON // 3)
            painter.drawEllipse(mark.center().x() - d // 2, mark.center().y() - d // 2 + 1, d, d)
        tx = x + self.ICON + self.GAP
        h_main = self._height(main_font, width, text)
        painter.setFont(main_font)
        painter.setPen(fg)
        painter.drawText(QRect(tx, y, width, h_main), _WRAP, text)
        source = str(index.data(SOURCE_ROLE) or "")
        if source:
            y2 = y + h_main + self.LINE_GAP
            painter.setFont(small_font)
            painter.setPen(muted)
            painter.drawText(QRect(tx, y2, width, self._height(small_font, width, source)), _WRAP, source)
        painter.restore()


_WRAP = int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft) | int(Qt.AlignmentFlag.AlignTop)


class BulletList(QListWidget):
    """Key-fact bullets; each item stores its bullet index in ``Qt.UserRole``, the Norwegian source
    in ``SOURCE_ROLE``. Arrow keys move between facts; Enter (``activated``) selects the source."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setSpacing(2)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAlternatingRowColors(False)
        self.setUniformItemSizes(False)
        self.setItemDelegate(BulletDelegate(self))
        self.setTabKeyNavigation(False)  # Tab leaves the list (tab order), arrows move inside

    def resizeEvent(self, e: QResizeEvent) -> None:
        super().resizeEvent(e)
        self.scheduleDelayedItemsLayout()  # wrapped heights depend on the width


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
    importClicked = Signal()
    cancelClicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._kind = "info"
        self.setObjectName("banner")
        self.setAccessibleName("Notice")
        self.setAutoFillBackground(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        layout.setSpacing(8)
        self.icon_label = QLabel()
        self.icon_label.setFixedSize(20, 20)
        self.icon_label.setAccessibleName("Notice kind")
        # Notices carry error text and page warnings: always escaped (``plain_html``), with
        # only the window's own bold lead as markup.
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setAccessibleName("Notice text")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Download progress")
        self.progress.setFixedWidth(220)
        self.progress.setTextVisible(True)
        self.action = QPushButton()
        self.secondary = QPushButton()
        # Import a model the journalist already has (a colleague's folder, an .argosmodel), as
        # Models… offers; Alt+I or Tab reach it.
        self.import_button = QPushButton("&Import model…")
        self.import_button.setAccessibleName("Import model…")
        self.import_button.setToolTip("Install a model from a folder or file you already have")
        self.cancel = QPushButton("Cancel")
        self.cancel.setAccessibleName("Cancel download")
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAccessibleName("Hide notice")
        self.close_button.setToolTip("Hide this notice")
        self.close_button.setAutoRaise(True)
        for w in (
            self.icon_label,
            self.label,
            self.progress,
            self.action,
            self.import_button,
            self.secondary,
            self.cancel,
            self.close_button,
        ):
            layout.addWidget(w)
        self.action.clicked.connect(self.actionClicked)
        self.secondary.clicked.connect(self.secondaryClicked)
        self.import_button.clicked.connect(self.importClicked)
        self.cancel.clicked.connect(self.cancelClicked)
        self.close_button.clicked.connect(self.hide)
        self.show_message("")
        self.hide()

    def show_message(
        self,
        text: str,
        *,
        action: str | None = None,
        secondary: str | None = None,
        kind: str = "info",
        lead: str | None = None,
        offer_import: bool = False,
    ) -> None:
        """``text`` is shown literally; ``lead`` (the window's own words) in bold before it."""
        self.label.setText(plain_html(text, lead))
        self.import_button.setVisible(offer_import)
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
        self.label.setText(plain_html(text))
        self.action.hide()
        self.secondary.hide()
        self.import_button.hide()
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
        self._kind = kind
        # From the window's palette, not our own: ours holds the previous tint.
        top = self.window()
        pal = QPalette(top.palette() if top is not self else QApplication.palette())
        base = pal.color(QPalette.ColorRole.Window)
        text = pal.color(QPalette.ColorRole.WindowText)
        accent = QColor(230, 140, 0) if kind == "warning" else pal.color(QPalette.ColorRole.Highlight)
        if kind == "error":
            accent = QColor(210, 50, 50)
        bg = tint(base, accent, text, start=0.18, min_ratio=1.25)
        border = tint(base, accent, text, start=0.45, min_ratio=1.8)
        pal.setColor(QPalette.ColorRole.Window, bg)
        self.setPalette(pal)
        # The application style sheet decides how QFrames paint; say it there too, so the tint
        # shows under every style.
        self.setStyleSheet(
            f"QFrame#banner {{ background: {bg.name()}; border: 1px solid {border.name()};"
            " border-radius: 4px; }"
        )
        icon = {
            "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
            "error": QStyle.StandardPixmap.SP_MessageBoxCritical,
        }.get(kind, QStyle.StandardPixmap.SP_MessageBoxInformation)
        self.icon_label.setPixmap(self.style().standardIcon(icon).pixmap(20, 20))
        self.icon_label.setAccessibleDescription(kind)

    def retint(self) -> None:
        """Follow a theme change (the window calls this on ``PaletteChange``)."""
        self._tint(self._kind)


def blend(a: QColor, b: QColor, t: float) -> QColor:
    """``a`` moved ``t`` of the way towards ``b`` (opaque), for palette-derived tints."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * t),
        round(a.green() + (b.green() - a.green()) * t),
        round(a.blue() + (b.blue() - a.blue()) * t),
    )


def luminance(c: QColor) -> float:
    """WCAG 2 relative luminance of an opaque colour."""

    def channel(v: int) -> float:
        x = v / 255
        return x / 12.92 if x <= 0.04045 else math.pow((x + 0.055) / 1.055, 2.4)

    return 0.2126 * channel(c.red()) + 0.7152 * channel(c.green()) + 0.0722 * channel(c.blue())


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio, 1 (same) to 21 (black on white)."""
    la, lb = luminance(a), luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def tint(base: QColor, accent: QColor, text: QColor, *, start: float, min_ratio: float) -> QColor:
    """``base`` blended towards ``accent`` at least ``start`` of the way and further until it stands
    out from ``base`` by ``min_ratio``, stopping before ``text`` on it would fall below 4.5:1.

    Fixed blend amounts fail on dark themes (a 15% tint of a near-black base is invisible), so
    the amount is found from the palette at hand.
    """
    best = blend(base, accent, start)
    t = start
    while t <= 1.0:
        c = blend(base, accent, t)
        if contrast_ratio(c, text) < 4.5:
            break
        best = c
        if contrast_ratio(c, base) >= min_ratio:
            break
        t += 0.02
    return best


def is_dark(pal: QPalette) -> bool:
    return pal.color(QPalette.ColorRole.Base).lightness() < 128


def scaled_font(base: QFont, point_size: int) -> QFont:
    f = QFont(base)
    if point_size > 0:
        f.setPointSize(point_size)
    return f


ICON_SIZE = QSize(18, 18)
