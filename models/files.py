"""Writing files atomically: an export, an autosave or a settings file is either fully replaced
or left as it was, never truncated (a full disk, a crash or a kill mid-write)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from models.errors import OutputError


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
