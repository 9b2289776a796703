"""The benchmark suite's pieces run on the tiny model and produce well-formed numbers.

No timing is asserted (benchmarks are scripts, not timed tests): these check that every section
measures what it claims — equal decoded lengths across engines, identical weights in PyTorch and
CTranslate2, fresh-process memory figures, a real first paint — and that targets are judged right.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

pytestmark = pytest.mark.slow


@pytest.fixture
def bench_work(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Built benchmark models go to a temp dir, never into the checkout's benchmarks/.work."""
    path = tmp_path_factory.getbasetemp() / "bench-work"
    monkeypatch.setenv("NORDBRIEF_BENCH_WORK", str(path))
    return path


@pytest.fixture
def reference(bench_work: Path, tiny_model: Path):
    from benchmarks.peers import build_reference

    return build_reference("tiny", source_dir=tiny_model)


def _positive(x: object) -> bool:
    return isinstance(x, int | float) and math.isfinite(x) and x > 0


def test_conversion_keeps_the_weights(reference, shared: Path) -> None:
    """CTranslate2 float32 scores a target like PyTorch does: the converted weights are the same."""
    import ctranslate2
    import torch

    from benchmarks.peers import tokenize

    source = tokenize(reference.ct2_dir / "source.spm", ["Det var 370.000 mennesker i byen i går."])[0]
    target = reference.vocab[5:12]  # any tokens: scoring checks the arithmetic, not the wording
    ct2 = ctranslate2.Translator(str(reference.ct2_dir), compute_type="float32")
    ct2_scores = ct2.score_batch([source], [target])[0].log_probs

    index = {t: i for i, t in enumerate(reference.vocab)}
    src_ids = torch.tensor([[index[t] for t in source]])
    tgt_ids = [index[t] for t in target] + [reference.eos_id]
    decoder_in = torch.tensor([[reference.pad_id, *tgt_ids[:-1]]])
    with torch.inference_mode():
        logits = reference.hf_model(input_ids=src_ids, decoder_input_ids=decoder_in).logits[0]
    logp = torch.log_softmax(logits[:, : len(reference.vocab)], dim=-1)
    torch_scores = [float(logp[i, t]) for i, t in enumerate(tgt_ids)]
    assert len(ct2_scores) == len(torch_scores)
    for a, b in zip(ct2_scores, torch_scores, strict=True):
        assert a == pytest.approx(b, abs=2e-3)
    # and a different model would not match: the check has teeth
    assert max(abs(a - b) for a, b in zip(ct2_scores, torch_scores[::-1], strict=True)) > 1e-3


def test_peers_decode_exactly_the_forced_lengths(reference, shared: Path) -> None:
    from benchmarks.peers import CT2Engine, TorchEngine, make_batches, tokenize
    from benchmarks.translation import seed_sentences

    sentences = seed_sentences()[:10]
    batches = make_batches(
        tokenize(reference.ct2_dir / "source.spm", sentences), reference.vocab, max_batch=4
    )
    assert sum(len(b.tokens) for b in batches) == 10
    for b in batches:
        lengths = [len(t) for t in b.tokens]
        assert b.target_len == max(1, round(1.1 * sum(lengths) / len(lengths)))
        assert all(t[-1] == "</s>" for t in b.tokens)
    expected = sum(len(b.tokens) * b.target_len for b in batches)
    for engine in (
        CT2Engine(reference.ct2_dir, "int8", 2),
        CT2Engine(reference.ct2_dir, "float32", 2),
        TorchEngine(reference, 2),
    ):
        for beam in (1, 2):
            assert engine.run(batches, beam) == expected, (engine.name, beam)


def test_throughput_section_is_well_formed(bench_work: Path, shared: Path) -> None:
    from benchmarks.translation import throughput

    r = throughput("tiny", [1, 2], reps=2)
    assert r["sentences"] == 25 and r["source_tokens"] > r["sentences"]
    assert r["same_weights"]["greedy_tokens_compared"] == 8
    for beam in ("1", "2"):
        b = r["beams"][beam]
        assert b["equal_lengths"] is True
        assert set(b["engines"]) == {
            "Nordbrief engine (int8)",
            "CTranslate2 int8",
            "CTranslate2 float32",
            "Transformers fp32",
        }
        for e in b["engines"].values():
            assert len(e["timing"]["samples_s"]) == 2
            assert e["timing"]["best_s"] <= e["timing"]["median_s"]
            assert _positive(e["tokens_per_s"]) and e["tokens"] > 0
        assert all(_positive(v) for v in b["ratios"].values())


def test_engine_end_to_end_and_memory_are_well_formed(
    bench_work: Path, tiny_model: Path, shared: Path
) -> None:
    from benchmarks.translation import end_to_end

    r = end_to_end("tiny", tiny_model, articles=2)
    e2e = r["e2e"]
    assert e2e["articles"] == 3  # the seed article + 2 NorSumm articles
    assert e2e["words"] > 417
    assert _positive(e2e["seconds_per_1000_words"])
    assert 0 < e2e["first_sentence_median_s"] <= e2e["first_sentence_max_s"]
    assert e2e["first_sentence_max_s"] <= e2e["seconds_total"]
    tm = r["memory"]
    assert tm["sentences"] == 25 and _positive(tm["full_s"]) and _positive(tm["edited_s"])
    assert "beam 2" in r["settings"]


def test_memory_child_reports_peak_after_load(tiny_model: Path, shared: Path) -> None:
    from benchmarks.common import run_child

    r = run_child("benchmarks.memory", ["child", "nordbrief", str(tiny_model), "--beam", "1"], timeout=300)
    assert "error" not in r, r
    assert 0 < r["baseline_mb"] <= r["loaded_mb"] <= r["peak_mb"]
    assert r["load_s"] >= 0 and r["translate_s"] > 0


def test_gui_startup_child_sees_the_first_paint(shared: Path) -> None:
    pytest.importorskip("PySide6")
    from benchmarks.gui import startup

    r = startup(None)
    assert "error" not in r, r
    assert 0 < r["python_main_s"] < r["shown_s"]


def test_targets_are_judged_from_the_numbers() -> None:
    from benchmarks.report import evaluate_targets, render_markdown

    results = {
        "config": {"default_beam": 2},
        "translation": {"big": {"beams": {"2": {"ratios": {"int8_vs_transformers": 4.2}}}}},
        "engine": {
            "base": {
                "e2e": {
                    "seconds_per_1000_words": 1.7,
                    "first_sentence_max_s": 0.3,
                    "engine_vs_naive_loop": 0.5,
                }
            },
            "big": {"e2e": {"engine_vs_naive_loop": 0.9}},
        },
        "memory": {"big": {"int8": {"peak_mb": 650.0}}},
    }
    rows = {t["key"]: t for t in evaluate_targets(results)}
    assert rows["speed_ratio_big"]["met"] is True
    assert rows["e2e_base"]["met"] is False  # 1.7 s > 1.5 s
    assert rows["first_base"]["met"] is True
    assert rows["e2e_vs_naive_base"]["met"] is True  # 0.5 <= 0.75
    assert rows["e2e_vs_naive_big"]["met"] is False  # 0.9 > 0.83
    assert rows["rss_big"]["met"] is True
    assert rows["rss_base"]["met"] is None and rows["rss_base"]["measured"] is None
    md = render_markdown(results)
    assert "| End to end per 1,000 words, base | <= 1.50 s | 1.700 s | **no** |" in md
    assert "not measured" in md


def test_quick_cli_writes_report(tmp_path: Path, bench_work: Path, shared: Path) -> None:
    from benchmarks.__main__ import main

    code = main(["--quick", "--sections", "text,translation", "--no-torch", "--out", str(tmp_path)])
    assert code == 0
    data = json.loads((tmp_path / "report.json").read_text("utf-8"))
    assert data["machine"]["cores"] and data["machine"]["ctranslate2"]
    assert _positive(data["text"]["summarizer"]["ms_per_1000_words"])
    assert _positive(data["text"]["segmenter"]["mb_per_s"])
    assert "Transformers fp32" not in data["translation"]["tiny"]["beams"]["1"]["engines"]
    md = (tmp_path / "report.md").read_text("utf-8")
    assert md.startswith("# Nordbrief benchmark report") and "## Targets" in md


def test_shortlist_section_merges_into_an_existing_report(
    tmp_path: Path, bench_work: Path, shared: Path
) -> None:
    """--merge keeps the other sections and stamps the re-measured one; the shortlist section
    decodes the same tokens with and without the shortlist."""
    from benchmarks.__main__ import main

    assert main(["--quick", "--sections", "text", "--out", str(tmp_path)]) == 0
    assert main(["--quick", "--sections", "shortlist", "--merge", "--out", str(tmp_path)]) == 0
    data = json.loads((tmp_path / "report.json").read_text("utf-8"))
    assert _positive(data["text"]["summarizer"]["ms_per_1000_words"])  # kept from the first run
    speed = data["shortlist"]["tiny"]["speed"]
    assert _positive(speed["gain"]) and speed["tokens"] > 0
    assert speed["always"] < speed["vocabulary"] and speed["mean_candidates"] < speed["vocabulary"]
    assert data["merged"]["shortlist"]["command"].endswith("--merge --out " + str(tmp_path))
    md = (tmp_path / "report.md").read_text("utf-8")
    assert "## 1b. Output shortlist on the real vocabulary layout" in md and "Measured separately" in md


def test_shortlist_defect_check_sees_the_stale_end_position(
    bench_work: Path, tmp_path: Path, monkeypatch
) -> None:
    """On a small shape with the Hub's layout the defect check reports what the issue saw: with
    the Hub's order fewer calls end at </s> than with the installed layout."""
    import dataclasses

    from benchmarks.shortlist import defect
    from models import testing

    shape = dataclasses.replace(testing.SIZES["tiny"], vocab_size=3000, hub_eos_id=2000, eos_bias=9.0)
    monkeypatch.setitem(testing.SIZES, "tinyhub", shape)
    installed = testing.make_model(tmp_path / "installed", size="tinyhub", seed=1)
    hub = testing.make_model(tmp_path / "hub", size="tinyhub", seed=1, layout="hub")
    from benchmarks.translation import seed_sentences

    result = defect(installed, hub, seed_sentences()[:24], beam=2)
    inst, hub = result["installed"], result["hub_order"]
    assert inst["calls_with_an_eos"] == inst["calls"] and inst["calls_failed"] == 0
    # after its first call the Hub order's end position is stale: calls run to the bound (or
    # CTranslate2 fails them outright when a stale position lies past a smaller shortlist)
    assert hub["calls_with_an_eos"] < hub["calls"]
