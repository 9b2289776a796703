"""The aligned bilingual view: the Original and the Translation as rows, one row per paragraph.

Both panes are ``QTextEdit``s over their own plain-text documents (the Original stays exactly
the text the journalist typed or pasted). After Qt has laid both documents out, the top of each
row's first block is measured on both sides, and the shorter side's next row gets the difference
as a block top margin (``desktop.render.align_margins``, Qt-free), so every paragraph starts at
the same height on both sides and each row is as tall as its taller side. Runs of blank lines in
the Original are collapsed to one by hiding the extra blank blocks (``QTextBlock.setVisible``,
display only), which is how the English pane separates its rows. Both documents then end at the
same height, and the two vertical scroll bars are locked together.

The pass re-runs, debounced, whenever a side can change height: text shown or streamed in, a
resize, a zoom. Margins are block formats, which ``QTextDocument`` records as undo steps; on the
Original they are folded into the user's last edit step (or dropped from a fresh history), so
Ctrl+Z undoes typing, not alignment.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QTextBlock, QTextCursor, QTextDocument
from PySide6.QtWidgets import QTextEdit

from desktop.render import align_margins

ALIGN_DELAY_MS = 30  # coalesces a burst (streaming batches, a drag-resize) into one pass
MAX_REPASSES = 3  # checking passes after a pass that changed margins
EPSILON = 0.5  # px: margins closer than this are left alone (no layout churn)


class RowAligner(QObject):
    """Keeps the two panes' rows at the same heights; ``rows()`` gives, row by row, the block
    number of the row's first block in the Original and in the Translation (None: no rows)."""

    def __init__(
        self,
        original: QTextEdit,
        translation: QTextEdit,
        rows: Callable[[], tuple[list[int], list[int]] | None],
    ) -> None:
        super().__init__(original)
        self.original = original
        self.translation = translation
        self._rows = rows
        # Set while this class changes block formats: the Original reports that as textChanged.
        self.busy = False
        self._scrolling = False
        self._repasses = 0
        self._timer = QTimer(self, singleShot=True, interval=ALIGN_DELAY_MS)
        self._timer.timeout.connect(self.align_now)
        for edit in (original, translation):
            edit.viewport().installEventFilter(self)
            # Qt lays big documents out lazily, and fonts (headings) arrive after the text: any
            # change of a document's laid-out size runs the pass again. A pass that changes
            # nothing changes no size, so this settles after one extra pass.
            edit.document().documentLayout().documentSizeChanged.connect(self._layout_changed)
        original.verticalScrollBar().valueChanged.connect(lambda v: self._follow(translation, v))
        translation.verticalScrollBar().valueChanged.connect(lambda v: self._follow(original, v))
        original.verticalScrollBar().rangeChanged.connect(lambda *_: self._sync_scroll(original))
        translation.verticalScrollBar().rangeChanged.connect(lambda *_: self._sync_scroll(translation))

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    def schedule(self) -> None:
        self._timer.start()

    def _layout_changed(self) -> None:
        if not self.busy:
            self.schedule()

    def eventFilter(self, obj: QObject, e: QEvent) -> bool:
        if e.type() == QEvent.Type.Resize:
            self.schedule()  # a new width re-wraps the lines of both sides
        return super().eventFilter(obj, e)

    # ----- one scroll position for both panes --------------------------------------------------
    def _follow(self, other: QTextEdit, value: int) -> None:
        if self._scrolling or not self.original.isVisible() or not self.translation.isVisible():
            return
        self._scrolling = True
        try:
            other.verticalScrollBar().setValue(value)
        finally:
            self._scrolling = False

    def _sync_scroll(self, changed: QTextEdit) -> None:
        other = self.translation if changed is self.original else self.original
        self._follow(changed, other.verticalScrollBar().value())

    # ----- the pass ----------------------------------------------------------------------------
    def align_now(self) -> None:
        self._timer.stop()
        rows = self._rows()
        odoc, tdoc = self.original.document(), self.translation.document()
        self.busy = True
        try:
            if self._collapse_blank_runs(odoc, keep_visible=rows is not None):
                odoc.markContentsDirty(0, odoc.characterCount())
                # Positions further down are re-laid out lazily: measure in the next pass.
                self.schedule()
                return
            if rows is None or not rows[0] or not rows[1]:
                self._apply(self.original, [], [])  # nothing to align with: no margins
                self._apply(self.translation, [], [])
                return
            left, right = rows
            for doc in (odoc, tdoc):  # lay each document out to its end before measuring
                doc.documentLayout().blockBoundingRect(doc.lastBlock())
            lblocks = [odoc.findBlockByNumber(b) for b in left]
            rblocks = [tdoc.findBlockByNumber(b) for b in right]
            lm, rm = align_margins(
                [_top(odoc, b) for b in lblocks],
                _margins(odoc, lblocks),
                _end(odoc),
                [_top(tdoc, b) for b in rblocks],
                _margins(tdoc, rblocks),
                _end(tdoc),
            )
            changed = self._apply(self.original, lblocks, lm)
            changed = self._apply(self.translation, rblocks, rm) or changed
        finally:
            self.busy = False
        # Check the result once more (new margins re-style and re-lay out blocks, e.g. headings,
        # and Qt reports some of that only later); a pass that changes nothing ends it. Bounded,
        # so measurements that never settle cannot keep the GUI thread busy.
        if changed and self._repasses < MAX_REPASSES:
            self._repasses += 1
            self.schedule()
        elif not changed:
            self._repasses = 0
        self._sync_scroll(self.translation)

    def _collapse_blank_runs(self, doc: QTextDocument, *, keep_visible: bool) -> bool:
        """Hide every blank block after the first of a run (and blank lines before the first
        text); the English pane has one blank line between rows. The block with the caret stays
        visible so the journalist's typing never disappears."""
        caret = self.original.textCursor().blockNumber() if self.original.hasFocus() else -1
        changed = False
        block = doc.firstBlock()
        seen_text = False
        prev_blank = False
        while block.isValid():
            blank = not block.text().strip()
            hide = keep_visible and blank and (prev_blank or not seen_text) and block.blockNumber() != caret
            if block.isVisible() == hide:
                block.setVisible(not hide)
                changed = True
            seen_text = seen_text or not blank
            prev_blank = blank
            block = block.next()
        return changed

    def _apply(self, edit: QTextEdit, blocks: list[QTextBlock], margins: list[float]) -> bool:
        """Top margin for each row's first block (any other block none), and the bottom padding
        as the root frame's bottom margin (Qt lays the last block's own bottom margin out as
        nothing). Only changed formats are written."""
        doc = edit.document()
        want = {block.blockNumber(): m for block, m in zip(blocks, margins, strict=False)}
        pad = margins[len(blocks)] if blocks and len(margins) > len(blocks) else 0.0
        edits: list[tuple[QTextBlock, float]] = []
        block = doc.firstBlock()
        while block.isValid():
            top = want.get(block.blockNumber(), 0.0)
            if abs(block.blockFormat().topMargin() - top) > EPSILON:
                edits.append((block, top))
            block = block.next()
        root = doc.rootFrame()
        pad_changed = abs(_padding(doc) - pad) > EPSILON
        if not edits and not pad_changed:
            return False
        had_history = doc.isUndoAvailable()
        cursor = QTextCursor(doc)
        if had_history:
            cursor.joinPreviousEditBlock()  # undone together with the user's last step
        else:
            cursor.beginEditBlock()
        for block, top in edits:
            cursor.setPosition(block.position())
            fmt = block.blockFormat()
            fmt.setTopMargin(top)
            cursor.setBlockFormat(fmt)
        if pad_changed:
            ffmt = root.frameFormat()
            ffmt.setBottomMargin(doc.documentMargin() + pad)
            root.setFrameFormat(ffmt)
        cursor.endEditBlock()
        if not had_history:
            doc.clearUndoRedoStacks(QTextDocument.Stacks.UndoStack)
        return True


def _top(doc: QTextDocument, block: QTextBlock) -> float:
    # blockBoundingRect lays the document out up to the block (QTextDocumentLayout is lazy, so
    # documentSize() can be short of the end).
    return doc.documentLayout().blockBoundingRect(block).top()


def _last_visible(doc: QTextDocument) -> QTextBlock:
    block = doc.lastBlock()
    while block.isValid() and not block.isVisible() and block.previous().isValid():
        block = block.previous()
    return block


def _padding(doc: QTextDocument) -> float:
    return doc.rootFrame().frameFormat().bottomMargin() - doc.documentMargin()


def _end(doc: QTextDocument) -> float:
    """The bottom of the text plus the bottom padding."""
    return doc.documentLayout().blockBoundingRect(_last_visible(doc)).bottom() + _padding(doc)


def _margins(doc: QTextDocument, blocks: list[QTextBlock]) -> list[float]:
    return [b.blockFormat().topMargin() for b in blocks] + [_padding(doc)]
