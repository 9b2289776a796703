"""Shared fixtures: the read-only ../shared folder, isolated user folders, leak checks."""

from __future__ import annotations

import os
import sys
import threading
import types
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Never reach a real Hub from tests.
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path | None:
    env = os.environ.get("NORDBRIEF_SHARED")
    path = Path(env) if env else REPO.parent / "shared"
    return path if path.is_dir() else None


@pytest.fixture(scope="session")
def shared() -> Path:
    """../shared, resolved from the repo root; missing -> skip locally, fail under CI."""
    path = shared_dir()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("shared/ data not found (set NORDBRIEF_SHARED)")
        pytest.skip("shared/ data not found")
    return path


@pytest.fixture(scope="session")
def seed_article(shared: Path) -> Path:
    return shared / "articles" / "syria-is-attacks.txt"


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own config/data/models folders: the real user config is never touched."""
    base = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("NORDBRIEF_CONFIG_DIR", str(base / "config"))
    monkeypatch.setenv("NORDBRIEF_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("NORDBRIEF_MODELS_DIR", str(base / "models"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(base / "xdg-data"))
    # The fake Hub's CDN (tests/models/hubserver.py) is a second loopback host, as a mirror's would be.
    monkeypatch.setenv("NORDBRIEF_DOWNLOAD_HOSTS", "127.0.0.2")
    return base


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random-weight CTranslate2 model built offline (see ``python -m models.testing``)."""
    from models.testing import make_model

    path = tmp_path_factory.mktemp("tiny-model") / "tiny"
    make_model(path, size="tiny", seed=1)
    return path


@pytest.fixture(autouse=True)
def no_leaked_threads():
    """Fail a test that leaves Python threads running (napari-style leak check)."""
    before = set(threading.enumerate())
    yield
    leaked = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    deadline = 5.0
    for t in leaked:
        t.join(timeout=deadline)
        deadline = 0.5
    still = [t.name for t in leaked if t.is_alive()]
    if still:
        pytest.fail(f"test left threads running: {still}")


# --- Network guard (reliability issue): proves the offline guarantee. -----------------------------
# `no_network` allows loopback only (the fake Hub, the local HTML server); `no_sockets` forbids any
# socket at all, for stages that must never touch the network (segment, translate, summarize, facts,
# export, the GUI). Attempts raise an OSError (so code sees "offline") and are recorded; a forbidden
# attempt fails the test at teardown even when the code under test swallowed the error.
_LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost", "0:0:0:0:0:0:0:1"}


def _in_loopback_net(host: str) -> bool:
    """127.0.0.0/8: the fake Hub's CDN host is 127.0.0.2, as the real Hub redirects to its CDN."""
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SocketBlocked(OSError):
    """Raised instead of opening a socket the test forbids."""


class NetGuard:
    def __init__(self, allow_loopback: bool) -> None:
        self.allow_loopback = allow_loopback
        self.attempts: list[tuple[str, object]] = []  # (operation, target), allowed or not
        self.forbidden: list[tuple[str, object]] = []

    def check(self, op: str, target: object) -> None:
        self.attempts.append((op, target))
        host = target[0] if isinstance(target, tuple) and target else target
        if isinstance(host, bytes):
            host = host.decode("ascii", "replace")
        if (
            self.allow_loopback
            and isinstance(host, str)
            and (host in _LOOPBACK_HOSTS or _in_loopback_net(host))
        ):
            return
        self.forbidden.append((op, target))
        raise SocketBlocked(f"network access blocked in tests: {op} {target!r}")


def _socket_fds() -> set[str]:
    """Open socket descriptors of this process (Linux): catches sockets made by C code too."""
    fd_dir = Path("/proc/self/fd")
    found: set[str] = set()
    if not fd_dir.is_dir():
        return found
    for fd in fd_dir.iterdir():
        try:
            link = os.readlink(fd)
        except OSError:
            continue
        if link.startswith("socket:"):
            found.add(link)
    return found


def _is_ipv6_probe(frame: types.FrameType) -> bool:
    """urllib3 (imported by trafilatura) binds one socket to ::1 at import to learn whether IPv6
    exists; it never connects or sends. The only socket creation the strict guard lets through."""
    code = frame.f_code
    return code.co_name == "_has_ipv6" and code.co_filename.replace("\\", "/").endswith(
        "urllib3/util/connection.py"
    )


def _install_guard(monkeypatch: pytest.MonkeyPatch, guard: NetGuard, strict: bool) -> None:
    import _socket
    import socket

    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: object) -> None:
        guard.check("connect", address)
        return real_connect(self, address)  # type: ignore[arg-type]

    def connect_ex(self: socket.socket, address: object) -> int:
        guard.check("connect_ex", address)
        return real_connect_ex(self, address)  # type: ignore[arg-type]

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> list:  # type: ignore[type-arg]
        guard.check("getaddrinfo", host)
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    def gethostbyname(host: str) -> str:
        guard.check("gethostbyname", host)
        return "127.0.0.1"

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "gethostbyname", gethostbyname)
    if strict:
        real_init = socket.socket.__init__

        def init(self: socket.socket, *args: object, **kwargs: object) -> None:
            if not _is_ipv6_probe(sys._getframe(1)):
                guard.check("socket", args[:2] or "socket()")
            real_init(self, *args, **kwargs)  # type: ignore[arg-type]

        def raw_socket(*args: object, **kwargs: object) -> None:
            guard.check("_socket.socket", args[:2] or "socket()")

        monkeypatch.setattr(socket.socket, "__init__", init)
        monkeypatch.setattr(_socket, "socket", raw_socket)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> NetGuard:
    """Only loopback connections are allowed; anything else fails the test."""
    guard = NetGuard(allow_loopback=True)
    _install_guard(monkeypatch, guard, strict=False)
    yield guard
    if guard.forbidden:
        pytest.fail(f"test tried to reach the network: {guard.forbidden}")


@pytest.fixture
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> NetGuard:
    """No socket at all, not even loopback, from Python or (still open at the end) from C code."""
    guard = NetGuard(allow_loopback=False)
    before = _socket_fds()
    _install_guard(monkeypatch, guard, strict=True)
    yield guard
    new_fds = _socket_fds() - before
    if guard.forbidden or new_fds:
        pytest.fail(f"test opened sockets: {guard.forbidden} {sorted(new_fds)}")
