"""Opening a link: one GET through httpx (the HTTP client huggingface-hub already installs).

http and https only, redirects followed (to http/https only, at most ``MAX_REDIRECTS``), one
overall deadline for the whole fetch (not per read: a server trickling a byte a second is cut
off too), and a size cap applied to the decoded bytes, so a compressed "bomb" cannot fill the
memory. Proxies come from the environment (``HTTPS_PROXY``, ``NO_PROXY``) as for the model
download. The only network access outside the model store.
"""

from __future__ import annotations

import re
import time
import urllib.parse
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from models import __version__
from models.errors import InputError, NetworkError

if TYPE_CHECKING:
    import httpx2

# Fetching a link: generous for a slow newsroom connection, small enough to not hang the app.
FETCH_TIMEOUT = 20.0
MAX_PAGE_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 10
# Real news sites send 15-40 headers of a few kB in all; more is a hostile or broken server.
MAX_HEADERS = 100
MAX_HEADER_BYTES = 64 * 1024
USER_AGENT = f"Nordbrief/{__version__} (offline news translator; fetches one page on request)"
ACCEPT = "text/html,application/xhtml+xml,text/*;q=0.8"


@dataclass
class FetchedPage:
    url: str  # after redirects
    data: bytes
    content_type: str
    charset: str | None


_SCHEME = re.compile(r"\A([A-Za-z][A-Za-z0-9+.-]*)://")


def is_url(text: str) -> bool:
    """Looks like ``scheme://...`` (any scheme: a wrong one must get a clear error, not 'no file')."""
    return bool(_SCHEME.match(text.strip()))


def _check_scheme(url: str) -> None:
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise InputError(f"only http:// and https:// links can be opened, not {scheme}://")
    if not urllib.parse.urlsplit(url).hostname:
        raise InputError(f"not a valid link: {url}")


def _normalise_url(url: str) -> str:
    """Percent-encode what a browser would (æøå in paths, spaces) and IDNA-encode the host.

    Links copied from an address bar often hold raw Norwegian letters; HTTP only sends ASCII.
    """
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise InputError(f"not a valid link: {url}") from None
    if ":" in ascii_host:  # IPv6 literal
        ascii_host = f"[{ascii_host}]"
    try:
        port = parts.port
    except ValueError:
        raise InputError(f"not a valid link: {url} (bad port)") from None
    netloc = ascii_host + (f":{port}" if port else "")
    if parts.username:
        raise InputError("links with a user name or password are not opened (they would be sent in clear)")
    safe = "/%:@!$&'()*+,;=-._~"
    return urllib.parse.urlunsplit(
        (
            parts.scheme.lower(),
            netloc,
            urllib.parse.quote(parts.path, safe=safe),
            urllib.parse.quote(parts.query, safe=safe + "?"),
            "",  # the fragment is never sent to a server
        )
    )


def _size_text(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n} bytes"


class _Decompressor:
    """Undo gzip/deflate transfer compression with the size cap applied to the *decoded* bytes
    (httpx would decode a whole network chunk at once, however far it expands)."""

    def __init__(self, encoding: str | None, url: str) -> None:
        enc = (encoding or "identity").strip().lower()
        self.url = url
        self._z: zlib._Decompress | None
        if enc in ("", "identity"):
            self._z = None
        elif enc in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif enc == "deflate":
            self._z = zlib.decompressobj()
        else:
            raise NetworkError(f"{url}: the server used an unsupported compression ({enc})")

    def feed(self, chunk: bytes, room: int) -> bytes:
        """Decoded bytes of ``chunk``; more than ``room`` of them means the page is too large."""
        if self._z is None:
            return chunk
        try:
            out = self._z.decompress(chunk, room + 1)
        except zlib.error:
            raise NetworkError(f"{self.url}: the server sent damaged compressed data") from None
        if self._z.unconsumed_tail:
            return out + b"\0"  # beyond the cap; the caller reports "too large"
        return out


class _Deadline:
    """The time left of one overall budget, as httpx timeouts for the next network operation."""

    def __init__(self, seconds: float, url: str) -> None:
        self.seconds = seconds
        self.url = url
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise NetworkError(f"{self.url}: timed out after {self.seconds:g} s")
        return left


class _DeadlineStream:
    """A network stream whose every read, write and TLS handshake gets at most the time left of
    the overall budget, so a server trickling a byte at a time (each read well inside any
    per-read timeout) is still cut off at the deadline, in the headers as in the body."""

    def __init__(self, stream: Any, deadline: _Deadline) -> None:
        self._stream = stream
        self._deadline = deadline

    def _left(self, timeout: float | None) -> float:
        import httpcore2

        left = self._deadline.end - time.monotonic()
        if left <= 0:
            raise httpcore2.ReadTimeout("the overall deadline passed")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return bytes(self._stream.read(max_bytes, self._left(timeout)))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._left(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> Any:
        inner = self._stream.start_tls(ssl_context, server_hostname, self._left(timeout))
        return _DeadlineStream(inner, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend:
    """httpcore's network backend with every stream it opens bound to one overall deadline."""

    def __init__(self, deadline: _Deadline) -> None:
        import httpcore2

        self._backend = httpcore2.SyncBackend()
        self._deadline = deadline

    def _left(self, timeout: float | None) -> float:
        return _DeadlineStream(None, self._deadline)._left(timeout)

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, **kwargs: Any) -> Any:
        stream = self._backend.connect_tcp(host, port, self._left(timeout), **kwargs)
        return _DeadlineStream(stream, self._deadline)

    def connect_unix_socket(self, path: str, timeout: float | None = None, **kwargs: Any) -> Any:
        stream = self._backend.connect_unix_socket(path, self._left(timeout), **kwargs)
        return _DeadlineStream(stream, self._deadline)

    def sleep(self, seconds: float) -> None:
        time.sleep(min(seconds, self._left(None)))


def _bind_deadline(client: httpx2.Client, deadline: _Deadline) -> None:
    """Put the deadline backend under every connection pool of ``client``: the direct one and
    each proxy mount httpx made from the environment. httpx exposes no backend parameter, so this
    sets the pools' ``_network_backend``; tests/reliability/test_hostile_pages.py fails if that
    moves (the drip cases would hang past the deadline)."""
    # A mount of None is a NO_PROXY pattern: those requests go through the direct transport.
    transports = [client._transport, *(t for t in client._mounts.values() if t is not None)]
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        if pool is None or not hasattr(pool, "_network_backend"):
            raise RuntimeError("httpx2's transport no longer has a pool with _network_backend")
        pool._network_backend = _DeadlineBackend(deadline)


def fetch_url(url: str, *, timeout: float = FETCH_TIMEOUT, max_bytes: int = MAX_PAGE_BYTES) -> FetchedPage:
    """GET one page: http/https only, redirects followed, ``timeout`` overall, ``max_bytes`` cap.

    Every failure is a ``NetworkError`` (exit 4) with one line a user can act on; a wrong scheme
    or a malformed link is an ``InputError`` (exit 2).
    """
    import httpx2

    url = url.strip()
    _check_scheme(url)
    wire_url = _normalise_url(url)
    host = urllib.parse.urlsplit(url).hostname
    deadline = _Deadline(timeout, url)
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"}
    try:
        with httpx2.Client(headers=headers, follow_redirects=False, trust_env=True) as client:
            _bind_deadline(client, deadline)
            request = client.build_request("GET", wire_url, timeout=deadline.left())
            for _hop in range(MAX_REDIRECTS + 1):
                response = client.send(request, stream=True)
                try:
                    if response.next_request is None:
                        return _read(response, url, deadline, max_bytes)
                    request = response.next_request
                finally:
                    response.close()
                scheme = request.url.scheme.lower()
                if scheme not in ("http", "https"):
                    raise NetworkError(f"{url} redirects to a {scheme}:// link, which is not followed")
                request.extensions["timeout"] = httpx2.Timeout(deadline.left()).as_dict()
            raise NetworkError(f"{url}: more than {MAX_REDIRECTS} redirects (a redirect loop?)")
    except (NetworkError, InputError):
        raise
    except httpx2.TimeoutException:
        raise NetworkError(f"{url}: timed out after {timeout:g} s") from None
    except httpx2.UnsupportedProtocol as exc:
        raise NetworkError(f"{url}: {exc}") from None
    except httpx2.InvalidURL as exc:
        raise InputError(f"not a valid link: {url} ({exc})") from None
    except httpx2.RemoteProtocolError as exc:
        raise NetworkError(_describe_protocol_error(url, exc)) from None
    except (httpx2.TransportError, OSError) as exc:
        raise NetworkError(_describe_network_error(url, host, _root_cause(exc))) from None
    except httpx2.HTTPError as exc:  # any other error httpx raises for an answer: still one line
        raise NetworkError(f"{url}: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}") from None


def _read(response: httpx2.Response, url: str, deadline: _Deadline, max_bytes: int) -> FetchedPage:
    """The body of a final (non-redirect) response, within the deadline and the size cap."""
    raw_headers = response.headers.raw
    if len(raw_headers) > MAX_HEADERS:
        raise NetworkError(f"{url}: the server sent {len(raw_headers)} headers (more than {MAX_HEADERS})")
    header_bytes = sum(len(k) + len(v) + 4 for k, v in raw_headers)
    if header_bytes > MAX_HEADER_BYTES:
        raise NetworkError(f"{url}: the server sent {header_bytes // 1024} kB of header (more than 64 kB)")
    if response.status_code >= 400:
        raise NetworkError(f"{url}: the server answered {response.status_code} {response.reason_phrase}")
    too_large = f"{url}: the page is larger than {_size_text(max_bytes)}"
    length = response.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise NetworkError(too_large)
    decoder = _Decompressor(response.headers.get("Content-Encoding"), url)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_raw(64 * 1024):
        deadline.left()
        data = decoder.feed(chunk, max_bytes - size)
        size += len(data)
        if size > max_bytes:
            raise NetworkError(too_large)
        chunks.append(data)
    content_type = response.headers.get("Content-Type", "").partition(";")[0].strip().lower()
    charset = response.charset_encoding
    return FetchedPage(
        url=str(response.url),
        data=b"".join(chunks),
        content_type=content_type or "text/plain",
        charset=charset.lower() if charset else None,
    )


def _describe_protocol_error(url: str, exc: Exception) -> str:
    """h11's complaint about a broken answer, as one line a user can understand."""
    text = " ".join(str(exc).split())[:200]
    if "peer closed connection without sending complete message body" in text:
        return f"{url}: the page is shorter than the server announced (the connection closed early: {text})"
    return f"{url}: the server's answer is not a valid HTTP answer ({text or type(exc).__name__})"


def _root_cause(exc: BaseException) -> BaseException:
    """The OS error under httpx's wrappers (refused, DNS, TLS ...), else ``exc`` itself."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return exc


def _describe_network_error(url: str, host: str | None, reason: object) -> str:
    import socket
    import ssl

    if isinstance(reason, TimeoutError):
        return f"{url}: timed out"
    if isinstance(reason, socket.gaierror):
        return f"cannot find {host} (offline, or a mistyped address?)"
    if isinstance(reason, ConnectionRefusedError):
        return f"cannot connect to {host}: connection refused (offline, or the site is down?)"
    if isinstance(reason, ssl.SSLError):
        return f"cannot connect securely to {host}: {getattr(reason, 'reason', None) or reason}"
    text = getattr(reason, "strerror", None) or str(reason)
    return f"cannot reach {host}: {text} (are you offline?)"
