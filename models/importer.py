"""Article import: web pages, links, Word documents, Markdown and plain text -> clean article text.

Every importer produces the same shape for the segmenter: the headline on the first line, then
paragraphs separated by blank lines, subheadings as paragraphs of their own (so the segmenter marks
them as headings), plus the provenance (``Source``) that export carries.

HTML goes through trafilatura, an extractor built for news pages: it drops navigation, ads, cookie
banners, captions and related-article boxes and reads title, byline, date and canonical URL from
``<meta>``/JSON-LD. Parsing is lxml's: no script runs and no remote resource (image, stylesheet,
DTD) is ever fetched. The only network access here is ``fetch_url`` for a link the user gave.
"""

from __future__ import annotations

import io
import re
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any

from models import __version__
from models.article import Source
from models.errors import InputError, NetworkError
from models.textio import (
    decode_bytes,
    decode_html_bytes,
    looks_like_html,
    read_bytes,
)

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".markdown", ".html", ".htm", ".xhtml", ".docx")
# Qt file-dialog filter string (``QFileDialog.getOpenFileName(..., filter=FILE_DIALOG_FILTER)``).
FILE_DIALOG_FILTER = ";;".join(
    [
        "Articles (*.txt *.md *.markdown *.html *.htm *.xhtml *.docx)",
        "Text and Markdown (*.txt *.md *.markdown)",
        "Web pages (*.html *.htm *.xhtml)",
        "Word documents (*.docx)",
        "All files (*)",
    ]
)

# Fetching a link: generous for a slow newsroom connection, small enough to not hang the app.
FETCH_TIMEOUT = 20.0
MAX_PAGE_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 10
USER_AGENT = f"Nordbrief/{__version__} (offline news translator; fetches one page on request)"

Block = tuple[str, str]  # ("heading" | "para", text)


@dataclass
class ImportedText:
    """What an importer hands the pipeline: article text in segmenter shape, provenance, warnings."""

    text: str
    source: Source = field(default_factory=Source)
    warnings: list[str] = field(default_factory=list)
    kind: str = "text"  # "text" | "markdown" | "html" | "docx"


# ---------------------------------------------------------------- composing the article text


_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def _clean(text: str) -> str:
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
    cleaned = [(kind, _clean(text)) for kind, text in blocks]
    cleaned = [(kind, text) for kind, text in cleaned if text]
    if title:
        title = _clean(title).replace("\n", " ")
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


# ---------------------------------------------------------------- HTML


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
            cells = [_clean(_xml_text(c)).replace("\n", " ") for c in child]
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


# ---------------------------------------------------------------- Word


_DOCX_DEFAULT_AUTHORS = {"python-docx", "microsoft office user", "windows user", "author", "user"}


def extract_docx(data: bytes, name: str = "document") -> ImportedText:
    """Paragraphs and headings of a .docx in reading order; table cells flattened row by row."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError):
        raise InputError(f"{name} is not a readable Word (.docx) document") from None
    except Exception as exc:  # python-docx/lxml raise many types for a damaged package
        raise InputError(f"{name} is a damaged Word document ({type(exc).__name__})") from None

    blocks: list[Block] = []

    def para_block(p: Any) -> Block | None:
        text = p.text
        if not text.strip():
            return None
        style = (p.style.name if p.style is not None else "") or ""
        is_heading = style == "Title" or style.startswith("Heading") or style.startswith("Overskrift")
        return ("heading" if is_heading else "para", text.replace("\n", " ") if is_heading else text)

    def walk(items: Iterable[Any]) -> None:
        for item in items:
            if isinstance(item, Table):
                for row in item.rows:
                    seen: set[int] = set()
                    cells: list[str] = []
                    for cell in row.cells:
                        if id(cell._tc) in seen:  # a merged cell repeats in every column it spans
                            continue
                        seen.add(id(cell._tc))
                        cell_text = " ".join(_clean(p.text).replace("\n", " ") for p in cell.paragraphs)
                        if cell_text.strip():
                            cells.append(cell_text.strip())
                    if cells:
                        blocks.append(("para", " | ".join(cells)))
            else:
                b = para_block(item)
                if b:
                    blocks.append(b)

    walk(document.iter_inner_content())
    props = document.core_properties
    title = (props.title or "").strip() or None
    author = (props.author or "").strip() or None
    if author and author.casefold() in _DOCX_DEFAULT_AUTHORS:
        author = None
    if title is None and blocks and blocks[0][0] == "heading":
        title = _clean(blocks[0][1])
    text = compose(blocks, title)
    if not text.strip():
        raise InputError(f"{name} has no text")
    return ImportedText(text=text, source=Source(title=title, author=author), kind="docx")


# ---------------------------------------------------------------- Markdown


_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_HR = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_LIST = re.compile(r"^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_INLINE = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), ""),  # images: drop (alt text is not article text)
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # [text](url)
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # [text][ref]
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),  # <http://autolink>
    (re.compile(r"`([^`]+)`"), r"\1"),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])"), r"\1"),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),
    (re.compile(r"<!--.*?-->", re.S), ""),
    (re.compile(r"</?[A-Za-z][^>\n]*>"), ""),  # inline HTML tags
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!>])"), r"\1"),  # backslash escapes
]
_REF_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S+.*$")


def _md_inline(text: str) -> str:
    for pattern, repl in _INLINE:
        text = pattern.sub(repl, text)
    return text


def markdown_blocks(md: str) -> tuple[list[Block], dict[str, str]]:
    """Markdown -> (blocks, front-matter fields): markup removed, paragraph structure kept."""
    meta: dict[str, str] = {}
    fm = _FRONT_MATTER.match(md)
    if fm:
        for line in fm.group(1).splitlines():
            key, sep, value = line.partition(":")
            if sep and key.strip() and not key.startswith((" ", "\t")):
                meta[key.strip().lower()] = value.strip().strip("\"'")
        md = md[fm.end() :]
    blocks: list[Block] = []
    para: list[str] = []
    in_fence = False

    def flush() -> None:
        if para:
            blocks.append(("para", " ".join(para)))
            para.clear()

    lines = md.split("\n")
    for i, raw in enumerate(lines):
        if _FENCE.match(raw):
            flush()
            in_fence = not in_fence
            continue
        if in_fence:
            para.append(raw.strip())
            continue
        line = raw.rstrip()
        if not line.strip():
            flush()
            continue
        if _REF_DEF.match(line):
            continue
        atx = _ATX.match(line)
        if atx:
            flush()
            blocks.append(("heading", _md_inline(atx.group(2))))
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if not para and _SETEXT.match(nxt) and not _LIST.match(line) and not _HR.match(line):
            blocks.append(("heading", _md_inline(line.strip())))
            lines[i + 1] = ""  # consume the underline
            continue
        if _HR.match(line):
            flush()
            continue
        line = re.sub(r"^ {0,3}(?:>[ \t]?)+", "", line)  # blockquote markers
        if _LIST.match(line):
            flush()
            blocks.append(("para", _md_inline(_LIST.sub("", line, count=1).strip())))
            continue
        if blocks and blocks[-1][0] == "para" and not para and raw.startswith(("  ", "\t")):
            # indented continuation of a list item
            kind, prev = blocks.pop()
            blocks.append((kind, prev + " " + _md_inline(line.strip())))
            continue
        para.append(_md_inline(line.strip()))
    flush()
    return blocks, meta


def extract_markdown(md: str) -> ImportedText:
    blocks, meta = markdown_blocks(md)
    title = meta.get("title") or None
    if title is None and blocks and blocks[0][0] == "heading":
        title = _clean(blocks[0][1])
    text = compose(blocks, title)
    source = Source(
        title=title,
        author=meta.get("author") or None,
        date=meta.get("date") or None,
        url=meta.get("url") or meta.get("source") or None,
    )
    return ImportedText(text=text, source=source, kind="markdown")


# ---------------------------------------------------------------- files


def _is_docx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "word/document.xml" in zf.namelist()
    except zipfile.BadZipFile:
        return False


def import_bytes(data: bytes, name: str, suffix: str = "") -> ImportedText:
    """Dispatch on the file kind: .docx, HTML (by suffix or content), Markdown, plain text."""
    suffix = suffix.lower()
    if suffix == ".doc":
        raise InputError(f"{name} is an old Word 97-2003 document; save it as .docx and open that")
    if suffix == ".docx" or _is_docx(data):
        if suffix != ".docx":
            imp = extract_docx(data, name)
            imp.warnings.insert(0, f"{name} is a Word document; read it as .docx")
            return imp
        return extract_docx(data, name)
    if suffix in (".html", ".htm", ".xhtml"):
        result = decode_html_bytes(data, name)
        imp = extract_html(result.text, name=name)
        imp.warnings[:0] = result.warnings
        return imp
    result = decode_bytes(data, name)
    if looks_like_html(result.text):
        imp = extract_html(result.text, name=name)
        imp.warnings[:0] = [*result.warnings, f"{name} contains HTML; extracted the article text from it"]
        return imp
    if suffix in (".md", ".markdown"):
        imp = extract_markdown(result.text)
    else:
        imp = ImportedText(text=result.text, kind="text")
    imp.warnings[:0] = result.warnings
    if not imp.text.strip():
        raise InputError(f"{name} is empty: there is no text to work on")
    return imp


def import_file(path: str) -> ImportedText:
    """Read a file (or ``-`` for standard input) of any supported kind."""
    data, name = read_bytes(path)
    imp = import_bytes(data, name, "" if path == "-" else Path(path).suffix)
    if path != "-":
        imp.source.file = str(Path(path))
    return imp


# ---------------------------------------------------------------- URLs


_SCHEME = re.compile(r"\A([A-Za-z][A-Za-z0-9+.-]*)://")


def is_url(text: str) -> bool:
    """Looks like ``scheme://...`` (any scheme: a wrong one must get a clear error, not 'no file')."""
    return bool(_SCHEME.match(text.strip()))


def _check_scheme(url: str) -> None:
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise InputError(f"only http:// and https:// links can be opened, not {scheme}://")
    if not urllib.parse.urlsplit(url).hostname:
        raise InputError(f"not a valid link: {url}")


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects, but only to http/https (urllib would also follow to ftp)."""

    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        newurl = urllib.parse.urljoin(req.full_url, newurl)
        scheme = urllib.parse.urlsplit(newurl).scheme.lower()
        if scheme not in ("http", "https"):
            raise NetworkError(f"{req.full_url} redirects to a {scheme}:// link, which is not followed")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


@dataclass
class FetchedPage:
    url: str  # after redirects
    data: bytes
    content_type: str
    charset: str | None


def _size_text(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n} bytes"


def _normalise_url(url: str) -> str:
    """Percent-encode what a browser would (æøå in paths, spaces) and IDNA-encode the host.

    Links copied from an address bar often hold raw Norwegian letters; http.client only sends ASCII.
    """
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise InputError(f"not a valid link: {url}") from None
    if ":" in ascii_host:  # IPv6 literal
        ascii_host = f"[{ascii_host}]"
    try:
        port = parts.port
    except ValueError:
        raise InputError(f"not a valid link: {url} (bad port)") from None
    netloc = ascii_host + (f":{port}" if port else "")
    if parts.username:
        raise InputError("links with a user name or password are not opened (they would be sent in clear)")
    safe = "/%:@!$&'()*+,;=-._~"
    return urllib.parse.urlunsplit(
        (
            parts.scheme.lower(),
            netloc,
            urllib.parse.quote(parts.path, safe=safe),
            urllib.parse.quote(parts.query, safe=safe + "?"),
            "",  # the fragment is never sent to a server
        )
    )


class _Decompressor:
    """Undo gzip/deflate transfer compression with the size cap applied to the *decoded* bytes."""

    def __init__(self, encoding: str | None, url: str) -> None:
        enc = (encoding or "identity").strip().lower()
        self.url = url
        if enc in ("", "identity"):
            self._z = None
        elif enc in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif enc == "deflate":
            self._z = zlib.decompressobj()
        else:
            raise NetworkError(f"{url}: the server used an unsupported compression ({enc})")

    def feed(self, chunk: bytes, room: int) -> bytes:
        """Decoded bytes of ``chunk``; more than ``room`` of them means the page is too large."""
        if self._z is None:
            return chunk
        try:
            out = self._z.decompress(chunk, room + 1)
        except zlib.error:
            raise NetworkError(f"{self.url}: the server sent damaged compressed data") from None
        if self._z.unconsumed_tail:
            return out + b"\0"  # beyond the cap; the caller reports "too large"
        return out


def fetch_url(url: str, *, timeout: float = FETCH_TIMEOUT, max_bytes: int = MAX_PAGE_BYTES) -> FetchedPage:
    """GET one page: http/https only, redirects followed, ``timeout`` overall, ``max_bytes`` cap.

    Every failure is a ``NetworkError`` (exit 4) with one line a user can act on; a wrong scheme
    or a malformed link is an ``InputError`` (exit 2).
    """
    url = url.strip()
    _check_scheme(url)
    wire_url = _normalise_url(url)
    opener = urllib.request.build_opener(_Redirects())
    request = urllib.request.Request(
        wire_url,
        headers={
            "User-Agent": USER_AGENT,
            "Accept": "text/html,application/xhtml+xml,text/*;q=0.8",
            "Accept-Encoding": "gzip, deflate",
        },
    )
    host = urllib.parse.urlsplit(url).hostname
    too_large = f"{url}: the page is larger than {_size_text(max_bytes)}"
    deadline = time.monotonic() + timeout
    try:
        with opener.open(request, timeout=timeout) as resp:
            final_url = resp.geturl()
            headers: Message = resp.headers
            length = headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise NetworkError(too_large)
            decoder = _Decompressor(headers.get("Content-Encoding"), url)
            chunks: list[bytes] = []
            size = 0
            while True:
                if time.monotonic() > deadline:
                    raise NetworkError(f"{url}: timed out after {timeout:g} s")
                chunk = resp.read(64 * 1024)
                if not chunk:
                    break
                data = decoder.feed(chunk, max_bytes - size)
                size += len(data)
                if size > max_bytes:
                    raise NetworkError(too_large)
                chunks.append(data)
    except NetworkError:
        raise
    except urllib.error.HTTPError as exc:
        raise NetworkError(f"{url}: the server answered {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise NetworkError(_describe_network_error(url, host, exc.reason)) from None
    except TimeoutError:
        raise NetworkError(f"{url}: timed out after {timeout:g} s") from None
    except (ConnectionError, ssl.SSLError, OSError) as exc:
        raise NetworkError(_describe_network_error(url, host, exc)) from None
    except ValueError as exc:  # malformed URL that passed the checks above
        raise InputError(f"not a valid link: {url} ({exc})") from None
    content_type = headers.get_content_type()
    charset = headers.get_content_charset()
    return FetchedPage(url=final_url, data=b"".join(chunks), content_type=content_type, charset=charset)


def _describe_network_error(url: str, host: str | None, reason: object) -> str:
    if isinstance(reason, TimeoutError):
        return f"{url}: timed out"
    if isinstance(reason, socket.gaierror):
        return f"cannot find {host} (offline, or a mistyped address?)"
    if isinstance(reason, ConnectionRefusedError):
        return f"cannot connect to {host}: connection refused (offline, or the site is down?)"
    if isinstance(reason, ssl.SSLError):
        return f"cannot connect securely to {host}: {getattr(reason, 'reason', None) or reason}"
    text = getattr(reason, "strerror", None) or str(reason)
    return f"cannot reach {host}: {text} (are you offline?)"


def import_url(url: str, *, timeout: float = FETCH_TIMEOUT, max_bytes: int = MAX_PAGE_BYTES) -> ImportedText:
    """Fetch a link and import it as a web page (or as text, for a text/plain link)."""
    page = fetch_url(url, timeout=timeout, max_bytes=max_bytes)
    name = page.url
    kind = page.content_type
    starts_like_markup = page.data[:1024].lstrip()[:1] == b"<"
    if not (kind.startswith("text/") or kind == "application/xhtml+xml" or starts_like_markup):
        raise InputError(f"{url} is not a web page ({kind}); save it and open the file instead")
    result = decode_html_bytes(page.data, name, page.charset)
    if kind in ("text/html", "application/xhtml+xml") or looks_like_html(result.text):
        imp = extract_html(result.text, page.url, name=name)
    elif kind == "text/markdown":
        imp = extract_markdown(result.text)
    else:
        imp = ImportedText(text=result.text, kind="text")
    if not imp.text.strip():
        raise InputError(f"{url} has no text")
    imp.warnings[:0] = result.warnings
    if imp.source.url is None:
        imp.source.url = page.url
    return imp
