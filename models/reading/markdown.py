"""Markdown -> article text: the markup removed, the paragraph structure kept.

Parsed by markdown-it-py (CommonMark, plus GitHub's tables and strikethrough), so headings
(ATX and setext), lists, block quotes, code, links, images, emphasis, escapes and entities are
read as a Markdown renderer reads them; each heading, paragraph, list item and table row becomes
one block. A YAML-style front matter (``title:``, ``author:``, ``date:``, ``url:``) gives the
provenance; CommonMark has no front matter, so that part is read here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

from models.article import Source
from models.reading.compose import clean, compose
from models.reading.types import Block, ImportedText

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
# Block tokens whose inline content is one block of the article.
_BLOCK_KINDS = {"heading_open": "heading", "paragraph_open": "para", "th_open": "cell", "td_open": "cell"}


@cache
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def front_matter(md: str) -> tuple[dict[str, str], str]:
    """(``key: value`` fields of a leading ``---`` block, the rest of the text)."""
    meta: dict[str, str] = {}
    fm = _FRONT_MATTER.match(md)
    if not fm:
        return meta, md
    for line in fm.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t")):
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return meta, md[fm.end() :]


def _inline_text(children: Sequence[Token]) -> str:
    """The words of an inline run: link text kept, images and inline HTML dropped."""
    parts: list[str] = []
    for tok in children:  # an image's alt text is in its own children, never read
        if tok.type in ("text", "code_inline"):
            parts.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def markdown_blocks(md: str) -> tuple[list[Block], dict[str, str]]:
    """Markdown -> (blocks, front-matter fields)."""
    meta, body = front_matter(md)
    blocks: list[Block] = []
    row: list[str] = []
    kind: str | None = None
    for tok in _parser().parse(body):
        if tok.type in _BLOCK_KINDS:
            kind = _BLOCK_KINDS[tok.type]
        elif tok.type == "inline" and kind is not None:
            text = " ".join(_inline_text(tok.children or []).split())
            if kind == "cell":
                if text:
                    row.append(text)
            else:
                blocks.append((kind, text))
            kind = None
        elif tok.type == "tr_close":
            if row:
                blocks.append(("para", " | ".join(row)))
            row = []
        elif tok.type in ("fence", "code_block"):
            blocks.append(("para", " ".join(line.strip() for line in tok.content.splitlines())))
        elif tok.type == "html_block":
            text = re.sub(r"<!--.*?-->|<[^>]*>", " ", tok.content, flags=re.S)
            blocks.append(("para", " ".join(text.split())))
    return blocks, meta


def extract_markdown(md: str) -> ImportedText:
    blocks, meta = markdown_blocks(md)
    title = meta.get("title") or None
    if title is None and blocks and blocks[0][0] == "heading":
        title = clean(blocks[0][1])
    text = compose(blocks, title)
    source = Source(
        title=title,
        author=meta.get("author") or None,
        date=meta.get("date") or None,
        url=meta.get("url") or meta.get("source") or None,
    )
    return ImportedText(text=text, source=source, kind="markdown")
