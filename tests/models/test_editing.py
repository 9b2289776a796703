"""Hand edits of the English (post-editing), the Stop bound of the engine, and what exports say
about edits, imported models, pasted text and file permissions (Qt-free)."""

from __future__ import annotations

import os
import stat
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
from models.translation.batching import call_units, plan_batches
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


def test_plan_batches_respects_a_cost_cap() -> None:
    lengths = [10] * 12
    free = plan_batches(lengths, max_tokens=4096)
    capped = plan_batches(lengths, max_tokens=4096, max_units=call_units(10, 3))
    assert max(len(g) for g in free) > 3
    assert max(len(g) for g in capped) <= 3
    assert sorted(i for g in capped for i in g) == list(range(12))
    assert sorted(plan_batches([50, 10], max_tokens=4096, max_units=0.0)) == [[0], [1]]  # alone


class _Spy:
    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.rows: list[int] = []

    def translate_batch(self, source: list[list[str]], **kw: Any) -> Any:
        self.rows.append(len(source))
        return self.inner.translate_batch(source, **kw)

    def unload_model(self) -> None:
        self.inner.unload_model()


def test_at_beam_2_a_cancellable_run_keeps_calls_small(tiny_model: Path) -> None:
    """At beam > 1 no call can be interrupted, so calls are capped by their measured cost;
    without a cancel function the engine batches as wide as it likes."""
    wide = Translator(tiny_model, memory=TranslationMemory(), beam_size=2)
    texts = [f"Setning nummer {i} handler om været i Bergen i dag." for i in range(10, 90)]
    lengths = [len(wide.tokenize(t)) for t in texts]
    same = max(set(lengths), key=lengths.count)  # equal lengths: a part alone is the bound
    texts = [t for t, n in zip(texts, lengths, strict=True) if n == same][:40]
    assert len(texts) >= 10
    spy_wide = _Spy(wide.ct2)
    wide.ct2 = spy_wide  # type: ignore[assignment]
    list(wide.stream(texts))
    small = Translator(tiny_model, memory=TranslationMemory(), beam_size=2)
    tiny_budget = {"call_seconds": 1e-6, "call_alone_factor": 1.0}
    small.options = type(small.options)(**{**small.options.__dict__, **tiny_budget})
    spy_small = _Spy(small.ct2)
    small.ct2 = spy_small  # type: ignore[assignment]
    list(small.stream(texts, cancel=lambda: False))
    assert max(spy_wide.rows) > 1
    assert max(spy_small.rows) == 1  # a tiny budget: one sentence per call, never more
    assert small.max_call_seconds(same) == pytest.approx(small.call_cost(same, 1))
    # Allowed 1.5x a part alone, a call takes a few rows, never the whole window.
    small.options = type(small.options)(**{**small.options.__dict__, "call_alone_factor": 1.5})
    spy_small.rows.clear()
    small.memory.clear()
    list(small.stream(texts, cancel=lambda: False))
    assert max(spy_small.rows) < len(texts) // 2  # rows are never free (callclock.MIN_ROW_SHARE)


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
