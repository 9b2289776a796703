"""A damaged or hostile ``session.json`` never stops the window from starting (issue 14, item 2).

Each case is written into the real session file, then a real window is built with session
restore on, as ``nordbrief`` starts: it must come up with the previous good session (or empty
when there is none) and say so in the status bar. The cases are the attack's (a sentence as a
string, 200k-deep nesting, a huge file) plus a type change at every position of a real session.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop import session
from models.paths import data_dir
from models.pipeline import apply_check, article_from_text, check_article, summarize_article

REPO = Path(__file__).resolve().parents[2]
GOOD_TEXT = "Forrige versjon. Den er god."


def _article() -> Any:
    art = article_from_text("Overskrift\n\nOslo fikk 12 nye busser i 2023. Det kostet 40 millioner kroner.")
    for s in art.sentences:
        s.translation = f"sentence {s.index}"
    art.sentences[1].edited = True
    summarize_article(art, bullets=3)  # facts and bullets
    art.bullets[0].compressed = True  # its own English, checked on its own: a flagged bullet
    art.bullets[0].translation = "Oslo got new buses."
    apply_check(art, check_article(art))  # flags and flag details ("sentence 1" lacks the 12)
    assert art.bullets and art.facts and any(s.flag_details for s in art.sentences)
    assert art.bullets[0].flag_details, "a bullet's flag details must be in the saved session"
    return art


def _good_json() -> dict[str, Any]:
    art = _article()
    return session.to_json(session.Session(text=art.text, article=art, file="/x/a.txt"))


def _with_backup() -> Path:
    """A previous good session (``session.prev.json``) and a current one, the file to damage."""
    session.save(session.Session(text=GOOD_TEXT))
    art = _article()
    return session.save(session.Session(text=art.text, article=art, file="/x/a.txt"))


def _sentence_as_string() -> bytes:
    data = _good_json()
    data["article"]["sentences"][1] = "Oslo fikk 12 nye busser i 2023."
    return json.dumps(data).encode()


def _deep_nesting() -> bytes:
    data = _good_json()
    data["article"]["warnings"] = ["PLACEHOLDER"]
    text = json.dumps(data)
    return text.replace('"PLACEHOLDER"', "[" * 200_000 + "]" * 200_000).encode()


def _wrong_type_in_bullet() -> bytes:
    data = _good_json()
    data["article"]["bullets"][0]["spans"] = [["a", "b"]]
    return json.dumps(data).encode()


def _edited_not_a_bool() -> bytes:
    data = _good_json()
    data["article"]["sentences"][0]["edited"] = {"x": 1}
    return json.dumps(data).encode()


def _offsets_outside_the_text() -> bytes:
    data = _good_json()
    data["article"]["sentences"][-1]["end"] = 10**9
    return json.dumps(data).encode()


def _bullet_on_a_missing_sentence() -> bytes:
    data = _good_json()
    data["article"]["bullets"][0]["sentence"] = 999
    return json.dumps(data).encode()


def _flag_detail_as_list() -> bytes:
    data = _good_json()
    data["article"]["sentences"][0]["flag_details"] = [["number_missing", "x"]]
    return json.dumps(data).encode()


DAMAGE: dict[str, Callable[[], bytes]] = {
    "sentence-as-string": _sentence_as_string,
    "200k-deep": _deep_nesting,
    "bullet-span-strings": _wrong_type_in_bullet,
    "edited-as-object": _edited_not_a_bool,
    "offsets-outside-text": _offsets_outside_the_text,
    "bullet-sentence-out-of-range": _bullet_on_a_missing_sentence,
    "flag-detail-as-list": _flag_detail_as_list,
    "article-is-a-list": lambda: json.dumps({**_good_json(), "article": [1, 2]}).encode(),
    "top-level-list": lambda: b"[1, 2, 3]",
    "huge-number": lambda: (
        json.dumps(_good_json()).replace('"start": 0', '"start": 9' + "9" * 5000, 1).encode()
    ),
    "not-utf8": lambda: b'{"version": 1, "text": "\xff\xfe"}',
}


def _restored_window(make_window: Callable[..., Any]) -> Any:
    return make_window(restore_session=True, autoload_model=False)


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_damaged_session_falls_back_to_the_previous_one(
    case: str, make_window: Callable[..., Any], qtbot: Any
) -> None:
    target = _with_backup()
    target.write_bytes(DAMAGE[case]())
    window = _restored_window(make_window)
    assert window.original.toPlainText() == GOOD_TEXT
    assert "could not be read" in window.status_label.text()
    assert "restored the one before" in window.status_label.text()
    # Kept aside, not overwritten by the next autosave: it may hold the newest typed text.
    assert session.damaged_path().read_bytes() == DAMAGE[case]()


@pytest.mark.parametrize("case", ["sentence-as-string", "200k-deep"])
def test_damaged_session_without_a_backup_starts_empty(
    case: str, make_window: Callable[..., Any], qtbot: Any
) -> None:
    data_dir().mkdir(parents=True, exist_ok=True)
    session.session_path().write_bytes(DAMAGE[case]())
    window = _restored_window(make_window)
    assert window.original.toPlainText() == ""
    assert window.article is None
    assert "starting with an empty window" in window.status_label.text()


def test_a_fifo_in_place_of_the_session_does_not_block_the_start(
    make_window: Callable[..., Any], qtbot: Any
) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    target = _with_backup()
    target.unlink()
    os.mkfifo(target)  # reading it would wait for a writer forever
    window = _restored_window(make_window)
    assert window.original.toPlainText() == GOOD_TEXT
    assert "could not be read" in window.status_label.text()


@pytest.mark.parametrize("kind", ["link-to-dev-zero", "directory", "dangling-link"])
def test_something_else_in_place_of_the_session_is_refused(
    kind: str, make_window: Callable[..., Any], qtbot: Any
) -> None:
    target = _with_backup()
    target.unlink()
    if kind == "link-to-dev-zero":
        target.symlink_to("/dev/zero")  # read whole, this never ends
    elif kind == "directory":
        target.mkdir()
    else:
        target.symlink_to(target.parent / "nowhere.json")
    window = _restored_window(make_window)
    assert window.original.toPlainText() == GOOD_TEXT
    assert "could not be read" in window.status_label.text()


def test_a_huge_session_is_refused_before_it_is_read(make_window: Callable[..., Any], qtbot: Any) -> None:
    target = _with_backup()
    with target.open("r+b") as fh:  # sparse: no disk used
        fh.truncate(session.MAX_SESSION_BYTES + 1)
    window = _restored_window(make_window)
    assert window.original.toPlainText() == GOOD_TEXT
    assert "could not be read" in window.status_label.text()


def test_a_huge_session_stays_within_a_memory_cap(tmp_path: Path) -> None:
    """3 GB (sparse) under a 1.5 GB address-space limit: read whole, this raised MemoryError."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "session.prev.json").write_text(json.dumps({"version": 1, "text": GOOD_TEXT, "file": None}))
    with (data / "session.json").open("wb") as fh:
        fh.write(b'{"version": 1, "text": "')
        fh.truncate(3 * 1024**3)
    script = textwrap.dedent(
        """
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024**2, 1536 * 1024**2))
        from desktop import session
        s = session.load()
        print(s.text if s else None)
        """
    )
    env = {**os.environ, "NORDBRIEF_DATA_DIR": str(data), "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == GOOD_TEXT


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*path, i))


def _replaced(data: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = json.loads(json.dumps(data))
    node = copy
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = new
    return copy


def test_a_wrong_type_anywhere_is_refused_and_falls_back() -> None:
    """Every position of a real session (every field of every dataclass, the edited flag and the
    bullet fields included), given a value of a type it can never have: each must be refused
    and the previous session restored. The walk is over the data model's own JSON, so fields
    added to it later are walked too."""
    good = _good_json()
    assert session.validate(good) is None  # the real thing passes
    positions = [p for p in _paths(good) if p and p != ("version",)]
    assert len(positions) > 100
    refused = 0
    for path in positions:
        node: Any = good
        for p in path:
            node = node[p]
        # An object where a scalar/list is expected, else a string where an object/list is.
        wrong: Any = {"unexpected": 1} if not isinstance(node, dict) else "a string"
        if path[-1] in ("article",) or (path[-1] == "model" and node is None):
            wrong = 7  # these are optional objects: an int is never one
        _with_backup()
        session.session_path().write_text(json.dumps(_replaced(good, path, wrong)), encoding="utf-8")
        back = session.restore()
        assert back.session is not None and back.session.text == GOOD_TEXT, path
        assert back.note and "could not be read" in back.note, path
        refused += 1
    assert refused == len(positions)


def test_a_real_window_session_round_trips_through_validation(
    make_window: Callable[..., Any], qtbot: Any
) -> None:
    """No false alarms: what the window saves (analysed, translated, edited) restores whole."""
    art = _article()
    session.save(session.Session(text=art.text, article=art, file="/x/a.txt"))
    window = _restored_window(make_window)
    assert window.original.toPlainText() == art.text
    assert window.article is not None and window.article.sentences[1].edited is True
    assert window.status_label.text() == "Restored your last article"
    assert not session.damaged_path().exists()


def test_nesting_depth_ignores_brackets_inside_strings() -> None:
    assert session.nesting_depth(b'{"a": "[[[[{{{{\\"[[[["}') == 1
    assert session.nesting_depth(json.dumps(_good_json()).encode()) <= 6
    assert session.nesting_depth(b"[" * 1000) == 1000


def test_a_field_added_to_the_data_model_is_validated_without_touching_the_session_code() -> None:
    """The rules come from the annotations: a new dataclass field (as issue 16 may add to
    Sentence) is checked by type at once, and an annotation with no rule fails loudly."""
    from dataclasses import dataclass, field

    @dataclass
    class Later:
        count: int
        names: list[str] = field(default_factory=list)
        aligned: dict[str, int] = field(default_factory=dict)
        note: str | None = None

    session._check(Later, {"count": 1, "names": ["a"], "aligned": {"a": 1}, "note": None}, "x")
    for bad in (
        {"count": "1"},
        {"count": True},
        {"count": 1, "names": "a"},
        {"count": 1, "aligned": {"a": "b"}},
        {"count": 1, "extra": 2},
        {},
    ):
        with pytest.raises(session.SessionError):
            session._check(Later, bad, "x")

    @dataclass
    class Unknown:
        when: set[int]

    with pytest.raises(TypeError):
        session._check(Unknown, {"when": []}, "x")


def test_an_unreadable_data_folder_still_starts_the_window(
    make_window: Callable[..., Any], qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_backup()

    def denied(self: Path) -> bool:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "is_dir", denied)  # as stat() on a folder without x permission
    window = _restored_window(make_window)
    monkeypatch.undo()
    assert window.original.toPlainText() == ""
    assert "starting with an empty window" in window.status_label.text()


def test_the_log_names_the_problem_never_the_article(caplog: pytest.LogCaptureFixture) -> None:
    data = _good_json()
    data["article"]["sentences"][0]["flag_details"] = [
        {"flag": "name_missing", "severity": "alarm", "detail": "Kari Nordmann"}
    ]
    _with_backup()
    session.session_path().write_text(json.dumps(data), encoding="utf-8")
    with caplog.at_level("WARNING"):
        assert session.restore().session.text == GOOD_TEXT
    assert "session.json unusable" in caplog.text
    assert "Kari" not in caplog.text and "Oslo" not in caplog.text
