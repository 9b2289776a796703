"""Sentence linking between the three panes: a caret or a click in one selects the sentence in
all of them, highlighted over the flag marks of the translation.

The engine counts code points, Qt counts UTF-16 units: ``OffsetMap`` converts; the translation
pane's text and sentence spans come from ``TranslationLayout`` (``desktop.render``).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import QTextEdit

from desktop.render import TranslationLayout
from desktop.textpos import OffsetMap
from desktop.widgets import BulletList
from models.article import Article, severity


class PaneLinker:
    """Which sentence is current, where every sentence is in each pane, and the highlights."""

    def __init__(
        self,
        original: QTextEdit,
        translation: QTextEdit,
        bullets: BulletList,
        article: Callable[[], Article | None],
        colors: Callable[[], dict[str, QColor]],
    ) -> None:
        self.original = original
        self.translation = translation
        self.bullets = bullets
        self._article = article
        self._colors = colors
        self.layout = TranslationLayout()
        self.original_map = OffsetMap("")
        self.translation_map = OffsetMap("")
        self.current: int | None = None
        # Set while the window moves a caret itself (linking, appending translations), so the
        # caret signals that causes are not taken for the user moving it.
        self.busy = False
        original.cursorPositionChanged.connect(self.on_original_caret)
        translation.cursorPositionChanged.connect(self.on_translation_caret)
        bullets.currentRowChanged.connect(self.on_bullet_row)
        bullets.itemClicked.connect(lambda item: self.on_bullet_row(bullets.row(item)))
        bullets.itemActivated.connect(lambda item: self.on_bullet_row(bullets.row(item)))

    # ----- maps ---------------------------------------------------------------------------
    def set_original(self, text: str) -> None:
        self.original_map = OffsetMap(text)
        self.current = None

    def set_layout(self, layout: TranslationLayout) -> None:
        self.layout = layout
        self.translation_map = OffsetMap(layout.text)

    def layout_grew(self) -> None:
        """Sentences were appended to ``layout`` (streaming)."""
        self.translation_map = OffsetMap(self.layout.text)

    def original_span(self, index: int) -> tuple[int, int] | None:
        """Sentence ``index`` in the Original pane, in Qt (UTF-16) positions."""
        article = self._article()
        if article is None or not 0 <= index < len(article.sentences):
            return None
        s = article.sentences[index]
        return self.original_map.to_utf16(s.start), self.original_map.to_utf16(s.end)

    def translation_span(self, index: int) -> tuple[int, int] | None:
        span = self.layout.spans.get(index)
        if span is None:
            return None
        return self.translation_map.to_utf16(span[0]), self.translation_map.to_utf16(span[1])

    def translation_sentence_at(self, pos: int) -> int | None:
        """The sentence under UTF-16 position ``pos`` of the translation pane."""
        return self.layout.sentence_at(self.translation_map.to_codepoint(pos))

    # ----- what the user did ---------------------------------------------------------------
    def on_original_caret(self) -> None:
        article = self._article()
        if self.busy or article is None:
            return
        cp = self.original_map.to_codepoint(self.original.textCursor().position())
        s = article.sentence_at(cp) or (article.sentence_at(cp - 1) if cp > 0 else None)
        if s is not None and s.index != self.current:
            self.select(s.index, origin="original")

    def on_translation_caret(self) -> None:
        if self.busy or self._article() is None:
            return
        idx = self.translation_sentence_at(self.translation.textCursor().position())
        if idx is not None and idx != self.current:
            self.select(idx, origin="translation")

    def on_bullet_row(self, row: int) -> None:
        article = self._article()
        if self.busy or article is None or row < 0 or row >= len(article.bullets):
            return
        self.select(article.bullets[row].sentence, origin="bullets")

    def select(self, index: int, origin: str = "api") -> None:
        """Highlight sentence ``index`` in both panes and scroll the other pane(s) to it."""
        self.current = index
        self.busy = True
        try:
            if origin != "original":
                span = self.original_span(index)
                if span:
                    _move_caret(self.original, span[0])
            if origin != "translation":
                tspan = self.translation_span(index)
                if tspan:
                    _move_caret(self.translation, tspan[0])
            article = self._article()
            if origin != "bullets" and article is not None:
                row = next((i for i, b in enumerate(article.bullets) if b.sentence == index), -1)
                self.bullets.blockSignals(True)
                self.bullets.setCurrentRow(row)
                self.bullets.blockSignals(False)
        finally:
            self.busy = False
        self.highlight()

    # ----- highlights ----------------------------------------------------------------------
    def clear(self) -> None:
        self.current = None
        self.original.setExtraSelections([])
        self.translation.setExtraSelections([])

    def highlight(self) -> None:
        """Flag marks in the translation (wavy for a doubt, dotted for a note), plus the current
        sentence in both panes."""
        article = self._article()
        if article is None:
            self.clear()
            return
        colors = self._colors()
        trans: list[QTextEdit.ExtraSelection] = []
        flag_fmt = QTextCharFormat()
        flag_fmt.setBackground(colors["flag_bg"])
        flag_fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        flag_fmt.setUnderlineColor(colors["flag_line"])
        info_fmt = QTextCharFormat()  # a faithful change worth knowing (info), not a doubt
        info_fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
        info_fmt.setUnderlineColor(colors["flag_line"])
        for s in article.sentences:
            level = severity(s.flags)
            span = self.translation_span(s.index) if level else None
            if span:
                trans.append(_selection(self.translation, span, info_fmt if level == "info" else flag_fmt))
        orig: list[QTextEdit.ExtraSelection] = []
        if self.current is not None:
            cur = QTextCharFormat()
            cur.setBackground(colors["current"])
            cur.setProperty(QTextFormat.Property.FullWidthSelection, False)
            span = self.original_span(self.current)
            if span:
                orig.append(_selection(self.original, span, cur))
            tspan = self.translation_span(self.current)
            if tspan:
                trans.append(_selection(self.translation, tspan, cur))
        self.original.setExtraSelections(orig)
        self.translation.setExtraSelections(trans)


def _move_caret(edit: QTextEdit, pos: int) -> None:
    c = edit.textCursor()
    c.setPosition(min(pos, edit.document().characterCount() - 1))
    edit.setTextCursor(c)
    edit.ensureCursorVisible()


def _selection(edit: QTextEdit, span: tuple[int, int], fmt: QTextCharFormat) -> QTextEdit.ExtraSelection:
    sel = QTextEdit.ExtraSelection()
    c = QTextCursor(edit.document())
    end = min(span[1], edit.document().characterCount() - 1)
    c.setPosition(min(span[0], end))
    c.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    sel.cursor = c
    sel.format = fmt
    return sel
