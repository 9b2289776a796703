"""Section 1b: the output shortlist (vmap.txt) on the real vocabulary layout.

The big test model carries the Hub's vocab.json layout (54,765 entries, </s> at 41977, <pad>
last) converted as the converter installs it (special tokens first, ``models.testing``). Two
measurements, both through Nordbrief's own ``Translator`` on the same sentences (the seed
article and NorSumm dev articles), interleaved repetitions, one run:

- Speed: the shortlist on vs off with forced equal output lengths (the section-1 wrapper:
  1.1 x each call's longest source), so both decode exactly the same number of tokens and the
  ratio is the shortlist's gain alone. "Off" is also how a model converted before the remap now
  runs (the translator turns the shortlist off for it).
- The defect it replaces: the same weights in the Hub's order (``--layout hub``, as converters
  before the remap left them) with the shortlist forced on, against the installed layout, with
  lengths NOT forced: the random weights' </s> bias ends outputs at mixed lengths, so the count
  of calls that stopped at </s> and the tokens decoded show what stale end positions cost.
"""

from __future__ import annotations

import dataclasses
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.common import Timing, log, norsumm_articles, work_dir
from benchmarks.translation import load_engine, seed_sentences


def hub_layout_dir(size: str) -> Path:
    """The big test model with the Hub's vocabulary order (as converted before the remap)."""
    from benchmarks.peers import built_as_now
    from models.testing import make_model

    path = work_dir() / f"make-model-{size}-hub-layout"
    if not built_as_now(path, size, layout="hub"):
        log(f"  building make-model {size} --layout hub -> {path}")
        shutil.rmtree(path, ignore_errors=True)
        make_model(path, size=size, seed=1, layout="hub")
    return path


def sentences(articles: int) -> list[str]:
    from models.pipeline import article_from_text

    out = seed_sentences()
    for text in norsumm_articles()[:articles]:
        out += [s.text for s in article_from_text(text).sentences if s.text.strip()]
    return out


@dataclasses.dataclass
class _Failed:
    """Stands in for a result CTranslate2 could not produce (``hypotheses`` of one empty list)."""

    hypotheses: list[list[str]] = dataclasses.field(default_factory=lambda: [[]])


class _Recorder:
    """Wraps a ``ctranslate2.Translator``: records each call's sources and outputs. With
    ``tolerate`` a call that raises (a stale start position can point past a smaller shortlist:
    ``vector::_M_range_check``) is counted and answered with empty outputs."""

    def __init__(self, inner: Any, tolerate: bool = False) -> None:
        self.inner = inner
        self.tolerate = tolerate
        self.calls: list[tuple[list[list[str]], list[list[str]]]] = []
        self.failed = 0

    def translate_batch(self, source: list[list[str]], **kwargs: Any) -> list[Any]:
        try:
            results = self.inner.translate_batch(source, return_end_token=True, **kwargs)
        except (IndexError, RuntimeError):
            if not self.tolerate:
                raise
            self.failed += 1
            results = [_Failed() for _ in source]
        self.calls.append((source, [list(r.hypotheses[0]) for r in results]))
        return results

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def candidates_per_call(model_dir: Path, sources: Sequence[list[list[str]]]) -> float:
    """Mean output-layer size with the shortlist: the always-line plus the batch's copies."""
    from models.translation.shortlist import read_vocabulary_map

    vmap = read_vocabulary_map(model_dir)
    assert vmap is not None
    always, rules = vmap
    sizes = [
        len(always | {t for src in batch for tok in src for t in rules.get(tok, [])}) for batch in sources
    ]
    return sum(sizes) / len(sizes)


def speed(model_dir: Path, texts: list[str], beam: int, reps: int) -> dict[str, Any]:
    """Shortlist on vs off, forced equal lengths, interleaved repetitions."""
    from models.translation.engine import TranslateOptions
    from models.translation.memory import TranslationMemory

    engines = {}
    for key, use_vmap in (("on", True), ("off", False)):
        engine = load_engine(model_dir, beam=beam)
        engine.options = TranslateOptions(**{**engine.options.__dict__, "use_vmap": use_vmap})
        engines[key] = engine
    timings = {k: Timing() for k in engines}
    tokens: dict[str, int] = {}
    for e in engines.values():  # warm-up
        e.memory = TranslationMemory()
        e.translate(texts[:4])
    for _ in range(reps):
        for k, e in engines.items():
            e.memory = TranslationMemory()
            e.ct2.tokens = 0
            t0 = time.perf_counter()
            e.translate(texts)
            timings[k].samples.append(time.perf_counter() - t0)
            tokens[k] = e.ct2.tokens
    assert tokens["on"] == tokens["off"], tokens
    rec = _Recorder(engines["on"].ct2.inner)
    engines["on"].ct2.inner = rec
    engines["on"].memory = TranslationMemory()
    engines["on"].translate(texts)
    from models.translation.shortlist import model_vocabulary, read_vocabulary_map

    always = read_vocabulary_map(model_dir)
    return {
        "tokens": tokens["on"],
        "on": timings["on"].to_json(),
        "off": timings["off"].to_json(),
        "tokens_per_s_on": round(tokens["on"] / timings["on"].best, 1),
        "tokens_per_s_off": round(tokens["off"] / timings["off"].best, 1),
        "gain": round(timings["off"].best / timings["on"].best, 3),
        "gain_median": round(timings["off"].median / timings["on"].median, 3),
        "vocabulary": len(model_vocabulary(model_dir)),
        "always": len(always[0]) if always else None,
        "mean_candidates": round(candidates_per_call(model_dir, [s for s, _o in rec.calls]), 1),
        "calls": len(rec.calls),
    }


def defect(installed: Path, hub: Path, texts: list[str], beam: int) -> dict[str, Any]:
    """Unforced lengths, shortlist on, one Translator each: installed layout vs Hub order."""
    from models import pipeline
    from models.translation.engine import EOS, TranslateOptions
    from models.translation.memory import TranslationMemory

    out: dict[str, Any] = {}
    for key, folder in (("installed", installed), ("hub_order", hub)):
        engine, _info = pipeline.open_translator(
            pipeline.EngineSettings(model=str(folder), beam=beam),
            options=TranslateOptions(retry_loops=False),
            memory=TranslationMemory(),
        )
        engine.has_vmap = True  # the hub order's own check would turn it off: force the old behaviour
        rec = _Recorder(engine.ct2, tolerate=True)
        engine.ct2 = rec
        t0 = time.perf_counter()
        engine.translate(texts)
        seconds = time.perf_counter() - t0
        hyps = [h for _s, outs in rec.calls for h in outs]
        stopped_calls = sum(1 for _s, outs in rec.calls if any(h and h[-1] == EOS for h in outs))
        out[key] = {
            "seconds": round(seconds, 3),
            "calls": len(rec.calls),
            "calls_with_an_eos": stopped_calls,
            "calls_failed": rec.failed,
            "sentences_ended_at_eos": sum(1 for h in hyps if h and h[-1] == EOS),
            "sentences": len(hyps),
            "tokens": sum(len(h) - (1 if h and h[-1] == EOS else 0) for h in hyps),
        }
    return out


def measure(sizes: Sequence[str], beam: int, reps: int, articles: int | None) -> dict[str, Any]:
    from benchmarks.peers import make_model_dir
    from models.testing import SIZES

    texts = sentences(10 if articles is None else min(articles, 10))
    result: dict[str, Any] = {"beam": beam, "sentences": len(texts), "reps": reps}
    for size in sizes:
        model = make_model_dir(size)
        log(f"  shortlist {size}: speed on/off ({reps} reps)")
        entry = {"speed": speed(model, texts, beam, reps)}
        if SIZES[size].hub_eos_id is not None:
            log(f"  shortlist {size}: defect check (hub order vs installed layout)")
            entry["defect"] = defect(model, hub_layout_dir(size), texts, beam)
            entry["hub_eos_id"] = SIZES[size].hub_eos_id
        result[size] = entry
    return result
