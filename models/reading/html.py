"""Web pages -> article text: trafilatura, an extractor built for news pages.

It drops navigation, ads, cookie banners, captions and related-article boxes and reads title,
byline, date and canonical URL from ``<meta>``/JSON-LD. Parsing is lxml's: no script runs and no
remote resource (image, stylesheet, DTD) is ever fetched. Also reads the clipboard's HTML
(Windows' CF_HTML header and fragment markers included).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from models.article import Source
from models.errors import InputError
from models.reading.compose import clean, compose, headline_of
from models.reading.types import Block, ImportedText

_CF_HTML_HEADER = re.compile(r"\AVersion:\s*\d[^<]*?(?=<)", re.S)
_CF_SOURCE_URL = re.compile(r"^SourceURL:(\S+)", re.M)
_FRAGMENT = re.compile(r"<!--\s*StartFragment\s*-->(.*?)<!--\s*EndFragment\s*-->", re.S | re.I)


def _unwrap_clipboard(html: str) -> tuple[str, str | None]:
    """Strip the Windows CF_HTML header (keeping its SourceURL) and cut out the copied fragment."""
    url = None
    header = _CF_HTML_HEADER.match(html)
    if header:
        m = _CF_SOURCE_URL.search(header.group(0))
        url = m.group(1) if m else None
        html = html[header.end() :]
    frag = _FRAGMENT.search(html)
    if frag:
        # Keep the document head (a browser may put <title>/<meta> there) around the fragment.
        head = re.search(r"<head[\s>].*?</head>", html[: frag.start()], re.S | re.I)
        html = f"<html>{head.group(0) if head else ''}<body>{frag.group(1)}</body></html>"
    return html, url


def _trafilatura_config() -> Any:
    from trafilatura.settings import use_config

    cfg = use_config()
    # Clipboard selections and short pages are legitimate articles: do not require 250 characters
    # (below that trafilatura falls back to a baseline that runs all paragraphs together).
    cfg.set("DEFAULT", "MIN_EXTRACTED_SIZE", "10")
    cfg.set("DEFAULT", "MIN_OUTPUT_SIZE", "1")
    # Dates only from markup (meta, JSON-LD, <time>), never guessed from words in the body.
    cfg.set("DEFAULT", "EXTENSIVE_DATE_SEARCH", "off")
    return cfg


_cfg: Any = None
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(el: Any) -> str:
    """Text of a trafilatura XML element; <lb/> becomes a line break instead of gluing words."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if node.tag == "lb":
            parts.append("\n")
        elif node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return "".join(parts)


def _xml_blocks(el: Any) -> Iterator[Block]:
    for child in el:
        tag = child.tag
        if tag == "head":
            yield ("heading", _xml_text(child).replace("\n", " "))
        elif tag in ("p", "item", "code"):
            if len(child) and all(c.tag in ("p", "list", "quote") for c in child):
                yield from _xml_blocks(child)
            else:
                yield ("para", _xml_text(child))
        elif tag == "row":
            cells = [clean(_xml_text(c)).replace("\n", " ") for c in child]
            yield ("para", " | ".join(c for c in cells if c))
        elif tag in ("list", "quote", "table", "div", "main", "cell"):
            yield from _xml_blocks(child)
        elif tag in ("graphic", "comments"):
            continue
        else:
            yield ("para", _xml_text(child))


def _plain_blocks_from_html(html: str) -> list[Block]:
    """Fallback when trafilatura finds no main text: visible text of block elements, in order."""
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except Exception:  # lxml raises several types for garbage; the caller reports "no text"
        return []
    for bad in root.xpath("//script|//style|//noscript|//template|//head"):
        bad.drop_tree()
    blocks: list[Block] = []
    tags = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "pre", "td", "dd", "dt"}
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag not in tags:
            continue
        if any(isinstance(a.tag, str) and a.tag in tags for a in el.iterancestors()):
            continue
        blocks.append(("heading" if el.tag[0] == "h" and el.tag[1:].isdigit() else "para", el.text_content()))
    if not blocks:
        blocks.append(("para", root.text_content()))
    return blocks


def _run_trafilatura(trafilatura: Any, html: str, url: str | None) -> str | None:
    global _cfg
    if _cfg is None:
        _cfg = _trafilatura_config()
    return trafilatura.extract(  # type: ignore[no-any-return]
        html,
        url=url,
        output_format="xml",
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        include_formatting=False,
        config=_cfg,
        date_extraction_params={
            "original_date": True,
            "extensive_search": False,
            "outputformat": "%Y-%m-%dT%H:%M:%S%z",
        },
    )


def extract_html(html: str, url: str | None = None, *, name: str = "page") -> ImportedText:
    """Main text and metadata of a news page (or a copied fragment of one)."""
    import trafilatura
    from lxml import etree

    html, clip_url = _unwrap_clipboard(html)
    html = _XML_INVALID.sub("", html)  # lxml refuses NUL and C0 controls; they are never text
    url = url or clip_url
    try:
        xml = _run_trafilatura(trafilatura, html, url)
    except Exception:  # assorted lxml/trafilatura errors on malformed markup: use the fallback
        xml = None
    source = Source(url=url)
    blocks: list[Block] = []
    doc = None
    if xml:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        try:
            doc = etree.fromstring(xml.encode("utf-8"), parser)
        except etree.XMLSyntaxError:
            doc = None
    if doc is not None:
        main = doc.find("main")
        if main is not None:
            blocks = list(_xml_blocks(main))
        source.title = doc.get("title") or None
        source.author = _tidy_author(doc.get("author"))
        source.date = _tidy_date(doc.get("date"))
        source.url = doc.get("url") or url
        source.site = doc.get("sitename") or doc.get("hostname") or None
    if not any(text.strip() for _, text in blocks):
        blocks = _plain_blocks_from_html(html)
    text = compose(blocks, source.title)
    if not text.strip():
        raise InputError(f"{name} has no article text")
    if source.title is None:
        source.title = headline_of(text)
    return ImportedText(text=text, source=source, kind="html")


def _tidy_author(author: str | None) -> str | None:
    if not author:
        return None
    # trafilatura joins several bylines with "; "; keep that, drop a leading "Av"/"By".
    author = re.sub(r"^(?:av|by)\s+", "", author.strip(), flags=re.I)
    return author or None


def _tidy_date(date: str | None) -> str | None:
    """ISO 8601: '2024-03-12T07:45:00+0100' -> '2024-03-12T07:45:00+01:00'; bare dates stay dates."""
    if not date:
        return None
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})([+-]\d{2})(\d{2})", date)
    if m:
        return f"{m.group(1)}T{m.group(2)}{m.group(3)}:{m.group(4)}"
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})", date)
    if m:
        return date if m.group(2) != "00:00:00" else m.group(1)
    return date
