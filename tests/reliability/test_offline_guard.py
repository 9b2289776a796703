"""The offline guarantee: the engine stages open no socket; only downloads and URL import talk to
the network, and only to the configured host.

The guard itself is tested first: a guard that cannot fail would prove nothing.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest


def test_guard_blocks_outside_hosts_and_records_them(no_network) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(OSError):
            sock.connect(("192.0.2.1", 80))  # TEST-NET-1, never routable
    finally:
        sock.close()
    with pytest.raises(OSError):
        socket.create_connection(("example.com", 443), timeout=0.5)
    assert no_network.forbidden == [("connect", ("192.0.2.1", 80)), ("getaddrinfo", "example.com")]
    no_network.forbidden.clear()  # the violations were the point of this test


def test_guard_allows_loopback_when_not_strict(no_network) -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    try:
        client = socket.create_connection(server.getsockname(), timeout=2)
        client.close()
    finally:
        server.close()
    assert no_network.forbidden == []
    assert any(op == "connect" for op, _ in no_network.attempts)


def test_strict_guard_forbids_even_creating_a_socket(no_sockets) -> None:
    with pytest.raises(OSError):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with pytest.raises(OSError):
        socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    assert len(no_sockets.forbidden) == 2
    no_sockets.forbidden.clear()


def test_segmentation_opens_no_socket(no_sockets, seed_article: Path) -> None:
    from models.pipeline import load_article

    article = load_article(str(seed_article))
    assert len(article.sentences) > 10
    assert no_sockets.attempts == []
