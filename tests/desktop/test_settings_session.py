"""Settings and the autosaved session live in the per-test temporary folders."""

from __future__ import annotations

import json

import pytest

from desktop import session
from desktop import settings as S
from models.paths import config_dir, data_dir
from models.pipeline import article_from_text


def test_settings_file_is_under_the_isolated_config_dir() -> None:
    s = S.Settings()
    assert s.path == config_dir() / "desktop.ini"
    assert str(s.path).startswith(str(config_dir()))


def test_settings_round_trip_defaults_and_bad_values(tmp_path) -> None:
    s = S.Settings(tmp_path / "a.ini")
    assert s.get(S.BULLETS) == 5 and s.get(S.EXPORT_SOURCE) is True and s.get(S.RECENT_FILES) == []
    s.set(S.FONT_SIZE, 14)
    s.set(S.EXPORT_ORIGINAL, True)
    s.set(S.SPLITTER, [300, 400, 200])
    for p in ("/a.txt", "/b.txt", "/a.txt"):
        s.add_recent(p)
    s.set(S.BULLETS, "not a number")
    s.sync()
    again = S.Settings(tmp_path / "a.ini")
    assert again.get(S.FONT_SIZE) == 14
    assert again.get(S.EXPORT_ORIGINAL) is True
    assert [int(x) for x in again.get(S.SPLITTER)] == [300, 400, 200]
    assert again.get(S.RECENT_FILES) == ["/a.txt", "/b.txt"]
    assert again.get(S.BULLETS) == 5  # unusable value -> the declared default


def test_recent_files_are_capped() -> None:
    s = S.Settings()
    for i in range(S.MAX_RECENT + 5):
        s.add_recent(f"/f{i}.txt")
    recent = s.get(S.RECENT_FILES)
    assert len(recent) == S.MAX_RECENT and recent[0] == f"/f{S.MAX_RECENT + 4}.txt"


def _article():
    art = article_from_text("Overskrift\n\nOslo fikk 12 nye busser i 2023. Det kostet 40 millioner kroner.")
    for s in art.sentences:
        s.translation = f"sentence {s.index}"
    return art


def test_session_round_trip_keeps_text_and_results() -> None:
    art = _article()
    path = session.save(session.Session(text=art.text, article=art, file="/x/a.txt"))
    assert path.parent == data_dir()
    back = session.load()
    assert back is not None and back.text == art.text and back.file == "/x/a.txt"
    assert back.article is not None
    assert [s.translation for s in back.article.sentences] == [s.translation for s in art.sentences]
    assert [(s.start, s.end) for s in back.article.sentences] == [(s.start, s.end) for s in art.sentences]


def test_corrupt_session_falls_back_to_the_last_good_one() -> None:
    art = _article()
    session.save(session.Session(text="first version", article=None))
    session.save(session.Session(text=art.text, article=art))
    session.session_path().write_bytes(b'{"version": 1, "text": "trunc')  # simulated damage
    back = session.load()
    assert back is not None and back.text == "first version"


@pytest.mark.parametrize("content", [b"", b"\x00\x01garbage", json.dumps({"version": 99}).encode()])
def test_unusable_session_without_backup_means_a_fresh_start(content: bytes) -> None:
    data_dir().mkdir(parents=True, exist_ok=True)
    session.session_path().write_bytes(content)
    assert session.load() is None


def test_temp_files_of_a_killed_autosave_are_removed_on_load() -> None:
    """A kill mid-write leaves a temp file with article text: the next start deletes it."""
    import os
    import time

    path = session.save(session.Session(text="siste gode versjon"))
    stale = path.parent / f".{path.name}.abc123.tmp"
    stale.write_text('{"version": 1, "text": "konfidensiell halv', encoding="utf-8")
    old = time.time() - 2 * session.STALE_TEMP_SECONDS
    os.utime(stale, (old, old))
    fresh = path.parent / f".{path.name}.def456.tmp"  # another instance may be writing right now
    fresh.write_text("{", encoding="utf-8")
    back = session.load()
    assert back is not None and back.text == "siste gode versjon"
    assert not stale.exists()
    assert fresh.exists()
