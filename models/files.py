"""Writing files safely: an export, an autosave or a settings file is either fully replaced or
left as it was, never truncated (a full disk, a crash or a kill mid-write), and the node already at
the path is respected.

What happens to the node at the path (issue 14, item 4):

- nothing there: a new regular file, with the usual permissions (``0o666 & ~umask``) for outputs
  the user chose (``-o``, export), and ``0o600`` for the app's own files (autosave, settings),
  which hold article text;
- a regular file: replaced atomically, keeping its permission bits (and, when run as root, its
  owner); a file with no write bit at all (``chmod a-w``) is refused with exit 5, decided from the
  mode bits because as root ``os.access`` says everything is writable;
- a symbolic link: followed, and its TARGET is replaced atomically (the link stays a link);
- a hard link (a file with more than one name): replaced atomically, like any regular file, so the
  name given gets the new content and the file's other names keep the previous content (writing in
  place instead would keep the link but give up the all-or-nothing guarantee);
- ``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N``, ``/proc/self/fd/N``: written to that open file
  descriptor (so ``-o /dev/stdout`` prints, and never replaces the machine's ``/dev/stdout`` link);
- a FIFO, a character or block device (an existing non-regular file): opened for writing and
  written as a stream, never replaced;
- a folder or a socket: refused with exit 5.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
import tempfile
from pathlib import Path

from models.errors import OutputError

_WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
# Names of an already open file descriptor: writing goes to that descriptor.
_FD_NAME = re.compile(r"^/(?:dev/fd|proc/self/fd|proc/thread-self/fd)/(\d+)$")
_STD_NAMES = {"/dev/stdout": 1, "/dev/stderr": 2}


def write_atomic(path: str | os.PathLike[str], content: str | bytes) -> None:
    """Write one of the app's own files (autosave, settings, manifests): new files are ``0o600``."""
    _write(path, content, private=True)


def write_output(path: str | os.PathLike[str], content: str | bytes) -> None:
    """Write a file the user named (``-o``, export): new files get the usual umask permissions,
    and FIFOs, devices and ``/dev/stdout`` are written as streams."""
    _write(path, content, private=False)


def _is_root() -> bool:
    geteuid = getattr(os, "geteuid", None)  # not on Windows
    return geteuid is not None and geteuid() == 0


def _chmod(fd: int, path: str, mode: int) -> None:
    if hasattr(os, "fchmod"):
        os.fchmod(fd, mode)
    else:  # Windows before Python 3.13: only the read-only bit means anything there
        os.chmod(path, mode)


def _umask() -> int:
    """The process umask, read without changing it where Linux allows (``/proc/self/status``)."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fail(target: Path | str, exc: OSError | str) -> OutputError:
    reason = exc if isinstance(exc, str) else (exc.strerror or str(exc))
    return OutputError(f"cannot write {target}: {reason}")


def _descriptor(path: Path) -> int | None:
    """The descriptor a path names, directly or through a chain of symbolic links."""
    current = os.path.abspath(path)
    for _ in range(40):
        if current in _STD_NAMES:
            return _STD_NAMES[current]
        match = _FD_NAME.match(current)
        if match:
            return int(match.group(1))
        try:
            link = os.readlink(current)
        except OSError:
            return None
        current = os.path.abspath(os.path.join(os.path.dirname(current), link))
    return None


def _write_descriptor(fd: int, data: bytes, shown: str) -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            if stream is not None and stream.fileno() == fd:
                stream.flush()
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except BrokenPipeError:
        raise OutputError("output pipe closed") from None
    except OSError as exc:
        raise _fail(shown, exc) from None


def _write_stream(target: Path, data: bytes) -> None:
    try:
        fd = os.open(target, os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _fail(target, exc) from None
    try:
        _write_descriptor(fd, data, str(target))
    finally:
        os.close(fd)


def _write(path: str | os.PathLike[str], content: str | bytes, *, private: bool) -> None:
    given = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd = _descriptor(given)
    if fd is not None and not private:
        _write_descriptor(fd, data, str(given))
        return
    try:
        st: os.stat_result | None = os.stat(given)  # follows symbolic links
    except FileNotFoundError:
        st = None
    except OSError as exc:  # a symlink loop, a name too long, a path through a file
        raise _fail(given, exc) from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise _fail(given, "it is a folder")
        if not st.st_mode & _WRITE_BITS or (not _is_root() and not os.access(given, os.W_OK)):
            raise _fail(given, "the file is read-only")
        if not stat.S_ISREG(st.st_mode):
            if private or stat.S_ISSOCK(st.st_mode):
                raise _fail(given, "not a regular file")
            _write_stream(given, data)
            return
    # Replace the link's target, not the link (a dangling link creates its target).
    target = Path(os.path.realpath(given)) if given.is_symlink() else given
    _replace(target, given, data, st, private=private)


def _replace(target: Path, shown: Path, data: bytes, st: os.stat_result | None, *, private: bool) -> None:
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    except FileNotFoundError:
        raise OutputError(f"cannot write {shown}: folder {target.parent} does not exist") from None
    except PermissionError:
        raise OutputError(f"cannot write {shown}: permission denied") from None
    except OSError as exc:
        raise _fail(shown, exc) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            if st is not None:
                _chmod(fh.fileno(), tmp, stat.S_IMODE(st.st_mode))
                if _is_root():
                    with contextlib.suppress(OSError):
                        os.fchown(fh.fileno(), st.st_uid, st.st_gid)
            elif not private:
                _chmod(fh.fileno(), tmp, 0o666 & ~_umask())
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise _fail(shown, exc) from None
