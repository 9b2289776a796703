"""Which reader reads what: a file, standard input or a fetched link -> ``ImportedText``.

Dispatch on the file kind (suffix, else content): .docx, HTML, Markdown, plain text. Every reader
produces the same shape for the segmenter (``models.reading.compose``) plus the provenance
(``Source``) that export carries.
"""

from __future__ import annotations

from pathlib import Path

from models.errors import InputError
from models.reading.decode import (
    MAX_INPUT_TEXT_CHARS,
    decode_bytes,
    decode_html_bytes,
    looks_like_html,
    read_bytes,
)
from models.reading.docx import extract_docx, is_docx
from models.reading.html import extract_html
from models.reading.markdown import extract_markdown
from models.reading.types import MARKDOWN_SUFFIXES, WEB_PAGE, WORD, ImportedText
from models.reading.web import FETCH_TIMEOUT, MAX_PAGE_BYTES, fetch_url


def _check_text_size(imp: ImportedText, name: str) -> ImportedText:
    """The input limit holds for the text too: a .docx or a page can hold more text than bytes."""
    if len(imp.text) > MAX_INPUT_TEXT_CHARS:
        raise InputError(
            f"{name} holds {len(imp.text) >> 20} MB of text, more than the {MAX_INPUT_TEXT_CHARS >> 20} MB"
            " Nordbrief reads (a long news article is under 100 kB); split it or open the part you need"
        )
    return imp


def import_bytes(data: bytes, name: str, suffix: str = "") -> ImportedText:
    """Dispatch on the file kind: .docx, HTML (by suffix or content), Markdown, plain text."""
    return _check_text_size(_import_bytes(data, name, suffix), name)


def _import_bytes(data: bytes, name: str, suffix: str) -> ImportedText:
    suffix = suffix.lower()
    if suffix == ".doc":
        raise InputError(f"{name} is an old Word 97-2003 document; save it as .docx and open that")
    if suffix in WORD.suffixes or is_docx(data):
        if suffix not in WORD.suffixes:
            imp = extract_docx(data, name)
            imp.warnings.insert(0, f"{name} is a Word document; read it as .docx")
            return imp
        return extract_docx(data, name)
    if suffix in WEB_PAGE.suffixes:
        result = decode_html_bytes(data, name)
        imp = extract_html(result.text, name=name)
        imp.warnings[:0] = result.warnings
        return imp
    result = decode_bytes(data, name)
    if looks_like_html(result.text):
        imp = extract_html(result.text, name=name)
        imp.warnings[:0] = [*result.warnings, f"{name} contains HTML; extracted the article text from it"]
        return imp
    if suffix in MARKDOWN_SUFFIXES:
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
    return _check_text_size(imp, url)
