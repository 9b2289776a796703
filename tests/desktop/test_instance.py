"""One window per user and data folder, and links on the command line (issue 14, items 9 and 6).

The two-process tests run the real ``nordbrief`` launcher twice: the second launch must hand its
file to the first window and exit 0, the first must open it (and recover a stale socket left by
a crash). The in-process tests drive the server and a client thread (one QApplication per
process, so the second "app" is a plain ``QLocalSocket`` client, as a second launch uses).
"""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop import app as desktop_app
from desktop import dialogs, instance, launcher

REPO = Path(__file__).resolve().parents[2]
ARTICLE = "Ny bro i Bergen\n\nBergen kommune åpnet en ny bro. Den kostet 410 millioner."
PAGE = (
    '<!doctype html><html lang="nb"><head><meta charset="utf-8"><title>Ny bro i Bergen</title></head>'
    "<body><article><h1>Ny bro i Bergen</h1><p>Bergen kommune åpnet mandag en ny bro over Puddefjorden. "
    "Den kostet 410 millioner kroner, sier ordfører Kari Nordmann.</p><p>Broen er 250 meter lang og "
    "skal brukes av 8000 syklister hver dag.</p></article></body></html>"
)


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO), **extra}


def _launch(*args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "desktop.launcher", *args],
        env=_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _listening(name: str) -> bool:
    with socket.socket(socket.AF_UNIX) as s:
        try:
            s.connect(name)
        except OSError:
            return False
        return True


@pytest.fixture
def page_server() -> Iterator[str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = PAGE.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="page-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/nyheter/bro"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# ----- item 6: links on the command line ---------------------------------------------------------
@pytest.mark.parametrize(
    "argv", [["http://example.org/a"], ["https://example.org/a"], ["gui", "https://example.org/a"]]
)
def test_a_link_on_the_command_line_goes_to_the_window(argv: list[str], monkeypatch: Any) -> None:
    seen: list[Any] = []
    monkeypatch.setattr(launcher, "_gui", lambda ns: seen.append(ns) or 0)
    assert launcher.main(argv) == 0
    assert seen and seen[0].command == "gui" and seen[0].file == argv[-1]


def test_a_file_on_the_command_line_still_goes_to_the_window(tmp_path: Path, monkeypatch: Any) -> None:
    f = tmp_path / "sak.txt"
    f.write_text(ARTICLE, encoding="utf-8")
    seen: list[Any] = []
    monkeypatch.setattr(launcher, "_gui", lambda ns: seen.append(ns) or 0)
    assert launcher.main([str(f)]) == 0
    assert seen[0].file == str(f)


def test_links_are_not_resolved_as_paths() -> None:
    assert desktop_app._target("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert desktop_app._target("sak.txt") == str(Path("sak.txt").resolve())


@pytest.mark.timeout(120)
@pytest.mark.parametrize("via_gui", [True, False])
def test_nordbrief_link_imports_the_page_in_the_window(via_gui: bool, page_server: str) -> None:
    """``nordbrief [gui] http://…`` opens the page as Open URL does (it was "no such file" /
    "invalid choice")."""
    args = ["gui", page_server] if via_gui else [page_server]
    proc = _launch(*args, NORDBRIEF_QUIT_AFTER_MS="500")
    out, err = proc.communicate(timeout=110)
    assert proc.returncode == 0, err[-2000:]
    state = json.loads(out.strip().splitlines()[-1])
    assert state["title"].startswith("Ny bro i Bergen")
    assert state["sentences"] >= 3 and state["bullets"] > 0


# ----- item 9: one window per user and data folder -----------------------------------------------
posix_only = pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="Unix sockets (named pipes elsewhere)")


@posix_only
@pytest.mark.timeout(180)
def test_a_second_launch_hands_its_file_to_the_running_window(
    tmp_path: Path, isolated_user_dirs: Path
) -> None:
    """Two real processes; a stale socket from a "crashed" window is there first."""
    name = instance.server_name()
    assert name.endswith(".sock") and len(name) < 100
    Path(name).unlink(missing_ok=True)
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(name)  # bound, never listening, file left behind: what a killed window leaves
    stale.close()
    assert Path(name).exists() and not _listening(name)

    article = tmp_path / "sak.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    first = _launch("gui", "--no-restore", NORDBRIEF_QUIT_AFTER_MS="15000")
    try:
        deadline = time.monotonic() + 60
        while not _listening(name):
            assert first.poll() is None, first.communicate()[1][-2000:]
            assert time.monotonic() < deadline, "the first window never listened"
            time.sleep(0.2)
        second = subprocess.run(
            [sys.executable, "-m", "desktop.launcher", "sak.txt"],  # relative: resolved by the sender
            cwd=tmp_path,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 0, second.stderr[-2000:]
        assert "already running" in second.stderr and second.stdout == ""
        out, err = first.communicate(timeout=100)
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate()
    assert first.returncode == 0, err[-2000:]
    state = json.loads(out.strip().splitlines()[-1])
    assert state["title"] == "Ny bro i Bergen — Nordbrief"
    assert state["sentences"] == 3
    saved = json.loads((isolated_user_dirs / "data" / "session.json").read_text(encoding="utf-8"))
    assert saved["file"] == str(article) and saved["text"] == ARTICLE
    assert not Path(name).exists()  # the window removed its socket on quit


def _client(name: str, payload: bytes, results: list[Any]) -> threading.Thread:
    """A raw client in a thread (a plain socket: it releases the GIL while it waits, so the GUI
    thread keeps serving meanwhile); records what the server answered."""

    def run() -> None:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(3)
            sock.connect(name)
            try:
                sock.sendall(payload)
                results.append(sock.recv(100))
            except OSError:  # dropped while sending: nothing answered
                results.append(b"")

    t = threading.Thread(target=run, name="second-launch")
    t.start()
    return t


def _hand_over_from_another_process(name: str, target: str | None) -> subprocess.Popen[str]:
    script = (
        "import sys, json; from desktop import instance; "
        "print(instance.hand_over(sys.argv[1], json.loads(sys.argv[2])))"
    )
    return subprocess.Popen(
        [sys.executable, "-c", script, name, json.dumps(target)],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def server(qtbot: Any) -> Iterator[instance.InstanceServer]:
    srv = instance.InstanceServer(instance.server_name())
    assert srv.listen()
    yield srv
    srv.close()


@pytest.mark.parametrize("target", ["/tmp/sak.txt", "https://example.org/nyheter/bro", None])
def test_the_server_receives_what_a_second_launch_hands_over(
    server: instance.InstanceServer, qtbot: Any, target: str | None
) -> None:
    got: list[Any] = []
    server.received.connect(got.append)
    proc = _hand_over_from_another_process(server.name, target)
    qtbot.waitUntil(lambda: proc.poll() is not None, timeout=30_000)
    out, err = proc.communicate()
    assert out.strip() == "True", err[-2000:]
    assert got == [target]


@posix_only
@pytest.mark.parametrize(
    "payload",
    [
        b"not json\n",
        b'{"open": 5}\n',
        b'{"open": "x", "run": "rm -rf ~"}\n',
        b"[" * 100_000 + b"\n",
        b'{"open": "' + b"a" * (instance.MAX_MESSAGE + 10) + b'"}\n',
    ],
)
def test_anything_else_on_the_socket_is_dropped(
    server: instance.InstanceServer, qtbot: Any, payload: bytes
) -> None:
    got: list[Any] = []
    server.received.connect(got.append)
    results: list[Any] = []
    t = _client(server.name, payload, results)
    qtbot.waitUntil(lambda: not t.is_alive(), timeout=15_000)
    t.join()
    assert got == [] and results == [b""]


@posix_only
def test_a_stale_socket_is_replaced_and_nobody_is_there_to_take_a_file(qtbot: Any) -> None:
    name = instance.server_name()
    Path(name).unlink(missing_ok=True)
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(name)
    stale.close()
    assert instance.hand_over(name, "/tmp/x.txt") is False  # refused at once, not hung
    srv = instance.InstanceServer(name)
    try:
        assert srv.listen()
        assert _listening(name)
    finally:
        srv.close()


# ----- the running window opens what it is handed, never dropping typed text ---------------------
def _typed_window(make_window: Callable[..., Any], qtbot: Any) -> Any:
    window = make_window(autoload_model=False)
    window.original.setFocus()
    qtbot.keyClicks(window.original, "Mine egne notater om saken.")
    assert desktop_app.has_typed_text(window)
    return window


def _article_file(tmp_path: Path) -> Path:
    f = tmp_path / "sak.txt"
    f.write_text(ARTICLE, encoding="utf-8")
    return f


def test_typed_text_is_kept_when_the_user_declines(
    make_window: Callable[..., Any], qtbot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "confirm", lambda parent, title, msg: asked.append(msg) or False)
    window = _typed_window(make_window, qtbot)
    desktop_app.open_handed_over(window, str(_article_file(tmp_path)))
    assert asked and "sak.txt" in asked[0]
    qtbot.wait(300)
    assert window.original.toPlainText() == "Mine egne notater om saken."
    assert "typed text is kept" in window.status_label.text()


def test_the_handed_file_opens_when_the_user_agrees(
    make_window: Callable[..., Any], qtbot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setattr(dialogs, "confirm", lambda parent, title, msg: True)
    window = _typed_window(make_window, qtbot)
    desktop_app.open_handed_over(window, str(_article_file(tmp_path)))
    qtbot.waitUntil(lambda: window.original.toPlainText() == ARTICLE, timeout=20_000)
    assert window.file == str(_article_file(tmp_path))


def test_nothing_typed_means_no_question(
    make_window: Callable[..., Any], qtbot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    def never(*a: Any) -> bool:
        raise AssertionError("asked although nothing was typed")

    monkeypatch.setattr(dialogs, "confirm", never)
    window = make_window(autoload_model=False)
    desktop_app.open_handed_over(window, str(_article_file(tmp_path)))
    qtbot.waitUntil(lambda: window.original.toPlainText() == ARTICLE, timeout=20_000)
    assert not desktop_app.has_typed_text(window)  # an opened file is not "typed"
    desktop_app.open_handed_over(window, None)  # a plain second launch: just shown
    assert window.isVisible()


def test_a_handed_link_is_imported_like_open_url(
    make_window: Callable[..., Any], qtbot: Any, page_server: str
) -> None:
    window = make_window(autoload_model=False)
    desktop_app.open_handed_over(window, page_server)
    qtbot.waitUntil(lambda: window.article is not None, timeout=20_000)
    assert window.original.toPlainText().startswith("Ny bro i Bergen")
    assert window.file == page_server


def test_the_second_launch_is_answered_before_the_window_asks_its_question(
    server: instance.InstanceServer, qtbot: Any
) -> None:
    """Opening may show a modal question (typed text): the answer must already be on its way,
    or a user slower than the launch's timeout would get a second window."""
    answered: list[bool] = []
    procs: list[subprocess.Popen[str]] = []

    def slow_user(target: Any) -> None:  # a modal dialog: the event loop runs nested
        qtbot.waitUntil(lambda: procs[0].poll() is not None, timeout=30_000)
        answered.append(True)

    server.received.connect(slow_user)
    procs.append(_hand_over_from_another_process(server.name, "/tmp/sak.txt"))
    qtbot.waitUntil(lambda: answered == [True], timeout=40_000)
    out, err = procs[0].communicate()
    assert out.strip() == "True", err[-2000:]
