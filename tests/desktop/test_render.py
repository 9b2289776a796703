"""The translation pane's layout: one row per paragraph, spans point at exactly each sentence's
English, and streaming (``set_english``) gives the same text as a full rebuild."""

from __future__ import annotations

from desktop.render import TranslationLayout, layout_translation
from models.pipeline import article_from_text

TEXT = "Tittel her\n\nFørste setning. Andre setning.\n\n\n\nTredje setning i nytt avsnitt."


def _translated():
    art = article_from_text(TEXT)
    for s in art.sentences:
        s.translation = f"EN{s.index} 😀  words"
    return art


def test_spans_cover_each_translation_and_rows_mirror_the_paragraphs() -> None:
    art = _translated()
    layout = layout_translation(art)
    for s in art.sentences:
        start, end = layout.spans[s.index]
        assert layout.text[start:end] == " ".join(s.translation.split())
    rows = [p for p in art.paragraphs if p.sentences]
    assert len(layout.rows) == len(rows) == 3
    # One blank line between rows, however many the Original has (the run of three collapses).
    assert layout.text.count("\n\n") == len(rows) - 1
    assert "\n\n\n" not in layout.text
    assert len(layout.spans) == len(art.sentences)
    assert [layout.block_text(b).split()[0] for b in layout.row_first_blocks()] == ["EN0", "EN1", "EN3"]


def test_streaming_equals_full_rebuild_and_keeps_rows_of_untranslated_sentences() -> None:
    art = _translated()
    full = layout_translation(art)
    last = art.sentences[-1]
    english = {s.index: s.translation for s in art.sentences}
    for s in art.sentences:
        s.translation = None
    stream = TranslationLayout(art)
    assert not stream.translated
    assert stream.block_count == full.block_count  # every row is there before its English
    for s in art.sentences[:-1]:
        block = stream.set_english(s.index, english[s.index])
        assert block == full.block_of(s.index)
    assert last.index not in stream.spans
    assert stream.row_first_blocks() == full.row_first_blocks()
    stream.set_english(last.index, english[last.index])
    assert stream.text == full.text and stream.spans == full.spans
    mid = stream.spans[1][0] + 1
    assert stream.sentence_at(mid) == 1
    assert stream.sentence_at(stream.spans[1][1]) == 1  # caret right after the full stop
    assert stream.set_english(1, english[1]) is None  # unchanged: nothing to redraw
