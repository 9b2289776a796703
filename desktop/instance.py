"""One window per user and data folder (issue 14, item 9).

Two windows on one data folder would share one session slot, and the article typed in the
first to close would be lost. So the first launch listens on a local socket (``QLocalServer``:
a Unix socket, a named pipe on Windows) named after the user and the data folder, and a later
launch hands its file or link to that window and exits 0, as desktop apps do (the window then
opens it exactly as its own Open would, see ``desktop.app``). A socket left by a crashed
window is detected (nobody answers) and replaced. The check-and-listen runs under an OS file
lock in the data folder, so two launches at the same moment cannot both become the window.

Only the user can connect (``UserAccessOption``; the socket lives in ``$XDG_RUNTIME_DIR`` when
there is one, and a socket file owned by someone else is never talked to). A message is one
JSON line ``{"open": "<absolute path or link>"|null}`` of at most ``MAX_MESSAGE`` bytes; the
window answers ``ok``. Anything else is dropped without effect.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout
from PySide6.QtCore import QByteArray, QObject, QTimer, Signal
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket

from models.paths import data_dir

log = logging.getLogger(__name__)

MAX_MESSAGE = 64 * 1024  # a path or a link; anything longer is not ours
CONNECT_MS = 1500  # a live window accepts at once; a stale socket refuses at once
ANSWER_MS = 10_000  # the running window answers from its event loop
IDLE_MS = 5000  # a client that connects and says nothing is dropped
LOCK_SECONDS = 20.0
OK = b"ok\n"


def server_name(folder: Path | None = None) -> str:
    """The socket for this user and data folder: a full path on Unix (so a per-user runtime
    folder is used when there is one), a plain pipe name on Windows."""
    folder = (folder or data_dir()).resolve()
    uid = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "")
    digest = hashlib.sha256(f"{uid}\0{folder}".encode()).hexdigest()[:24]
    if sys.platform == "win32":
        return f"nordbrief-{digest}"
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    base = Path(runtime) if runtime and Path(runtime).is_dir() else Path(tempfile.gettempdir())
    return str(base / f"nordbrief-{uid}-{digest}.sock")


def _foreign(name: str) -> bool:
    """A socket file someone else owns (squatting a shared /tmp): never send it our paths."""
    if sys.platform == "win32" or not hasattr(os, "getuid"):
        return False
    try:
        return os.lstat(name).st_uid != os.getuid()
    except OSError:
        return False


def hand_over(name: str, target: str | None) -> bool:
    """Give ``target`` (None: just show the window) to a running window; True when it took it."""
    if _foreign(name):
        log.warning("single-instance socket %s belongs to another user; ignoring it", name)
        return False
    payload = json.dumps({"open": target}).encode() + b"\n"
    if len(payload) > MAX_MESSAGE:
        return False
    sock = QLocalSocket()
    sock.connectToServer(name)
    if not sock.waitForConnected(CONNECT_MS):
        return False  # nobody there: no window, or a stale socket after a crash
    try:
        sock.write(QByteArray(payload))
        if not sock.waitForBytesWritten(CONNECT_MS):
            return False
        answer = b""
        while OK not in answer and len(answer) < 16:
            if not sock.waitForReadyRead(ANSWER_MS):
                return False
            answer += bytes(sock.readAll().data())
        return answer.startswith(OK)
    finally:
        sock.abort()


class InstanceServer(QObject):
    """Listens for later launches; ``received`` carries what they asked to open (None: nothing,
    just show the window)."""

    received = Signal(object)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        """Listen, replacing a stale socket (call only after ``hand_over`` found nobody there,
        under ``start_lock``: with ``UserAccessOption`` Qt binds in a private folder and renames
        the socket into place, which would also replace a live one)."""
        if self.server.listen(self.name):
            return True
        if self.server.serverError() == QAbstractSocket.SocketError.AddressInUseError:
            QLocalServer.removeServer(self.name)
            return self.server.listen(self.name)
        return False

    def close(self) -> None:
        self.server.close()

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            conn = self.server.nextPendingConnection()
            self._buffers[conn] = b""
            conn.readyRead.connect(lambda c=conn: self._read(c))
            conn.disconnected.connect(lambda c=conn: self._drop(c))
            QTimer.singleShot(IDLE_MS, conn, lambda c=conn: self._drop(c))
            if conn.bytesAvailable():  # it may have arrived with the connection: no readyRead then
                self._read(conn)

    def _drop(self, conn: QLocalSocket) -> None:
        if self._buffers.pop(conn, None) is not None:
            with contextlib.suppress(RuntimeError):  # already deleted with the server
                conn.abort()
                conn.deleteLater()

    def _read(self, conn: QLocalSocket) -> None:
        if conn not in self._buffers:
            return
        data = self._buffers[conn] + bytes(conn.readAll().data())
        if len(data) > MAX_MESSAGE:
            log.warning("single-instance message too long; dropped")
            self._drop(conn)
            return
        self._buffers[conn] = data
        if b"\n" not in data:
            return
        line = data.split(b"\n", 1)[0]
        target = parse_message(line)
        if target is False:
            log.warning("single-instance message not understood; dropped")
            self._drop(conn)
            return
        # Answer first, then open: opening may ask the user a question (typed text), and the
        # second launch must not wait on that and then decide nobody is there.
        conn.write(QByteArray(OK))
        conn.flush()
        conn.disconnectFromServer()
        QTimer.singleShot(0, self, lambda: self.received.emit(target))


def parse_message(line: bytes) -> str | bool | None:
    """What a launch asked to open (None: nothing), or False for anything that is not ours."""
    try:
        data = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False
    if not isinstance(data, dict) or set(data) != {"open"}:
        return False
    target = data["open"]
    if target is None:
        return None
    if not isinstance(target, str) or not target.strip() or "\0" in target:
        return False
    return target


@contextlib.contextmanager
def start_lock(folder: Path | None = None) -> Iterator[bool]:
    """Held while a launch decides whether it is the window: yields False when the lock could
    not be had (an unwritable data folder): then the launch simply goes ahead on its own."""
    folder = folder or data_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(folder / ".instance.lock"), timeout=LOCK_SECONDS)
        lock.acquire()
    except (OSError, Timeout) as exc:
        log.warning("single-instance lock unavailable: %s", type(exc).__name__)
        yield False
        return
    try:
        yield True
    finally:
        lock.release()


def claim(target: str | None, parent: QObject | None = None) -> InstanceServer | bool | None:
    """Hand ``target`` to a running window (returns True), else become the window: returns the
    listening server, or None when listening failed (the window starts anyway, on its own)."""
    name = server_name()
    with start_lock():
        if hand_over(name, target):
            return True
        server = InstanceServer(name, parent)
        if server.listen():
            return server
        log.warning("single-instance server could not listen: %s", server.server.errorString())
        server.deleteLater()
        return None


__all__ = ["InstanceServer", "claim", "hand_over", "parse_message", "server_name"]
