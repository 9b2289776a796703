"""The translation pane's layout: spans point at exactly each sentence's English."""

from __future__ import annotations

from desktop.render import PARAGRAPH_BREAK, TranslationLayout, layout_translation
from models.pipeline import article_from_text

TEXT = "Tittel her\n\nFørste setning. Andre setning.\n\nTredje setning i nytt avsnitt."


def _translated():
    art = article_from_text(TEXT)
    for s in art.sentences:
        s.translation = f"EN{s.index} 😀  words"
    return art


def test_spans_cover_each_translation_and_paragraphs_are_separated() -> None:
    art = _translated()
    layout = layout_translation(art)
    for s in art.sentences:
        start, end = layout.spans[s.index]
        assert layout.text[start:end] == " ".join(s.translation.split())
    assert layout.text.count(PARAGRAPH_BREAK) == len(art.paragraphs) - 1
    assert len(layout.spans) == len(art.sentences)


def test_streaming_appends_equal_full_rebuild_and_skip_untranslated() -> None:
    art = _translated()
    art.sentences[-1].translation = None
    stream = TranslationLayout()
    chunks = "".join(stream.append(s) for s in art.sentences)
    assert chunks == stream.text == layout_translation(art).text
    assert art.sentences[-1].index not in stream.spans
    mid = stream.spans[1][0] + 1
    assert stream.sentence_at(mid) == 1
    assert stream.sentence_at(stream.spans[1][1]) == 1  # caret right after the full stop
