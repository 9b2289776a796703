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
                        cell_text = " ".join(clean(p.text).replace("\n", " ") for p in cell.paragraphs)
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
