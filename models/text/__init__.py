"""Stage 2, segment: paragraphs and sentences with exact offsets, and the article's language."""
