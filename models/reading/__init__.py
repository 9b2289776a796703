"""Stage 1, read: a file, a link or the clipboard -> article text in segmenter shape + provenance.

``files`` dispatches on the kind; ``decode`` turns bytes into text; ``html`` (trafilatura),
``docx`` (python-docx) and ``markdown`` (markdown-it-py) read their formats; ``web`` fetches a
link (httpx); ``compose`` gives every reader's blocks the one shape the segmenter expects.
"""

from models.reading.files import import_bytes, import_file, import_url
from models.reading.types import FILE_TYPES, FileType, ImportedText
from models.reading.web import fetch_url, is_url

__all__ = [
    "FILE_TYPES",
    "FileType",
    "ImportedText",
    "fetch_url",
    "import_bytes",
    "import_file",
    "import_url",
    "is_url",
]
