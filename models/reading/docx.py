"""Word documents (.docx) -> article text: paragraphs, headings and table rows in reading order."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from typing import Any

from models.article import Source
from models.errors import InputError
from models.reading.compose import clean, compose
from models.reading.types import Block, ImportedText

_DOCX_DEFAULT_AUTHORS = {"python-docx", "microsoft office user", "windows user", "author", "user"}

# A .docx is a ZIP; python-docx loads every part into memory and parses every XML part whole, so
# a small file that inflates to gigabytes ("docx bomb") is refused from the ZIP directory first.
# Real articles: document.xml of a few hundred kB; 100,000 paragraphs of news text stay under 40 MB.
MAX_DOCX_XML_BYTES = 64 * 1024 * 1024  # all XML parts together, uncompressed
# Everything, images included: the file itself is at most 10 MB (MAX_INPUT_BYTES) and images do
# not compress, so a real document stays near 64 + 10 MB; a part renamed .png is still counted here.
MAX_DOCX_TOTAL_BYTES = 96 * 1024 * 1024
MAX_DOCX_MEMBERS = 10_000
# Deflated XML of real documents compresses 5-20x (100,000 identical paragraphs: 261x); a bomb
# of repeated text, about 1000x. Judged only for parts big enough to cost real memory.
MAX_DOCX_RATIO = 100
_RATIO_FLOOR = 16 * 1024 * 1024  # below this, parsing stays cheap whatever the ratio


def check_docx_package(data: bytes, name: str) -> None:
    """Refuse a docx bomb from the ZIP directory alone (declared sizes; zipfile never inflates a
    member past its declared size, so the declaration is a bound on what parsing will read)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise InputError(f"{name} is not a readable Word (.docx) document") from None
    if len(infos) > MAX_DOCX_MEMBERS:
        raise InputError(f"{name} has {len(infos)} parts inside; not a Word document an editor wrote")
    total = sum(i.file_size for i in infos)
    xml = sum(i.file_size for i in infos if i.filename.lower().endswith((".xml", ".rels")))
    too_big = f"{name} unpacks to {{}} MB of {{}}: more than {{}} MB, refused (a 'docx bomb'?)"
    if xml > MAX_DOCX_XML_BYTES:
        raise InputError(too_big.format(xml >> 20, "XML", MAX_DOCX_XML_BYTES >> 20))
    if total > MAX_DOCX_TOTAL_BYTES:
        raise InputError(too_big.format(total >> 20, "content", MAX_DOCX_TOTAL_BYTES >> 20))
    for info in infos:
        if info.file_size > _RATIO_FLOOR and info.file_size > MAX_DOCX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise InputError(
                f"{name}: part {info.filename[:80]} inflates {ratio}x (more than {MAX_DOCX_RATIO}x); "
                "refused (a 'docx bomb'?)"
            )


def _fast_text_tools() -> tuple[Any, Any]:
    """Paragraph text and style id as python-docx gives them (``Paragraph.text``,
    ``CT_P.style``), without its per-call XPath: lxml compiles the XPath string on every call,
    which was most of the time for 100,000 paragraphs. The text of each run element still comes
    from python-docx's own element classes (``str()`` of w:t, w:tab, w:br, ...)."""
    from docx.oxml.ns import qn

    run, hyperlink = qn("w:r"), qn("w:hyperlink")
    run_text = {qn(f"w:{t}") for t in ("br", "cr", "noBreakHyphen", "ptab", "t", "tab")}
    ppr, pstyle, val = qn("w:pPr"), qn("w:pStyle"), qn("w:val")

    def runs_text(r: Any) -> str:
        return "".join(str(e) for e in r if e.tag in run_text)

    def para_text(p: Any) -> str:
        parts: list[str] = []
        for child in p:
            if child.tag == run:
                parts.append(runs_text(child))
            elif child.tag == hyperlink:
                parts.extend(runs_text(r) for r in child if r.tag == run)
        return "".join(parts)

    def style_id(p: Any) -> str | None:
        props = p.find(ppr)
        element = props.find(pstyle) if props is not None else None
        return element.get(val) if element is not None else None

    return para_text, style_id


def extract_docx(data: bytes, name: str = "document") -> ImportedText:
    """Paragraphs and headings of a .docx in reading order; table cells flattened row by row."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    check_docx_package(data, name)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError):
        raise InputError(f"{name} is not a readable Word (.docx) document") from None
    except Exception as exc:  # python-docx/lxml raise many types for a damaged package
        raise InputError(f"{name} is a damaged Word document ({type(exc).__name__})") from None

    blocks: list[Block] = []
    # Style names by id, read once: ``Paragraph.style`` scans every style of the document for each
    # paragraph (100,000 paragraphs took 85 s). Same rules as python-docx's ``get_style``: no
    # style, or an id that is not a paragraph style, means the default paragraph style.
    try:
        default = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
        default_name = (default.name if default is not None else "") or ""
        style_names = {s.style_id: s.name or "" for s in document.styles if s.type == WD_STYLE_TYPE.PARAGRAPH}
    except Exception as exc:  # a damaged styles part
        raise InputError(f"{name} is a damaged Word document ({type(exc).__name__})") from None

    para_text, para_style_id = _fast_text_tools()

    def para_block(p: Any) -> Block | None:
        text = para_text(p._p)
        if not text.strip():
            return None
        style_id = para_style_id(p._p)
        style = style_names.get(style_id, default_name) if style_id is not None else default_name
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
                        cell_text = " ".join(
                            clean(para_text(p._p)).replace("\n", " ") for p in cell.paragraphs
                        )
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
        title = clean(blocks[0][1])
    text = compose(blocks, title)
    if not text.strip():
        raise InputError(f"{name} has no text")
    return ImportedText(text=text, source=Source(title=title, author=author), kind="docx")


def is_docx(data: bytes) -> bool:
    """A ZIP package with a Word document inside, whatever the file is called."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "word/document.xml" in zf.namelist()
    except zipfile.BadZipFile:
        return False
