"""The translation engine, on the random-weight tiny model: structure, never wording.

A spy wraps the real ``ctranslate2.Translator`` so tests see exactly what reaches
``translate_batch`` (translation memory, splitting, length bounds, cancellation).
"""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path
from typing import Any

import pytest

from models.errors import ModelError
from models.pipeline import apply_translations, article_from_text, translate_article
from models.testing import make_model
from models.translation.batching import plan_batches
from models.translation.cores import default_threads, physical_cores
from models.translation.engine import EOS, TranslateOptions, Translator
from models.translation.memory import TranslationMemory, normalise_sentence
from models.translation.repeats import collapse_repeats

ARTICLE = """Regjeringen la fram statsbudsjettet

Finansministeren sa onsdag at økonomien vokser raskere enn ventet. Utgiftene til sykehus og veier øker.

Økonomer advarer om at høyere pengebruk kan presse prisene opp. Sentralbanken hevet renten torsdag.

Boligprisene i Oslo falt med 2,5 prosent i siste kvartal. Meglerne sier kjøperne er blitt mer forsiktige.
"""

LONG = (
    "Kommunestyret vedtok etter en lang og opphetet debatt i går kveld å legge ned to skoler i "
    "bydelen, flytte elevene til nabokommunen og bruke pengene på eldreomsorg, vei og vann; "
    "opposisjonen mente at foreldrene ikke var blitt hørt, at tallene i saken var feil og at "
    "ordføreren hadde lovet noe helt annet før valget i fjor høst, mens ordføreren svarte at "
    "budsjettet ikke ga noe annet valg og at nedleggelsen var nødvendig for å sikre driften."
)


class _Finished:
    """An asynchronous CTranslate2 result that has already arrived."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def done(self) -> bool:
        return True

    def result(self) -> Any:
        return self.value


class SpyCT2:
    """Records every batch and option set that reaches the real ``translate_batch``."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: list[tuple[list[list[str]], dict[str, Any]]] = []
        self.outputs: list[list[list[str]]] = []

    def translate_batch(self, source: list[list[str]], **kwargs: Any) -> Any:
        self.calls.append(([list(s) for s in source], dict(kwargs)))
        results = self.inner.translate_batch(source, **kwargs)
        if kwargs.get("asynchronous"):  # a cancellable call at beam > 1: waited for here
            results = [_Finished(r.result()) for r in results]
            self.outputs.append([list(r.value.hypotheses[0]) for r in results])
            return results
        self.outputs.append([list(r.hypotheses[0]) for r in results])
        return results

    def unload_model(self) -> None:
        self.inner.unload_model()

    @property
    def sources(self) -> list[list[str]]:
        """Sources of first decodings (not the repetition guard's second tries)."""
        return [s for batch, kw in self.calls if kw["no_repeat_ngram_size"] == 0 for s in batch]


def _translator(model: Path, **kwargs: Any) -> tuple[Translator, SpyCT2]:
    kwargs.setdefault("memory", TranslationMemory())
    tr = Translator(model, **kwargs)
    spy = SpyCT2(tr.ct2)
    tr.ct2 = spy  # type: ignore[assignment]
    return tr, spy


def _text(tokens: list[str]) -> str:
    return "".join(t for t in tokens if t != EOS).replace("\u2581", "")


def test_stream_in_document_order_first_sentence_alone(tiny_model: Path) -> None:
    article = article_from_text(ARTICLE)
    texts = [s.text for s in article.sentences]
    assert len(texts) >= 7
    tr, spy = _translator(tiny_model)
    batches = list(tr.stream(texts))
    indices = [i for batch in batches for i, _ in batch]
    assert indices == list(range(len(texts)))
    assert len(batches[0]) == 1  # the first sentence shows at once
    assert len(spy.calls[0][0]) == 1
    assert len(batches) < len(texts)  # later sentences come batched
    for _, translation in (pair for batch in batches for pair in batch):
        assert translation and translation == translation.strip()
        assert "\u2581" not in translation and EOS not in translation


def test_plan_batches_groups_similar_lengths_within_the_budget() -> None:
    lengths = [40, 4, 38, 5, 41, 6, 39, 60, 3]
    plan = plan_batches(lengths, max_tokens=4096)
    flat = sorted(i for group in plan for i in group)
    assert flat == list(range(len(lengths)))  # a partition: every part exactly once
    assert [min(g) for g in plan] == sorted(min(g) for g in plan)  # earliest sentence first
    short = {i for i, n in enumerate(lengths) if n < 10}
    for group in plan:  # a short sentence never decodes through a long one's steps
        assert {i in short for i in group} in ({True}, {False})
    assert len(plan) < len(lengths)  # similar lengths share a call
    # The padded-token budget (rows x longest) splits even equal lengths.
    tight = plan_batches([30] * 10, max_tokens=90)
    assert all(len(g) * 30 <= 90 for g in tight) and sum(map(len, tight)) == 10
    assert plan_batches([], max_tokens=100) == []
    assert plan_batches([500], max_tokens=100) == [[0]]  # one over-budget part still goes alone


def test_after_the_first_sentence_batches_are_sorted_by_length(tiny_model: Path) -> None:
    article = article_from_text(ARTICLE * 3)
    texts = [s.text for s in article.sentences]
    tr, spy = _translator(tiny_model)
    tr.translate(texts)
    assert len(spy.calls[0][0]) == 1 and spy.calls[0][0][0] == tr.split_long(texts[0])[0]
    assert 1 < len(spy.calls) < len(texts)
    spans = [(min(map(len, b)), max(map(len, b))) for b, _ in spy.calls[1:]]
    # Length-sorted groups: the calls' length ranges do not interleave.
    for (lo1, hi1), (lo2, hi2) in itertools.combinations(spans, 2):
        assert hi1 <= lo2 or hi2 <= lo1
    # Every call's decoding bound follows its own longest source.
    for batch, kwargs in spy.calls:
        assert kwargs["max_decoding_length"] == int(2.0 * max(map(len, batch))) + 10


def test_every_source_ends_with_eos_and_limits_are_explicit(tiny_model: Path) -> None:
    tr, spy = _translator(tiny_model)
    tr.translate(["Det var kaldt i Oslo i går.", "Sentralbanken hevet renten torsdag."])
    for batch, kwargs in spy.calls:
        assert all(src[-1] == EOS and EOS not in src[:-1] for src in batch)
        longest = max(len(s) for s in batch)
        assert kwargs["max_input_length"] == tr.max_input_tokens == 64
        assert kwargs["max_decoding_length"] <= 2 * longest + 10
        assert kwargs["max_decoding_length"] < tr.max_positions
        assert kwargs["beam_size"] == tr.options.beam_size


def test_translate_article_yields_every_sentence_and_the_caller_applies_them(tiny_model: Path) -> None:
    article = article_from_text(ARTICLE)
    tr, _ = _translator(tiny_model)
    seen: list[int] = []
    for batch in translate_article(article, tr):
        assert all(s.translation is None for s in article.sentences)  # the engine writes nothing
        seen += [t.index for t in batch]
    assert seen == [s.index for s in article.sentences]
    for batch in translate_article(article, tr):  # again: all from the translation memory
        apply_translations(article, batch)
    assert all(s.translation for s in article.sentences)


def test_memory_sends_only_changed_sentences(tiny_model: Path) -> None:
    article = article_from_text(ARTICLE)
    tr, spy = _translator(tiny_model)
    first = tr.translate([s.text for s in article.sentences])
    assert len(spy.sources) == len(article.sentences)

    edited_text = ARTICLE.replace(
        "Sentralbanken hevet renten torsdag.", "Sentralbanken senket renten fredag."
    )
    edited = article_from_text(edited_text)
    spy.calls.clear()
    second = tr.translate([s.text for s in edited.sentences])
    assert len(spy.sources) == 1
    assert _text(spy.sources[0]) == _text(tr.tokenize("Sentralbanken senket renten fredag."))
    changed = next(i for i, s in enumerate(edited.sentences) if "senket" in s.text)
    assert [t for i, t in enumerate(second) if i != changed] == [
        t for i, t in enumerate(first) if i != changed
    ]

    # Whitespace-only edits hit the memory too: the key is the normalised sentence.
    spy.calls.clear()
    tr.translate(["  Sentralbanken   senket renten\nfredag. "])
    assert spy.calls == []


def test_memory_key_includes_model_and_options(tiny_model: Path, tmp_path: Path) -> None:
    memory = TranslationMemory()
    sentence = ["Det var kaldt i Oslo i går."]
    tr, spy = _translator(tiny_model, memory=memory)
    tr.translate(sentence)
    assert len(spy.sources) == 1

    beam1, spy1 = _translator(tiny_model, memory=memory, beam_size=1)
    beam1.translate(sentence)
    assert len(spy1.sources) == 1  # another beam is another translation

    other_model = make_model(tmp_path / "seed2", size="tiny", seed=2)
    other, spy2 = _translator(other_model, memory=memory)
    other.translate(sentence)
    assert len(spy2.sources) == 1  # another model never reuses these

    same, spy3 = _translator(tiny_model, memory=memory)
    same.translate(sentence)
    assert spy3.calls == []  # reloading the same model keeps its memory


def test_memory_is_a_bounded_lru() -> None:
    memory = TranslationMemory(max_entries=2)
    memory.put(("a",), "1")
    memory.put(("b",), "2")
    assert memory.get(("a",)) == "1"  # a is now the most recent
    memory.put(("c",), "3")
    assert memory.get(("b",)) is None and memory.get(("a",)) == "1" and len(memory) == 2


def test_long_sentence_is_split_never_truncated(tiny_model: Path) -> None:
    tr, spy = _translator(tiny_model)
    whole = tr.tokenize(LONG)
    assert len(whole) > tr.max_input_tokens  # the test needs a sentence over the limit
    [translation] = tr.translate([LONG])
    assert translation
    parts = tr.split_long(LONG)
    assert len(parts) >= 2
    # Exactly these parts reach the model (sorted by length inside the batch, so compare sorted).
    assert sorted(spy.sources) == sorted(parts)
    assert all(len(p) <= tr.max_input_tokens and p[-1] == EOS for p in parts)
    # Every source character is in some part, in order.
    assert "".join(_text(p) for p in parts) == _text(whole)


def test_split_prefers_clause_boundaries(tiny_model: Path) -> None:
    tr, _ = _translator(tiny_model)
    parts = [_text(p) for p in tr.split_long(LONG)]
    assert len(parts) >= 2
    # The semicolon is the strongest boundary: the first part ends there, not mid-clause.
    semicolon_part = next(i for i, p in enumerate(parts) if p.endswith(";"))
    assert "".join(parts[: semicolon_part + 1]) == _text(tr.tokenize(LONG.split(";")[0] + ";"))


def test_a_huge_word_is_cut_at_token_boundaries(tiny_model: Path) -> None:
    tr, spy = _translator(tiny_model)
    word = "regjeringsvennlig" * 20
    [translation] = tr.translate([word])
    assert translation
    parts = tr.split_long(word)
    assert len(parts) >= 2 and sorted(spy.sources) == sorted(parts)
    assert all(len(p) <= tr.max_input_tokens for p in parts)
    assert "".join(_text(p) for p in parts) == _text(tr.tokenize(word))


def test_cancel_stops_between_batches(tiny_model: Path) -> None:
    article = article_from_text(ARTICLE)
    tr, spy = _translator(tiny_model)
    batches = 0

    def cancel() -> bool:
        return batches >= 1

    for batch in translate_article(article, tr, cancel=cancel):
        apply_translations(article, batch)
        batches += 1
    assert batches == 1
    assert len(spy.sources) == 1  # only the first window's sentence was ever decoded
    assert article.sentences[0].translation
    assert all(s.translation is None for s in article.sentences[1:])


def test_empty_and_blank_sentences_are_not_sent(tiny_model: Path) -> None:
    tr, spy = _translator(tiny_model)
    assert tr.translate(["", "   ", "Det var kaldt."])[:2] == ["", ""]
    assert len(spy.sources) == 1


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        (["a", "a", "a", "a", "a"], ["a"]),
        (["x", "very", "very", "y"], ["x", "very", "very", "y"]),
        (["▁1", "▁000", "▁000", "▁000"], ["▁1", "▁000", "▁000", "▁000"]),
        (["s", "x", "y", "x", "y", "x", "y", "e"], ["s", "x", "y", "e"]),
        (["a", "a", "a", "a", "b", "a", "a", "a", "a", "b", "a", "a", "a", "a", "b"], ["a", "b"]),
        ([], []),
    ],
)
def test_collapse_repeats(tokens: list[str], expected: list[str]) -> None:
    assert collapse_repeats(tokens) == expected


def test_output_loops_are_collapsed(tiny_model: Path) -> None:
    tr, _ = _translator(tiny_model, options=TranslateOptions(length_ratio=4.0, length_extra=40))
    for out in tr.translate([s.text for s in article_from_text(ARTICLE).sentences]):
        words = out.split()
        for n in range(1, 5):
            grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
            runs = [grams[i] == grams[i + n] == grams[i + 2 * n] for i in range(len(grams) - 2 * n)]
            assert not any(runs) or n == 1  # joined pieces may merge, but no 2..4-word loops
        assert len(words) < 4 * 64 + 40


def test_normalise_sentence() -> None:
    assert normalise_sentence(" Det  var\nkaldt. ") == "Det var kaldt."
    assert normalise_sentence("A\u030a") == "Å"


def test_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    assert physical_cores() >= 1
    monkeypatch.setenv("NORDBRIEF_THREADS", "3")
    assert default_threads() == 3
    monkeypatch.delenv("NORDBRIEF_THREADS")
    assert 1 <= default_threads() <= 8


@pytest.mark.parametrize("missing", ["model.bin", "source.spm", "target.spm", "shared_vocabulary.json"])
def test_missing_file_is_a_model_error(tiny_model: Path, tmp_path: Path, missing: str) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(tiny_model, broken)
    (broken / missing).unlink()
    with pytest.raises(ModelError) as info:
        Translator(broken)
    assert str(broken) in info.value.message
    assert "nordbrief models verify" in info.value.message


@pytest.mark.parametrize(
    "victim",
    ["model.bin", "source.spm", "target.spm", "shared_vocabulary.json", "config.json", "nordbrief.json"],
)
def test_corrupt_file_is_a_model_error(tiny_model: Path, tmp_path: Path, victim: str) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(tiny_model, broken)
    data = (broken / victim).read_bytes()
    (broken / victim).write_bytes(data[: len(data) // 3])
    with pytest.raises(ModelError) as info:
        Translator(broken)
    assert str(broken) in info.value.message
    assert "nordbrief models verify" in info.value.message


def test_not_a_folder_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError):
        Translator(tmp_path / "nothing-here")


def test_unsupported_compute_type_falls_back(tiny_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ctranslate2

    monkeypatch.setattr(ctranslate2, "get_supported_compute_types", lambda device: {"float32"})
    tr, _ = _translator(tiny_model, compute_type="int8")
    assert tr.compute_type == "float32"
    assert tr.translate(["Det var kaldt."])[0]


class _Result:
    def __init__(self, tokens: list[str]) -> None:
        self.hypotheses = [tokens]


class LoopingCT2(SpyCT2):
    """The real model, except that first decodings of ``loop_for`` come back as a loop that
    fills the whole length bound (what a degenerate model does)."""

    def __init__(self, inner: Any, loop_for: list[list[str]]) -> None:
        super().__init__(inner)
        self.loop_for = loop_for

    def translate_batch(self, source: list[list[str]], **kwargs: Any) -> Any:
        results = list(super().translate_batch(source, **kwargs))
        if kwargs["no_repeat_ngram_size"] == 0:
            bound = kwargs["max_decoding_length"]
            for k, src in enumerate(source):
                if src in self.loop_for:
                    results[k] = _Result((["\u2581the", "\u2581same"] * bound)[:bound])
            self.outputs[-1] = [list(r.hypotheses[0]) for r in results]
        return results


def test_looping_outputs_are_decoded_again_with_repetition_controls(tiny_model: Path) -> None:
    """Only outputs that hit the length bound inside a loop are re-sent, with the guard on."""
    texts = [s.text for s in article_from_text(ARTICLE).sentences]
    tr = Translator(tiny_model, memory=TranslationMemory())
    target = [*tr.tokenize(texts[2]), EOS]
    spy = LoopingCT2(tr.ct2, loop_for=[target])
    tr.ct2 = spy  # type: ignore[assignment]
    out = tr.translate(texts)
    looped_sources: list[list[str]] = []
    retried: list[list[str]] = []
    for (batch, kwargs), outs in zip(spy.calls, spy.outputs, strict=True):
        if kwargs["no_repeat_ngram_size"] == 0:
            assert kwargs["repetition_penalty"] == 1.0
            bound = kwargs["max_decoding_length"]
            looped_sources += [
                src
                for src, hyp in zip(batch, outs, strict=True)
                if len(hyp) >= bound and collapse_repeats(hyp) != hyp
            ]
        else:
            assert kwargs["no_repeat_ngram_size"] == 4 and kwargs["repetition_penalty"] > 1.0
            retried += batch
    assert target in looped_sources
    assert sorted(retried) == sorted(looped_sources)  # nothing else is decoded twice
    assert "the same the same the same" not in out[2]  # the second decoding replaced the loop


def test_physical_cores_per_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import platform
    import subprocess

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)
    monkeypatch.setattr(platform, "system", lambda: "Windows")
    assert physical_cores() == 4  # SMT siblings are not cores

    def sysctl(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        if cmd[-1] == "hw.perflevel0.physicalcpu":  # Apple silicon: performance cores only
            return subprocess.CompletedProcess(cmd, 0, stdout="6\n", stderr="")
        raise subprocess.CalledProcessError(1, cmd)

    monkeypatch.setattr(platform, "system", lambda: "Darwin")
    monkeypatch.setattr(subprocess, "run", sysctl)
    assert physical_cores() == 6


def test_without_retry_a_loop_is_still_cut(tiny_model: Path) -> None:
    texts = [s.text for s in article_from_text(ARTICLE).sentences]
    tr = Translator(tiny_model, memory=TranslationMemory(), options=TranslateOptions(retry_loops=False))
    target = [*tr.tokenize(texts[2]), EOS]
    spy = LoopingCT2(tr.ct2, loop_for=[target])
    tr.ct2 = spy  # type: ignore[assignment]
    out = tr.translate(texts)
    assert all(kw["no_repeat_ngram_size"] == 0 for _, kw in spy.calls)  # no second decoding
    assert out[2] == "the same"  # the loop filling the bound collapsed to one copy
