"""Every reader's last step: blocks of text -> the one article shape the segmenter expects.

The headline on the first line, then paragraphs separated by blank lines, subheadings as
paragraphs of their own (so the segmenter marks them as headings).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from models.reading.types import Block

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def clean(text: str) -> str:
    """One paragraph: runs of spaces collapsed, single line breaks kept, no blank lines inside."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def _same(a: str, b: str) -> bool:
    norm = re.compile(r"\W+")
    return norm.sub(" ", a).strip().casefold() == norm.sub(" ", b).strip().casefold()


def compose(blocks: Iterable[Block], title: str | None = None) -> str:
    """Headline first, then one block per paragraph, blank lines between.

    When the metadata title is known but the body does not start with it (the ``<h1>`` sat outside
    the extracted main text, or a .docx has its title only in its properties), it is put first so
    the article still opens with its headline.
    """
    cleaned = [(kind, clean(text)) for kind, text in blocks]
    cleaned = [(kind, text) for kind, text in cleaned if text]
    if title:
        title = clean(title).replace("\n", " ")
    if title and not (cleaned and _same(cleaned[0][1], title)):
        cleaned.insert(0, ("heading", title))
    return "\n\n".join(text for _, text in cleaned)


_END_PUNCT = tuple('.!?:;,…»"”)')


def headline_of(text: str) -> str | None:
    """The first line when it reads as a headline: alone in its paragraph, short, no final stop."""
    stripped = text.lstrip()
    if not stripped:
        return None
    first_para = re.split(r"\n[ \t]*\n", stripped, maxsplit=1)[0]
    if "\n" in first_para.strip():
        return None
    line = first_para.strip()
    if len(line) > 200 or len(line.split()) > 25 or line.endswith(_END_PUNCT[:3]):
        return None
    if len(re.split(r"\n[ \t]*\n", stripped, maxsplit=1)) < 2:
        return None  # a one-paragraph text is all body
    return line
