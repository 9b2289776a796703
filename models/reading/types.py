"""What every reader hands the pipeline, and the file types the app opens (one table for the
command line's help, the engine's dispatch and the window's Open dialog)."""

from __future__ import annotations

from dataclasses import dataclass, field

from models.article import Source

Block = tuple[str, str]  # ("heading" | "para", text)


@dataclass
class ImportedText:
    """What an importer hands the pipeline: article text in segmenter shape, provenance, warnings."""

    text: str
    source: Source = field(default_factory=Source)
    warnings: list[str] = field(default_factory=list)
    kind: str = "text"  # "text" | "markdown" | "html" | "docx"


@dataclass(frozen=True)
class FileType:
    """A kind of article file: a label for people and the suffixes it comes with."""

    label: str
    suffixes: tuple[str, ...]


TEXT = FileType("Text and Markdown", (".txt", ".md", ".markdown"))
WEB_PAGE = FileType("Web pages", (".html", ".htm", ".xhtml"))
WORD = FileType("Word documents", (".docx",))
# In the order an Open dialog offers them; every suffix here is read by ``models.reading``.
FILE_TYPES: tuple[FileType, ...] = (TEXT, WEB_PAGE, WORD)
MARKDOWN_SUFFIXES = (".md", ".markdown")
