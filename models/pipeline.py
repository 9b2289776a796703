"""The engine API shared by the CLI and the GUI: load, segment, summarize, translate, check.

Widgets and CLI commands call these functions rather than the lower modules, so both paths
behave the same.
"""

from __future__ import annotations

from pathlib import Path

from models.article import Article
from models.segment import segment
from models.textio import read_input


def article_from_text(text: str, *, file: str | None = None, warnings: list[str] | None = None) -> Article:
    """Segment already-decoded text into an Article (title = first headline line)."""
    article = segment(text)
    if file:
        article.source.file = file
    if warnings:
        article.warnings.extend(warnings)
    if article.title is None and article.sentences and article.sentences[0].heading:
        article.title = article.sentences[0].text
    if article.source.title is None:
        article.source.title = article.title
    return article


def load_article(path: str) -> Article:
    """Read a file (or ``-`` for stdin) and segment it."""
    result = read_input(path)
    name = None if path == "-" else str(Path(path))
    return article_from_text(result.text, file=name, warnings=result.warnings)
