"""Reading article text from files and stdin, and writing output files atomically."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from models.errors import InputError, OutputError


@dataclass
class ReadResult:
    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_bytes(data: bytes, name: str = "input") -> ReadResult:
    """UTF-8 first (BOM tolerated); otherwise let charset-normalizer guess, with a warning."""
    warnings: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    has_utf16_bom = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    # NUL bytes without a UTF-16 BOM: most likely a binary file, not an article.
    if not has_utf16_bom and _looks_binary(data):
        raise InputError(f"{name} looks like a binary file, not text")
    try:
        text = data.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        import charset_normalizer

        best = charset_normalizer.from_bytes(data).best()
        if best is None:
            raise InputError(f"{name} is not readable text (unknown encoding)") from None
        encoding = best.encoding
        text = str(best)
        warnings.append(f"{name} is not UTF-8; read it as {encoding}")
    text = text.lstrip("\ufeff")
    return ReadResult(normalise_newlines(text), encoding, warnings)


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if not sample:
        return False
    nul = sample.count(b"\x00")
    return nul / len(sample) > 0.01


def read_input(path: str) -> ReadResult:
    """Read a file path, or stdin for ``-``, into normalised text."""
    if path == "-":
        data = sys.stdin.buffer.read()
        return decode_bytes(data, "standard input")
    p = Path(path)
    if not p.exists():
        raise InputError(f"{path}: no such file")
    if p.is_dir():
        raise InputError(f"{path} is a folder, not a file")
    try:
        data = p.read_bytes()
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return decode_bytes(data, p.name)


def write_atomic(path: str | os.PathLike[str], content: str | bytes) -> None:
    """Write via a temporary file in the same folder and ``os.replace``.

    An existing file at ``path`` is either fully replaced or left untouched: a full disk or a crash
    mid-write never leaves a truncated export or autosave behind.
    """
    target = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    except FileNotFoundError:
        raise OutputError(f"cannot write {target}: folder {target.parent} does not exist") from None
    except PermissionError:
        raise OutputError(f"cannot write {target}: permission denied") from None
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
