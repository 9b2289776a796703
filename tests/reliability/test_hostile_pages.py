"""Hostile web servers against URL import (issue 14, items 5, 7 and 10).

A raw socket server on loopback answers each path with bytes no well-behaved server would send:
a drip of one byte at a time, hundreds of headers, a 100 KB header line, a bad status line, an SSH
banner, a body shorter than its Content-Length, a ``charset=utf-16`` lie. Every case must end
within the one overall deadline as one line with exit 4 (or a page with a warning), never a
traceback or a hang.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from models.errors import NetworkError
from models.reading.files import import_url
from models.reading.web import fetch_url

PAGE = (
    "<html><head><title>Brann i Bergen</title></head><body><h1>Brann i Bergen sentrum</h1>"
    "<p>Det brant i et bolighus i Bergen sentrum natt til fredag, melder politiet.</p>"
    "<p>Ingen personer ble skadet, men tre familier måtte evakueres fra nabohusene.</p>"
    "<p>Brannvesenet hadde kontroll på brannen etter to timer, opplyser vakthavende.</p>"
    "</body></html>"
).encode()


def _head(
    status: str = "200 OK", ctype: str = "text/html; charset=utf-8", length: int | None = None
) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Type: {ctype}", "Connection: close"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _drip(conn: socket.socket, data: bytes, pause: float, stop: threading.Event) -> None:
    for i in range(len(data)):
        if stop.wait(pause):
            return
        conn.sendall(data[i : i + 1])


def _answer(path: str, conn: socket.socket, stop: threading.Event, port: int) -> None:
    if path == "/page":
        conn.sendall(_head(length=len(PAGE)) + PAGE)
    elif path == "/drip-headers":
        _drip(conn, _head(length=len(PAGE)) + b"X-Pad: " + b"a" * 10_000, 0.05, stop)
    elif path == "/drip-body":
        conn.sendall(_head(length=1_000_000))
        _drip(conn, b" " * 1_000_000, 0.05, stop)
    elif path == "/many-headers":
        extra = "".join(f"X-H{i}: {i}\r\n" for i in range(500)).encode()
        conn.sendall(_head(length=len(PAGE))[:-2] + extra + b"\r\n" + PAGE)
    elif path == "/long-header":
        conn.sendall(_head(length=len(PAGE))[:-2] + b"X-Long: " + b"a" * 100_000 + b"\r\n\r\n" + PAGE)
    elif path == "/bad-status":
        conn.sendall(b"HTTP/1.1 OK-ISH maybe\r\nContent-Length: 2\r\n\r\nhi")
    elif path == "/not-http":
        conn.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
    elif path == "/short-body":
        conn.sendall(_head(length=len(PAGE) + 5000) + PAGE)
    elif path.startswith("/utf16-lie"):
        body = PAGE + b" " * (len(PAGE) % 2) + b" " * (path == "/utf16-lie-odd")  # even: decodes as CJK
        conn.sendall(_head(ctype="text/html; charset=utf-16", length=len(body)) + body)
    elif path == "/other-host":
        location = f"http://localhost:{port}/page"
        conn.sendall(f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n".encode())
    elif path == "/silent":
        stop.wait(60)


@pytest.fixture
def hostile() -> Iterator[str]:
    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.settimeout(0.2)
    threads: list[threading.Thread] = []

    def handle(conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            request = b""
            while b"\r\n\r\n" not in request and len(request) < 65536:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                request += chunk
            path = request.split(b" ", 2)[1].decode("ascii", "replace")
            _answer(path, conn, stop, port)
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_WR)

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            t = threading.Thread(target=handle, args=(conn,), daemon=True)
            threads.append(t)
            t.start()

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        server.join(5)
        for t in threads:
            t.join(5)
        listener.close()


def _timed(call: Callable[[], object]) -> tuple[float, BaseException | None]:
    start = time.monotonic()
    try:
        call()
    except BaseException as exc:
        return time.monotonic() - start, exc
    return time.monotonic() - start, None


@pytest.mark.parametrize("path", ["/drip-headers", "/drip-body", "/silent"])
def test_one_overall_deadline_per_fetch(hostile: str, path: str) -> None:
    """A server trickling a byte every 50 ms (each read well inside any per-read timeout) is cut
    off at the overall deadline: 1.5 s here, with a little slack for a busy machine."""
    took, exc = _timed(lambda: fetch_url(hostile + path, timeout=1.5))
    assert isinstance(exc, NetworkError), exc
    assert "timed out after 1.5 s" in exc.message
    assert took < 4.0, took


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/many-headers", "headers"),
        ("/long-header", "header"),
        ("/bad-status", "not a valid HTTP answer"),
        ("/not-http", "not a valid HTTP answer"),
        ("/short-body", "shorter than"),
    ],
)
def test_hostile_answers_are_one_line_network_errors(hostile: str, path: str, words: str) -> None:
    took, exc = _timed(lambda: fetch_url(hostile + path, timeout=10))
    assert isinstance(exc, NetworkError), repr(exc)
    assert words in exc.message and "\n" not in exc.message, exc.message
    assert exc.exit_code == 4
    assert took < 8


def test_cli_walks_the_http_cases(hostile: str) -> None:
    """Item 7's HTTP cases through the real CLI: exit 4, one line on stderr, no traceback."""
    for path in ["/many-headers", "/long-header", "/bad-status", "/not-http", "/short-body"]:
        proc = subprocess.run(
            [sys.executable, "-m", "models.cli", "segment", hostile + path],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 4, (path, proc.stderr)
        assert "Traceback" not in proc.stderr
        assert proc.stderr.startswith("nordbrief: error:") and proc.stderr.count("\n") == 1, proc.stderr


@pytest.mark.parametrize("path", ["/utf16-lie", "/utf16-lie-odd"])
def test_charset_utf16_lie_is_detected(hostile: str, path: str) -> None:
    """The header says utf-16 but the bytes are UTF-8: decoding as UTF-16 gives CJK garbage (an
    even length decodes without error), or fails and falls back: both are read right, with a
    warning."""
    imp = import_url(hostile + path)
    assert "Brann i Bergen" in imp.text
    assert "måtte evakueres" in imp.text
    assert any("utf-16" in w.lower() for w in imp.warnings), imp.warnings


def test_redirect_to_another_host_is_followed_and_recorded(hostile: str) -> None:
    """As the README says: URL import follows http(s) redirects to any host, like a browser, and
    the provenance records the final address."""
    imp = import_url(hostile + "/other-host")
    assert "Brann i Bergen" in imp.text
    assert imp.source.url is not None and imp.source.url.startswith("http://localhost:")


def test_deadline_holds_through_environment_proxies(hostile: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Proxies from the environment (and NO_PROXY patterns, which httpx mounts as None) get the
    deadline backend too; here the proxy variable is set but loopback is exempt from it."""
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    took, exc = _timed(lambda: fetch_url(hostile + "/drip-headers", timeout=1.5))
    assert isinstance(exc, NetworkError), exc
    assert took < 4.0, took
    page = fetch_url(hostile + "/page", timeout=10)
    assert b"Brann i Bergen" in page.data


def test_meta_charset_lie_in_a_saved_page_is_detected() -> None:
    """The same lie in a saved page's ``<meta charset>``: read right, with a warning."""
    from models.reading.files import import_bytes

    page = PAGE.replace(b"<head>", b'<head><meta charset="utf-16">')
    page += b" " * (len(page) % 2)
    imp = import_bytes(page, "side.html", ".html")
    assert "måtte evakueres" in imp.text
    assert any("utf-16" in w for w in imp.warnings), imp.warnings
