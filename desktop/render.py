"""Qt-free layout of the translation pane: English text paragraph by paragraph, plus a map from
sentence index to its (start, end) in that text, so the panes can be linked sentence by sentence.

The same builder serves streaming (append each sentence as it arrives, in document order) and a
full rebuild (restored session, finished job), so both always produce identical text and offsets.
"""

from __future__ import annotations

from models.article import Article, Sentence

PARAGRAPH_BREAK = "\n\n"


class TranslationLayout:
    """Grows the translation text sentence by sentence; offsets are code points into ``text``."""

    def __init__(self) -> None:
        self.text = ""
        self.spans: dict[int, tuple[int, int]] = {}
        self._last_paragraph: int | None = None
        self._last_heading = False

    def append(self, sentence: Sentence) -> str:
        """Add one translated sentence; returns exactly the string appended to ``text``."""
        body = " ".join((sentence.translation or "").split())
        if not body:
            return ""
        if self._last_paragraph is None:
            sep = ""
        elif sentence.paragraph != self._last_paragraph or sentence.heading or self._last_heading:
            sep = PARAGRAPH_BREAK
        else:
            sep = " "
        start = len(self.text) + len(sep)
        chunk = sep + body
        self.text += chunk
        self.spans[sentence.index] = (start, start + len(body))
        self._last_paragraph = sentence.paragraph
        self._last_heading = sentence.heading
        return chunk

    def sentence_at(self, offset: int) -> int | None:
        """The sentence whose span holds ``offset``; the end position counts (caret after a full stop)."""
        for idx, (s, e) in self.spans.items():
            if s <= offset <= e:
                return idx
        return None


def layout_translation(article: Article) -> TranslationLayout:
    layout = TranslationLayout()
    for s in article.sentences:
        layout.append(s)
    return layout
