"""Reading article text from files and stdin: bytes -> text, with a warning for anything unusual.

Journalists get files from everywhere: Word exports in Windows-1252, UTF-16 text from old tools,
saved web pages renamed to .txt. Decoding here never guesses silently: anything other than clean
UTF-8 is decoded with a warning, and what is not text at all (binary, PDF, images) is refused with
one clear line (``InputError``, exit 2) instead of being fed to the segmenter as garbage.
"""

from __future__ import annotations

import codecs
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from models.errors import InputError

# The documented input limit (README, "Privacy and reliability"): far above any news article (a
# long one is under 100 kB; a 5 MB paste must still load), below what would freeze the app: every
# command reads the whole article, and summarize/check cost about 5 s per MB (45 MB took 52-79 s
# and 2.25 GB before this limit; now it is refused at once, exit 2).
MAX_INPUT_BYTES = 10 * 1024 * 1024
MAX_INPUT_TEXT_CHARS = 10 * 1024 * 1024  # after decoding or extraction (.docx, HTML)


@dataclass
class ReadResult:
    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# Leading bytes of formats people pick by mistake in an "open article" dialog.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (a Word .docx or similar)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office file (.doc/.xls)"),
    (b"{\\rtf", "an RTF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
)


def sniff_binary_kind(data: bytes) -> str | None:
    """Name a well-known non-text format from its first bytes, for a specific error message."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            if magic == b"MZ" and b"\x00" not in data[:64]:
                continue  # plain text that happens to start with "MZ"
            return kind
    return None


_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f\v\x1b") + b"\x7f"


def _looks_binary(data: bytes) -> bool:
    """NUL bytes, or many control bytes: no article text (in any 8-bit encoding) looks like that."""
    sample = data[:8192]
    if not sample:
        return False
    nul = sample.count(b"\x00")
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return nul / len(sample) > 0.01 or controls / len(sample) > 0.05


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a BOM has NUL in every other byte for Latin text; detect LE/BE."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.6 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.6 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _control_ratio(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if ch not in "\t\n\r\f\v" and unicodedata.category(ch) == "Cc")
    return bad / len(sample)


def _mostly_utf8(data: bytes) -> tuple[str, int] | None:
    """Valid UTF-8 with a few corrupt bytes (a truncated copy, a bad merge): decode with U+FFFD.

    Only when real multi-byte UTF-8 sequences exist, so a Windows-1252 file is not mistaken for it.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
    good_multibyte = sum(1 for ch in text if ord(ch) > 0x7F and ch != "\ufffd")
    if good_multibyte >= 2 and bad <= max(3, good_multibyte // 10):
        return text, bad
    return None


def decode_bytes(data: bytes, name: str = "input") -> ReadResult:
    """Decode article bytes: UTF-8 (BOM tolerated) silently; UTF-16, Windows-1252 with a warning.

    Raises ``InputError`` for binary files and for bytes that are not text in any encoding.
    """
    warnings: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(f"{name} starts like UTF-16 text but is not valid UTF-16") from None
        return _finish(text, "utf-16", [f"{name} is UTF-16 text; read it as UTF-16"], name)
    kind = sniff_binary_kind(data)
    if kind:
        raise InputError(f"{name} is {kind}, not text; open a .txt, .md, .html or .docx article instead")
    utf16 = _utf16_without_bom(data)
    if utf16:
        decoded: str | None
        try:
            decoded = data.decode(utf16)
        except UnicodeDecodeError:
            decoded = None
        if decoded is not None and _control_ratio(decoded) < 0.01:
            return _finish(decoded, utf16, [f"{name} is UTF-16 text without a BOM; read it as UTF-16"], name)
    if _looks_binary(data):
        raise InputError(f"{name} looks like a binary file, not text")
    try:
        return _finish(data.decode("utf-8"), "utf-8", warnings, name)
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(data)
    if mostly is not None:
        text, bad = mostly
        warnings.append(f"{name} has {bad} invalid UTF-8 byte(s); they are shown as \ufffd")
        return _finish(text, "utf-8", warnings, name)
    # Not UTF-8: in a Norwegian newsroom that is almost always Windows-1252 (or Latin-1, its subset).
    try:
        text = data.decode("cp1252")
        encoding = "windows-1252"
    except UnicodeDecodeError:
        import charset_normalizer

        best = charset_normalizer.from_bytes(data).best()
        if best is None:
            raise InputError(f"{name} is not readable text (invalid UTF-8 and no known encoding)") from None
        text, encoding = str(best), best.encoding
    warnings.append(f"{name} is not UTF-8; read it as {encoding} (check that æ, ø and å look right)")
    return _finish(text, encoding, warnings, name)


def _finish(text: str, encoding: str, warnings: list[str], name: str) -> ReadResult:
    text = text.lstrip("\ufeff")
    if _control_ratio(text) > 0.05:
        raise InputError(f"{name} looks like a binary file, not text")
    return ReadResult(normalise_newlines(text), encoding, warnings)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def html_declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first bytes (``<meta charset>`` or http-equiv)."""
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return None
    label = m.group(1).decode("ascii", "ignore")
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html_bytes(data: bytes, name: str = "page", declared: str | None = None) -> ReadResult:
    """Decode a web page: BOM, then the HTTP/meta charset, then the text rules above.

    A page that declares its charset is trusted without a warning (browsers do the same);
    ``declared`` is the charset from the HTTP ``Content-Type`` header when there is one.
    """
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode_bytes(data, name)
    charset = declared or html_declared_charset(data)
    if charset:
        try:
            codec = codecs.lookup(charset).name
        except LookupError:
            codec = None
        if codec == "latin-1" or codec == "iso8859-1":
            codec = "cp1252"  # WHATWG: a page labelled ISO-8859-1 is decoded as windows-1252
        if codec and codec.startswith(("utf-16", "utf-32")) and _utf16_without_bom(data) is None:
            codec = None  # Latin text in UTF-16 has a NUL in every other byte; this has not
        if codec:
            try:
                return _finish(data.decode(codec), codec, [], name)
            except (UnicodeDecodeError, InputError):
                pass
        result = decode_bytes(data, name)
        result.warnings.insert(
            0, f"{name} says its text is {charset}, but it is not; read it as {result.encoding} instead"
        )
        return result
    return decode_bytes(data, name)


_HTML_START = re.compile(
    r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])",
    re.I | re.S,
)
_HTML_TAGS = re.compile(
    r"</?(?:p|div|h[1-6]|br|span|a|article|section|li|ul|table|strong|em|b|i)\b[^>]*>", re.I
)


def looks_like_html(text: str) -> bool:
    """True for an HTML document, or text dense with HTML tags (a page saved or pasted as text)."""
    head = text[:5000]
    if _HTML_START.match(head) or "<!--StartFragment-->" in head:
        return True
    tags = _HTML_TAGS.findall(head)
    return len(tags) >= 3 and sum(len(t) for t in tags) > 0.05 * len(head.strip() or " ")


def read_bytes(path: str) -> tuple[bytes, str]:
    """Raw bytes of a file (or ``-`` for stdin) and a display name; one clear error if unreadable."""
    if path == "-":
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        name = "standard input"
    else:
        p = Path(path)
        name = p.name
        if not p.exists():
            raise InputError(f"{path}: no such file")
        if p.is_dir():
            raise InputError(f"{path} is a folder, not a file")
        if not p.is_file():
            # A named pipe or device would block or never end: refuse before opening it.
            raise InputError(f"{path} is not a regular file (a pipe or device?)")
        try:
            with p.open("rb") as fh:
                data = fh.read(MAX_INPUT_BYTES + 1)
        except PermissionError:
            raise InputError(f"{path}: permission denied") from None
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(
            f"{name} is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB, the most Nordbrief reads"
            " (a long news article is under 100 kB); split it or open the part you need"
        )
    return data, name


def read_input(path: str) -> ReadResult:
    """Read a file path, or stdin for ``-``, into normalised text."""
    data, name = read_bytes(path)
    return decode_bytes(data, name)
