"""Hand edits of the English (post-editing), the Stop bound of the engine, and what exports say
about edits, imported models, pasted text and file permissions (Qt-free)."""

from __future__ import annotations

import os
import stat
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from models import export
from models.article import Article, ModelInfo
from models.pipeline import (
    apply_sentence_check,
    apply_translations,
    article_from_text,
    check_sentence,
    edit_translation,
    revert_translation,
    translate_article,
)
from models.translation.engine import Translator
from models.translation.memory import TranslationMemory

TEXT = (
    "Ny bro åpnet i Bergen\n\n"
    "Bergen kommune åpnet mandag en ny bro. Broen kostet 410 millioner kroner.\n\n"
    "Trafikken vil øke med 30 prosent."
)


def _translated(model: Path) -> tuple[Article, Translator]:
    art = article_from_text(TEXT)
    tr = Translator(model, memory=TranslationMemory())
    for batch in translate_article(art, tr):
        apply_translations(art, batch)
    return art, tr


def test_an_edit_survives_retranslation_and_revert_restores_the_machine_text(tiny_model: Path) -> None:
    art, tr = _translated(tiny_model)
    machine = art.sentences[2].translation
    edit_translation(art, 2, "The bridge cost 410 million kroner.")
    seen = [t.index for batch in translate_article(art, tr) for t in batch]
    assert 2 not in seen  # an edited sentence is not sent again
    for batch in translate_article(art, tr):
        apply_translations(art, batch)
    assert art.sentences[2].translation == "The bridge cost 410 million kroner."
    # A batch computed before the edit arrives late: the edit still wins.
    apply_translations(art, [type(next(iter(translate_article(article_from_text(TEXT), tr)))[0])(2, "x")])
    assert art.sentences[2].translation == "The bridge cost 410 million kroner."
    revert_translation(art, 2)
    assert not art.sentences[2].edited and art.sentences[2].translation is None
    batches = list(translate_article(art, tr))
    assert all(t.cached for b in batches for t in b)  # the memory kept the machine translation
    for b in batches:
        apply_translations(art, b)
    assert art.sentences[2].translation == machine


def test_an_edit_is_checked_and_round_trips_through_the_session_json() -> None:
    art = article_from_text(TEXT)
    edit_translation(art, 2, "The bridge cost 41 million kroner.")
    details = check_sentence(art, 2)
    assert any(d.flag == "number_missing" or "410" in d.detail for d in details)
    apply_sentence_check(art, 2, details)
    edit_translation(art, 2, "The bridge cost 410 million kroner.")
    assert not [d for d in check_sentence(art, 2) if "410" in d.detail]
    again = Article.from_json({**art.to_json(), "text": art.text})
    assert again.sentences[2].edited and again.sentences[2].translation == art.sentences[2].translation


def test_export_marks_edits_names_imported_models_and_pasted_text(tmp_path: Path) -> None:
    art = article_from_text(TEXT)  # pasted: no file
    for s in art.sentences:
        s.translation = f"English {s.index}."
    art.model = ModelInfo(name="my-folder-model", origin="imported")
    edit_translation(art, 1, "Bergen opened a new bridge on Monday.")
    from models.article import Bullet

    art.bullets = [Bullet(sentence=1, text=art.sentences[1].text, score=1.0)]
    txt = export.render_text(art)
    assert "Source: pasted text" in txt
    assert "Translation model: imported model" in txt and "my-folder-model" not in txt
    assert "Edited by hand: the English of 1 of 4 sentences" in txt
    assert "* Bergen opened a new bridge on Monday. [edited by hand]" in txt
    assert txt.startswith("English 0.\n")  # the English headline is the title
    assert "Original title: Ny bro åpnet i Bergen" in txt


def test_export_files_get_ordinary_permissions(tmp_path: Path) -> None:
    art = article_from_text(TEXT)
    old = os.umask(0o022)
    try:
        path = export.export_summary(art, tmp_path / "a.txt")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # not the temporary file's 0600
    os.chmod(path, 0o640)
    export.export_summary(art, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # a replaced file keeps its mode


class _Spy:
    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.rows: list[int] = []

    def translate_batch(self, source: list[list[str]], **kw: Any) -> Any:
        self.rows.append(len(source))
        return self.inner.translate_batch(source, **kw)

    def unload_model(self) -> None:
        self.inner.unload_model()


def _equal_length_texts(tr: Translator) -> list[str]:
    texts = [f"Setning nummer {i} handler om været i Bergen i dag." for i in range(10, 90)]
    lengths = [len(tr.tokenize(t)) for t in texts]
    same = max(set(lengths), key=lengths.count)
    return [t for t, n in zip(texts, lengths, strict=True) if n == same][:40]


def test_at_beam_2_a_cancellable_run_batches_like_the_cli(tiny_model: Path) -> None:
    """A Stop never waits for a call, so a run that can be stopped (the window's) is cut into
    the same calls as one that cannot (the CLI's): narrower calls made the window slower."""
    runs = []
    for cancel in (None, lambda: False):
        tr = Translator(tiny_model, memory=TranslationMemory(), beam_size=2)
        texts = _equal_length_texts(tr)
        assert len(texts) >= 10
        spy = _Spy(tr.ct2)
        tr.ct2 = spy  # type: ignore[assignment]
        out = [t for batch in tr.stream(texts, cancel=cancel) for t in batch]
        assert [i for i, _ in out] == list(range(len(texts)))
        runs.append(spy.rows)
    assert runs[0] == runs[1]
    assert max(runs[1]) > 1


class _Held:
    def __init__(self, inner: Any, release: threading.Event) -> None:
        self.inner, self.release = inner, release

    def done(self) -> bool:
        return self.release.is_set()

    def result(self) -> Any:
        self.release.wait()
        return self.inner


class _HeldCalls:
    """CTranslate2 whose asynchronous calls end only when ``release`` is set: a call that takes
    as long as the test wants."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.release = threading.Event()
        self.started = threading.Event()

    def translate_batch(self, source: list[list[str]], **kw: Any) -> Any:
        held = kw.pop("asynchronous", False)
        results = self.inner.translate_batch(source, **kw)
        if not held:
            return results
        self.started.set()
        return [_Held(r, self.release) for r in results]


def test_at_beam_2_stop_does_not_wait_for_the_call_in_flight(tiny_model: Path) -> None:
    tr = Translator(tiny_model, memory=TranslationMemory(), beam_size=2)
    texts = _equal_length_texts(tr)
    held = _HeldCalls(tr.ct2)
    tr.ct2 = held  # type: ignore[assignment]
    t0 = time.monotonic()
    out = list(tr.stream(texts, cancel=held.started.is_set))  # Stop once the first call runs
    assert time.monotonic() - t0 < 2.0  # the held call would never end by itself
    assert out == []  # the stopped call's sentences are not yielded
    assert held.started.is_set()
    assert not tr.wait_abandoned(0.2)  # still running: left to finish, never killed
    held.release.set()
    assert tr.wait_abandoned(5.0)
    # A cancellable call that ends is waited for as before.
    again = Translator(tiny_model, memory=TranslationMemory(), beam_size=2)
    done = [i for batch in again.stream(texts[:3], cancel=lambda: False) for i, _ in batch]
    assert done == [0, 1, 2]


def test_at_beam_1_cancel_ends_a_call_midway(tiny_model: Path) -> None:
    tr = Translator(tiny_model, memory=TranslationMemory(), beam_size=1)
    calls = 0

    def cancel() -> bool:
        nonlocal calls
        calls += 1
        return calls > 1  # false before the first call, true at its first token step

    out = list(tr.stream(["Bergen kommune åpnet mandag en ny bro over fjorden."] * 2, cancel=cancel))
    assert out == [] and calls == 2  # the call ended at its first step; nothing was yielded


def test_an_article_without_a_headline_gets_its_first_sentence_english_as_title() -> None:
    art = article_from_text("Bergen kommune åpnet mandag en ny bro. Broen kostet 410 millioner kroner.")
    art.title = art.source.title = None
    for s in art.sentences:
        s.translation = f"English sentence {s.index}."
    txt = export.render_text(art)
    assert txt.startswith("English sentence 0.\n")
    assert "Original title: Bergen kommune åpnet mandag en ny bro." in txt


class _Token:
    """A cancel function that wakes its waiters (the window's ``CancelToken`` in small)."""

    def __init__(self) -> None:
        self.flag = threading.Event()
        self.wakers: list[Any] = []

    def __call__(self) -> bool:
        return self.flag.is_set()

    def wake_on_cancel(self, wake: Any) -> Any:
        self.wakers.append(wake)
        return lambda: self.wakers.remove(wake)

    def cancel(self) -> None:
        self.flag.set()
        for wake in list(self.wakers):
            wake()


def test_a_waking_cancel_stops_a_call_without_polling(
    tiny_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from models.translation import engine

    monkeypatch.setattr(engine, "CANCEL_POLL_SECONDS", 60.0)  # a poll would not come in time
    tr = Translator(tiny_model, memory=TranslationMemory(), beam_size=2)
    texts = _equal_length_texts(tr)
    held = _HeldCalls(tr.ct2)
    tr.ct2 = held  # type: ignore[assignment]
    token = _Token()
    stopper = threading.Thread(target=lambda: (held.started.wait(5), time.sleep(0.1), token.cancel()))
    stopper.start()
    t0 = time.monotonic()
    out = list(tr.stream(texts, cancel=token))
    assert time.monotonic() - t0 < 5.0
    stopper.join()
    assert out == [] and token.wakers == []  # woken, and the waiter unregistered itself
    held.release.set()
    assert tr.wait_abandoned(5.0)
