"""Logs never hold article text: journalists' material is confidential, and log files end up in
bug reports.

Two checks. (1) Default configuration, real console script: whatever any library logs at its
default level reaches stderr; after segment/summarize/translate/check on the seed article (also
as Windows-1252 and as a web page), stderr holds none of its sentences. (2) In process, with every
Nordbrief logger (``models.*``, ``desktop.*``) at DEBUG, no log record (message, arguments or
exception text) holds a sentence either.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest


def _needles(text: str) -> list[str]:
    """Distinctive pieces of the article: every sentence's longest 25-character window start."""
    from models.text.segment import segment

    out = []
    for s in segment(text).sentences:
        words = s.text.split()
        if len(words) >= 4:
            out.append(" ".join(words[:4]))
            out.append(" ".join(words[-4:]))
    return out


def _variants(seed_article: Path, tmp_path: Path) -> dict[str, Path]:
    text = seed_article.read_text(encoding="utf-8")
    cp = tmp_path / "article-cp1252.txt"
    cp.write_bytes(text.encode("cp1252", errors="replace"))
    html = tmp_path / "article.html"
    paras = "".join(f"<p>{p}</p>" for p in text.split("\n\n") if p.strip())
    html.write_text(f"<html><head><title>Syria</title></head><body><article>{paras}</article></body></html>")
    return {"utf8": seed_article, "cp1252": cp, "html": html}


@pytest.mark.timeout(600)
def test_default_logging_leaks_no_article_text(seed_article: Path, tmp_path: Path, tiny_model: Path) -> None:
    text = seed_article.read_text(encoding="utf-8")
    needles = _needles(text)
    assert len(needles) > 20
    english = seed_article.with_name("syria-is-attacks.en.txt")
    runs = []
    for name, path in _variants(seed_article, tmp_path).items():
        runs.append([name, "segment", str(path)])
        runs.append([name, "summarize", str(path)])
    runs.append(["utf8", "translate", str(seed_article), "--model", str(tiny_model)])
    runs.append(["utf8", "check", str(seed_article), str(english)])
    for name, *args in runs:
        proc = subprocess.run(
            [sys.executable, "-m", "models.cli", *args, "-o", str(tmp_path / "out.txt")],
            capture_output=True,
            text=True,
            timeout=300,
            env=os.environ,
        )
        assert proc.returncode == 0, (name, args, proc.stderr)
        leaked = [n for n in needles if n in proc.stderr]
        assert leaked == [], f"{name} {args[0]}: article text on stderr: {leaked[:3]}"
        assert (tmp_path / "out.txt").stat().st_size > 0  # the text went to the output, not the log


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(self.format(record))


@pytest.mark.timeout(600)
def test_nordbrief_debug_logs_hold_no_article_text(
    seed_article: Path, tmp_path: Path, tiny_model: Path, capsys
) -> None:
    from models.cli import main

    handler = _Collect()
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    loggers = [logging.getLogger(n) for n in ("models", "desktop")]
    old = [(lg.level, lg.propagate) for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
        lg.addHandler(handler)
    try:
        variants = _variants(seed_article, tmp_path)
        for path in variants.values():
            assert main(["summarize", str(path), "--format", "json"]) == 0
        assert main(["translate", str(seed_article), "--model", str(tiny_model), "--format", "json"]) == 0
        # A failing case too: errors must not quote the text either.
        bad = tmp_path / "bad.txt"
        bad.write_bytes(b"\x00" * 100 + seed_article.read_bytes())
        assert main(["segment", str(bad)]) == 2
    finally:
        for lg, (level, propagate) in zip(loggers, old, strict=True):
            lg.removeHandler(handler)
            lg.setLevel(level)
            lg.propagate = propagate
    _, err = capsys.readouterr()
    needles = _needles(seed_article.read_text(encoding="utf-8"))
    logged = "\n".join(handler.texts)
    assert [n for n in needles if n in logged] == []
    assert [n for n in needles if n in err] == []


def test_gui_session_log_names_no_content(tmp_path: Path, caplog) -> None:
    """The autosave module logs why a session file was unusable, never what it held."""
    session = pytest.importorskip("desktop.session")
    target = tmp_path / "session.json"
    secret = "Kilden Ola Nordmann møtte statsråden hemmelig i Bodø kl. 03"
    target.write_text('{"version": 1, "text": "' + secret + '", "article": {"broken": true}}')
    with caplog.at_level(logging.DEBUG):
        assert session.load(target) is None
    assert caplog.records, "an unusable session file was dropped without a log line"
    assert all("Ola Nordmann" not in r.getMessage() for r in caplog.records)
