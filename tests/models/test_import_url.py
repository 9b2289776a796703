"""Opening a link: served from a loopback HTTP server in a thread, never from the internet."""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from models.cli import main
from models.errors import InputError, NetworkError
from models.pipeline import load_article, load_url
from models.reading.files import import_url
from models.reading.web import fetch_url, is_url

FIXTURES = Path(__file__).parent / "fixtures"
NEWS_HTML = (FIXTURES / "news_page.html").read_bytes()
NEWS_TITLE = "Ferja til Hareid innstilt i tre dager etter motorhavari"
CANONICAL = "https://www.vestlandsposten.example/nyheter/ferja-innstilt-hareid/a/81234"
BIG = 10 * 1024 * 1024 + 1


# User-Agent of every request the test server saw (cleared by the fixture).
AGENTS: list[str] = []


class _Handler(BaseHTTPRequestHandler):
    stop: threading.Event

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass

    def _send(self, code: int, body: bytes, ctype: str = "text/html; charset=utf-8", **headers: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k.replace("_", "-"), v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        AGENTS.append(self.headers.get("User-Agent", ""))
        path = self.path
        if path == "/artikkel":
            self._send(200, NEWS_HTML)
        elif path == "/kort-lenke":
            self._send(302, b"", Location="/artikkel")
        elif path == "/flyttet":
            self._send(301, b"", Location="/kort-lenke")
        elif path == "/til-ftp":
            self._send(302, b"", Location="ftp://127.0.0.1/artikkel")
        elif path == "/sirkel":
            self._send(302, b"", Location="/sirkel")
        elif path == "/latin1":
            page = "<html><head><title>Vær</title></head><body><h1>Kaldt vær i Tromsø</h1>"
            page += "<p>Det blir minus 15 grader i Tromsø i helgen, og det kommer mer snø.</p>"
            page += "<p>Meteorologene ber folk kle seg godt og være forsiktige på glatte veier.</p>"
            self._send(200, page.encode("cp1252"), "text/html; charset=ISO-8859-1")
        elif path == "/tekst":
            body = "Lang kø på E6\n\nDet er lang kø på E6 nord for Oslo etter et uhell.\n"
            self._send(200, body.encode("utf-8"), "text/plain; charset=utf-8")
        elif path == "/stor-header":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(BIG))
            self.end_headers()
            self.wfile.write(b"<html>" + b" " * 1000)
        elif path == "/stor-strom":
            # No Content-Length: the cap must hold while streaming, too.
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Connection", "close")
            self.end_headers()
            chunk = b"<p>" + b"x" * (64 * 1024) + b"</p>"
            sent = 0
            try:
                while sent < BIG + len(chunk) and not self.stop.is_set():
                    self.wfile.write(chunk)
                    sent += len(chunk)
            except OSError:
                pass  # the client hung up at the cap, as it should
        elif path == "/treg":
            self.stop.wait(3.0)
            with contextlib.suppress(OSError):  # the client gave up first, as it should
                self._send(200, NEWS_HTML)
        elif path == "/nyheter/%C3%A6rfugl%20i%20%C3%85sg%C3%A5rdstrand":
            self._send(200, NEWS_HTML)
        elif path == "/komprimert":
            body = gzip.compress(NEWS_HTML)
            self._send(200, body, Content_Encoding="gzip")
        elif path == "/bombe":
            # 20 MB of spaces compress to ~20 KB: the cap must apply to what it unpacks to.
            self._send(200, gzip.compress(b"<p>" + b" " * (20 * 1024 * 1024)), Content_Encoding="gzip")
        elif path == "/pdf":
            self._send(200, b"%PDF-1.7\n...", "application/pdf")
        else:
            self._send(404, b"<h1>Finnes ikke</h1>")


@pytest.fixture
def server() -> Iterator[str]:
    """A loopback server in a daemon thread; shut down and joined in teardown."""
    stop = threading.Event()
    AGENTS.clear()
    handler = type("H", (_Handler,), {"stop": stop})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="test-http", daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_load_url_extracts_article_and_metadata(server: str) -> None:
    art = load_url(f"{server}/artikkel")
    assert art.title == NEWS_TITLE
    assert art.text.startswith(NEWS_TITLE + "\n\nOver 4000 reisende")
    assert "Godta alle" not in art.text and "Mest lest" not in art.text
    assert art.source.url == CANONICAL  # the page's canonical link wins over the fetched address
    assert art.source.author == "Ingrid Solheim"
    assert art.source.language == "nb"
    assert art.source.file is None


def test_redirects_are_followed(server: str) -> None:
    page = fetch_url(f"{server}/flyttet")
    assert page.url == f"{server}/artikkel"
    assert page.data == NEWS_HTML
    assert page.content_type == "text/html" and page.charset == "utf-8"
    assert load_article(f"{server}/kort-lenke").title == NEWS_TITLE


def test_redirect_to_another_scheme_is_refused(server: str) -> None:
    with pytest.raises(NetworkError, match="ftp://"):
        fetch_url(f"{server}/til-ftp")


def test_redirect_loop_is_a_network_error(server: str) -> None:
    with pytest.raises(NetworkError, match="redirect"):
        fetch_url(f"{server}/sirkel")


def test_declared_size_over_the_cap_is_refused(server: str) -> None:
    with pytest.raises(NetworkError, match="larger than 10 MB"):
        fetch_url(f"{server}/stor-header")


def test_streamed_size_over_the_cap_is_refused(server: str) -> None:
    with pytest.raises(NetworkError, match="larger than 10 MB"):
        fetch_url(f"{server}/stor-strom")


def test_small_cap_and_timeout_are_parameters(server: str) -> None:
    with pytest.raises(NetworkError, match="larger than 100 bytes"):
        fetch_url(f"{server}/artikkel", max_bytes=100)
    start = time.monotonic()
    with pytest.raises(NetworkError, match="timed out"):
        fetch_url(f"{server}/treg", timeout=0.5)
    assert time.monotonic() - start < 2.5


def test_http_error_status(server: str) -> None:
    with pytest.raises(NetworkError, match="404"):
        fetch_url(f"{server}/mangler")


def test_charset_from_http_header(server: str) -> None:
    art = load_url(f"{server}/latin1")
    assert art.text.startswith("Kaldt vær i Tromsø\n\nDet blir minus 15 grader i Tromsø")
    assert art.warnings == []  # a declared charset is not a surprise


def test_plain_text_link(server: str) -> None:
    art = load_url(f"{server}/tekst")
    assert art.text == "Lang kø på E6\n\nDet er lang kø på E6 nord for Oslo etter et uhell.\n"
    assert art.title == "Lang kø på E6"
    assert art.source.url == f"{server}/tekst"


def test_non_page_content_is_a_clear_input_error(server: str) -> None:
    with pytest.raises(InputError, match="not a web page"):
        import_url(f"{server}/pdf")


def test_sends_an_honest_user_agent(server: str) -> None:
    fetch_url(f"{server}/kort-lenke")
    assert len(AGENTS) == 2  # the redirect and its target
    assert all(a.startswith("Nordbrief/") for a in AGENTS)


# ---------------------------------------------------------------- through the CLI


def test_cli_segment_url_json(server: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["segment", f"{server}/kort-lenke", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["title"] == NEWS_TITLE
    assert data["source"]["url"] == CANONICAL
    assert data["source"]["date"] == "2024-03-12T07:45:00+01:00"


def test_cli_non_http_scheme_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["segment", "ftp://example.org/sak.html"]) == 2
    err = capsys.readouterr().err
    assert "only http:// and https://" in err and len(err.strip().splitlines()) == 1
    assert main(["segment", "file:///etc/passwd"]) == 2


def test_cli_connection_refused_exits_4(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # Nothing listens on the port any more: the "offline / site down" case.
    assert main(["segment", f"http://127.0.0.1:{port}/sak"]) == 4
    err = capsys.readouterr().err.strip()
    assert err.startswith("nordbrief: error: cannot connect to 127.0.0.1: connection refused")
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def test_cli_too_large_exits_4(server: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["segment", f"{server}/stor-header"]) == 4
    assert "larger than 10 MB" in capsys.readouterr().err


def test_is_url() -> None:
    assert is_url("https://nrk.no/sak")
    assert is_url("ftp://x/y")
    assert not is_url("sak.txt")
    assert not is_url("C:\\Users\\sak.txt")
    assert not is_url("-")


def test_norwegian_letters_and_spaces_in_a_link_are_encoded(server: str) -> None:
    art = load_url(f"{server}/nyheter/ærfugl i Åsgårdstrand#kommentarer")
    assert art.title == NEWS_TITLE


def test_gzip_response_is_unpacked_and_capped(server: str) -> None:
    page = fetch_url(f"{server}/komprimert")
    assert page.data == NEWS_HTML
    with pytest.raises(NetworkError, match="larger than 10 MB"):
        fetch_url(f"{server}/bombe")


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("http://ola:hemmelig@127.0.0.1/sak", "user name or password"),
        ("http://127.0.0.1:port/sak", "bad port"),
        ("https:///uten-vert", "not a valid link"),
    ],
)
def test_malformed_links_are_input_errors(link: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        fetch_url(link)
