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

import time
from collections.abc import Callable, Generator
from typing import TypeVar

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QTextBlock, QTextCursor, QTextDocument
from PySide6.QtWidgets import QTextEdit

from desktop.render import align_margins

ALIGN_DELAY_MS = 30  # coalesces a burst (streaming batches, a drag-resize) into one pass
MAX_REPASSES = 3  # checking passes after a pass that changed margins
EPSILON = 0.5  # px: margins closer than this are left alone (no layout churn)
SLICE_SECONDS = 0.02  # GUI-thread time per turn of the event loop; the rest waits for the next
STEP_BLOCKS = 256  # blocks between checks of the slice's time

T = TypeVar("T")
Steps = Generator[None, None, T]  # yields between steps, returns the result


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
        self._timer.timeout.connect(self._begin)
        # The pass in progress, run a slice per turn of the event loop (big documents).
        self._job: Steps[None] | None = None
        self._again = False  # run another pass when this one ends
        self._step = QTimer(self, singleShot=True, interval=0)
        self._step.timeout.connect(self._continue)
        for edit in (original, translation):
            edit.viewport().installEventFilter(self)
            # Qt lays big documents out lazily, and fonts (headings) arrive after the text: any
            # change of a document's laid-out size runs the pass again. A pass that changes
            # nothing changes no size, so this settles after one extra pass.
            edit.document().documentLayout().documentSizeChanged.connect(self._layout_changed)
            edit.document().contentsChange.connect(self._contents_changed)
        original.verticalScrollBar().valueChanged.connect(lambda v: self._follow(translation, v))
        translation.verticalScrollBar().valueChanged.connect(lambda v: self._follow(original, v))
        original.verticalScrollBar().rangeChanged.connect(lambda *_: self._sync_scroll(original))
        translation.verticalScrollBar().rangeChanged.connect(lambda *_: self._sync_scroll(translation))

    @property
    def pending(self) -> bool:
        return self._timer.isActive() or self._job is not None

    def schedule(self) -> None:
        """A pass soon, from the start: a pass in progress holds blocks of the old text."""
        self._job = None
        self._step.stop()
        self._timer.start()

    def _layout_changed(self) -> None:
        if self.busy:
            return
        if self._job is not None:
            self._again = True  # measured sizes are stale; the blocks held are still valid
        else:
            self.schedule()

    def _contents_changed(self, position: int, removed: int, added: int) -> None:
        if not self.busy and (removed or added):
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
        """Run a whole pass now (tests flush the debounce with this)."""
        self._timer.stop()
        self._job = None
        self._run(self._pass(), deadline=None)

    def _begin(self) -> None:
        self._job = self._pass()
        self._continue()

    def _continue(self) -> None:
        if self._job is not None:
            self._run(self._job, deadline=time.perf_counter() + SLICE_SECONDS)

    def _run(self, job: Steps[None], deadline: float | None) -> None:
        """Step ``job`` until it ends or the slice is used up, then let the event loop run and
        go on in its next turn. Every step is a bounded number of Qt calls: while a worker
        thread holds the GIL each call from Python can wait for it, so a pass over a big
        document done in one go froze the window for seconds (a 1 MB paste: 3 s)."""
        self.busy = True
        try:
            for _ in job:
                if deadline is not None and time.perf_counter() >= deadline:
                    self._job = job
                    self._step.start()
                    return
        finally:
            self.busy = False
        if self._job is job:
            self._job = None
        if self._again:
            self._again = False
            self.schedule()

    def _pass(self) -> Steps[None]:
        rows = self._rows()
        odoc, tdoc = self.original.document(), self.translation.document()
        collapsed = yield from self._collapse_blank_runs(odoc, keep_visible=rows is not None)
        if collapsed:
            odoc.markContentsDirty(0, odoc.characterCount())
            # Positions further down are re-laid out lazily: measure in the next pass.
            self._again = True
            return
        if rows is None or not rows[0] or not rows[1]:
            yield from self._apply(self.original, [], [])  # nothing to align with: no margins
            yield from self._apply(self.translation, [], [])
            return
        left, right = rows
        for doc in (odoc, tdoc):  # lay each document out to its end before measuring
            doc.documentLayout().blockBoundingRect(doc.lastBlock())
        yield
        ltops, lnow = yield from _measure(odoc, left)
        rtops, rnow = yield from _measure(tdoc, right)
        lm, rm = align_margins(ltops, lnow, _end(odoc), rtops, rnow, _end(tdoc))
        yield
        changed = yield from self._apply(self.original, left, lm)
        changed = (yield from self._apply(self.translation, right, rm)) or changed
        # Check the result once more (new margins re-style and re-lay out blocks, e.g. headings,
        # and Qt reports some of that only later); a pass that changes nothing ends it. Bounded,
        # so measurements that never settle cannot keep the GUI thread busy.
        if changed and self._repasses < MAX_REPASSES:
            self._repasses += 1
            self._again = True
        elif not changed:
            self._repasses = 0
        self._sync_scroll(self.translation)

    def _collapse_blank_runs(self, doc: QTextDocument, *, keep_visible: bool) -> Steps[bool]:
        """Hide every blank block after the first of a run (and blank lines before the first
        text); the English pane has one blank line between rows. The block with the caret stays
        visible so the journalist's typing never disappears. Returns whether anything changed."""
        caret = self.original.textCursor().blockNumber() if self.original.hasFocus() else -1
        # The blank lines come from the text in one call, not from a Qt call per block.
        # (Raw text: toPlainText also turns line separators within a block into newlines.)
        lines = doc.toRawText().split("\u2029")
        changed = False
        block = doc.firstBlock()
        seen_text = False
        prev_blank = False
        for number, line in enumerate(lines):
            if not block.isValid():
                break
            blank = not line.strip()
            hide = keep_visible and blank and (prev_blank or not seen_text) and number != caret
            if block.isVisible() == hide:
                block.setVisible(not hide)
                changed = True
            seen_text = seen_text or not blank
            prev_blank = blank
            block = block.next()
            if number % STEP_BLOCKS == STEP_BLOCKS - 1:
                yield
        return changed

    def _apply(self, edit: QTextEdit, numbers: list[int], margins: list[float]) -> Steps[bool]:
        """Top margin for each row's first block (block ``numbers``; any other block none),
        and the bottom padding as the root frame's bottom margin (Qt lays the last block's own
        bottom margin out as nothing). Only changed formats are written; returns whether any
        was."""
        doc = edit.document()
        want = dict(zip(numbers, margins, strict=False))
        pad = margins[len(numbers)] if numbers and len(margins) > len(numbers) else 0.0
        edits: list[tuple[QTextBlock, float]] = []
        block = doc.firstBlock()
        number = 0
        while block.isValid():
            top = want.get(number, 0.0)
            if abs(block.blockFormat().topMargin() - top) > EPSILON:
                edits.append((block, top))
            block = block.next()
            number += 1
            if number % STEP_BLOCKS == 0:
                yield
        pad_changed = abs(_padding(doc) - pad) > EPSILON
        if not edits and not pad_changed:
            return False
        for i in range(0, max(len(edits), 1), STEP_BLOCKS):
            self._write(doc, edits[i : i + STEP_BLOCKS], pad if pad_changed and i == 0 else None)
            yield
        return True

    @staticmethod
    def _write(doc: QTextDocument, edits: list[tuple[QTextBlock, float]], pad: float | None) -> None:
        """One undo step's worth of margins: folded into the user's last step, or dropped from a
        fresh history, so Ctrl+Z undoes typing, not alignment."""
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
        if pad is not None:
            root = doc.rootFrame()
            ffmt = root.frameFormat()
            ffmt.setBottomMargin(doc.documentMargin() + pad)
            root.setFrameFormat(ffmt)
        cursor.endEditBlock()
        if not had_history:
            doc.clearUndoRedoStacks(QTextDocument.Stacks.UndoStack)


def _measure(doc: QTextDocument, numbers: list[int]) -> Steps[tuple[list[float], list[float]]]:
    """The tops of the rows' first blocks (block ``numbers``), and their margins now followed
    by the bottom padding."""
    tops: list[float] = []
    margins: list[float] = []
    for i, number in enumerate(numbers):
        block = doc.findBlockByNumber(number)
        tops.append(_top(doc, block))
        margins.append(block.blockFormat().topMargin())
        if i % STEP_BLOCKS == STEP_BLOCKS - 1:
            yield
    return tops, [*margins, _padding(doc)]


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
