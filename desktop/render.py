"""Qt-free layout of the translation pane, row for row with the Original.

Every paragraph of the article is one *row*: the English pane holds the same rows, in the same
order, whether or not they are translated yet, so the two panes can be aligned row by row
(``desktop.aligned``) and stay aligned while sentences stream in. Inside a row the English of its
sentences is joined by spaces; where the Original breaks the line between two sentences (a
kicker over its headline, a list) the English breaks too. Between rows there is one blank line
where the Original has one or more (runs of blank lines collapse the same way on both sides),
none where it has none.

The text is a list of *blocks* (lines, as a ``QTextDocument`` has them), so a sentence's English
changes exactly one block and the window replaces just that block: streaming, a re-translation
and a hand edit all go through ``set_english``. Offsets are code points; the window converts a
block's offsets to Qt's UTF-16 units itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from models.article import Article


@dataclass
class Row:
    """One paragraph: its blocks in the English pane (lines, then the blank line after it)."""

    paragraph: int
    first_block: int
    line_blocks: int  # how many of its blocks hold sentences
    gap: int  # blank blocks after it (0 or 1)
    heading: bool = False

    @property
    def last_block(self) -> int:
        return self.first_block + self.line_blocks + self.gap - 1


@dataclass
class _Block:
    sentences: list[int] = field(default_factory=list)  # sentence indices on this line, in order
    row: int = -1


class TranslationLayout:
    """The English pane's text, block by block, and where every sentence's English is in it."""

    def __init__(self, article: Article | None = None) -> None:
        self.rows: list[Row] = []
        self._blocks: list[_Block] = []
        self._texts: list[str] = []
        self._english: dict[int, str] = {}  # sentence index -> the English shown
        self._block_of: dict[int, int] = {}  # sentence index -> block number
        self._starts: list[int] | None = None  # code-point start of every block (lazy)
        if article is not None:
            self._build(article)

    # ----- structure ------------------------------------------------------------------------
    def _build(self, article: Article) -> None:
        text = article.text
        paragraphs = [p for p in article.paragraphs if p.sentences]
        for r, p in enumerate(paragraphs):
            sentences = [article.sentences[i] for i in p.sentences]
            lines: list[list[int]] = [[]]
            for k, s in enumerate(sentences):
                if k and "\n" in text[sentences[k - 1].end : s.start]:
                    lines.append([])
                lines[-1].append(s.index)
            gap = 0
            if r + 1 < len(paragraphs):
                between = text[p.end : paragraphs[r + 1].start]
                gap = 1 if between.count("\n") >= 2 else 0
            heading = all(s.heading for s in sentences)
            self.rows.append(Row(p.index, len(self._blocks), len(lines), gap, heading))
            for line in lines:
                for i in line:
                    self._block_of[i] = len(self._blocks)
                self._blocks.append(_Block(line, r))
            self._blocks.extend(_Block([], r) for _ in range(gap))
        self._texts = ["" for _ in self._blocks]
        for s in article.sentences:
            english = _clean(s.translation)
            if english and s.index in self._block_of:
                self._english[s.index] = english
        for b in range(len(self._blocks)):
            self._texts[b] = self._join(b)

    def _join(self, block: int) -> str:
        return " ".join(self._english[i] for i in self._blocks[block].sentences if i in self._english)

    @property
    def block_count(self) -> int:
        return len(self._blocks)

    def block_text(self, block: int) -> str:
        return self._texts[block]

    @property
    def text(self) -> str:
        return "\n".join(self._texts)

    def heading_blocks(self) -> list[int]:
        """Blocks of heading rows (bold in both panes)."""
        return [
            b
            for row in self.rows
            if row.heading
            for b in range(row.first_block, row.first_block + row.line_blocks)
        ]

    def row_first_blocks(self) -> list[int]:
        """The English block each row starts at (the row's first line), row by row."""
        return [row.first_block for row in self.rows]

    @property
    def translated(self) -> bool:
        return bool(self._english)

    def row_of_sentence(self, index: int) -> int | None:
        b = self._block_of.get(index)
        return None if b is None else self._blocks[b].row

    # ----- changing the English -------------------------------------------------------------
    def set_english(self, index: int, english: str | None) -> int | None:
        """Sentence ``index`` now shows ``english`` (None: not translated); returns the block
        whose text changed, or None when nothing did."""
        block = self._block_of.get(index)
        if block is None:
            return None
        english = _clean(english) or None
        if english is None:
            if self._english.pop(index, None) is None:
                return None
        else:
            if self._english.get(index) == english:
                return None
            self._english[index] = english
        new = self._join(block)
        if new == self._texts[block]:
            return None
        self._texts[block] = new
        self._starts = None
        return block

    def english(self, index: int) -> str | None:
        return self._english.get(index)

    # ----- where things are -----------------------------------------------------------------
    def block_spans(self, block: int) -> list[tuple[int, int, int]]:
        """``(sentence, start, end)`` of each translated sentence in ``block``, offsets in the
        block's text; the end is exclusive."""
        out: list[tuple[int, int, int]] = []
        pos = 0
        for i in self._blocks[block].sentences:
            if i not in self._english:
                continue
            if out:
                pos += 1  # the space between two sentences
            out.append((i, pos, pos + len(self._english[i])))
            pos += len(self._english[i])
        return out

    def block_of(self, index: int) -> int | None:
        return self._block_of.get(index)

    def span_in_block(self, index: int) -> tuple[int, int, int] | None:
        """``(block, start, end)`` of sentence ``index``'s English, or None if it has none."""
        block = self._block_of.get(index)
        if block is None or index not in self._english:
            return None
        for i, start, end in self.block_spans(block):
            if i == index:
                return block, start, end
        return None

    def _block_starts(self) -> list[int]:
        if self._starts is None:
            starts, pos = [], 0
            for t in self._texts:
                starts.append(pos)
                pos += len(t) + 1
            self._starts = starts
        return self._starts

    @property
    def spans(self) -> dict[int, tuple[int, int]]:
        """Sentence index -> (start, end) in ``text``, for every translated sentence."""
        starts = self._block_starts()
        out: dict[int, tuple[int, int]] = {}
        for b in range(len(self._blocks)):
            for i, s, e in self.block_spans(b):
                out[i] = (starts[b] + s, starts[b] + e)
        return out

    def sentence_in_block(self, block: int, offset: int) -> int | None:
        """The sentence at ``offset`` of ``block``; its end counts (a caret after a full stop)."""
        if not 0 <= block < len(self._blocks):
            return None
        for i, s, e in self.block_spans(block):
            if s <= offset <= e:
                return i
        return None

    def sentence_at(self, offset: int) -> int | None:
        """The sentence at code-point ``offset`` of ``text``."""
        starts = self._block_starts()
        for b in range(len(starts) - 1, -1, -1):
            if starts[b] <= offset:
                return self.sentence_in_block(b, offset - starts[b])
        return None

    def edit_target(self, block: int, start: int, end: int) -> tuple[int, int, int] | None:
        """The sentence an edit of ``block``'s old text ``[start, end)`` falls inside, with its
        span: ``(sentence, span start, span end)``; None when the edit touches the space between
        two sentences or a block without English (the edit is then refused)."""
        if not 0 <= block < len(self._blocks):
            return None
        for i, s, e in self.block_spans(block):
            if s <= start and end <= e:
                return i, s, e
        return None


def _clean(english: str | None) -> str:
    return " ".join((english or "").split())


def layout_translation(article: Article) -> TranslationLayout:
    return TranslationLayout(article)


def align_margins(
    left: list[float],
    left_margins: list[float],
    left_end: float,
    right: list[float],
    right_margins: list[float],
    right_end: float,
) -> tuple[list[float], list[float]]:
    """Top margins that put every row at the same height on both sides (pixels).

    ``left``/``right`` are the measured tops of each row's first block, laid out with the
    margins now applied (``*_margins``; the last entry of each is the bottom padding after the
    last row), ``*_end`` the measured bottom of the document. Taking the margins out gives each
    side's natural row heights; each row gets the taller side's height, so the shorter side's
    next row gets the difference as its top margin (the first row only if one side starts
    lower), and the shorter document a bottom padding so both end together (the scroll bars
    then have the same range and can be locked). Returns ``len(rows) + 1`` margins per side.
    """
    n = min(len(left), len(right))

    def natural(tops: list[float], margins: list[float], end: float) -> list[float]:
        out, shift = [], 0.0
        for r in range(n):
            shift += margins[r] if r < len(margins) else 0.0
            out.append(tops[r] - shift)
        shift += margins[n] if n < len(margins) else 0.0
        out.append(end - shift)
        return out

    nl = natural(left, left_margins, left_end)
    nr = natural(right, right_margins, right_end)
    lm = [0.0] * (n + 1)
    rm = [0.0] * (n + 1)
    if n:
        first = max(nl[0], nr[0])  # e.g. text before the first row on one side
        lm[0], rm[0] = first - nl[0], first - nr[0]
    for r in range(1, n + 1):
        hl, hr = nl[r] - nl[r - 1], nr[r] - nr[r - 1]
        pitch = max(hl, hr)
        lm[r], rm[r] = pitch - hl, pitch - hr
    return lm, rm
