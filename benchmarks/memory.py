"""Section 4: peak resident memory and model load time, each engine in its own fresh process.

A fresh process per measurement is the only honest way: ``VmHWM`` (the kernel's high-water mark
of resident memory) covers the whole life of the process, so nothing loaded earlier may be in it.
The child loads the model, records load time and RSS, translates the seed article, and reports
the peak. Run by hand: ``python -m benchmarks.memory child nordbrief DIR`` prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from benchmarks.common import rss_status, run_child


def _child_nordbrief(model_dir: Path, beam: int | None) -> dict[str, Any]:
    from benchmarks.common import seed_article_path
    from benchmarks.translation import load_engine, stream_article
    from models.pipeline import load_article

    article = load_article(str(seed_article_path()))  # imports + segmenter before the baseline
    before = rss_status()
    t0 = time.perf_counter()
    engine = load_engine(model_dir, beam=beam)
    load_s = time.perf_counter() - t0
    loaded = rss_status()
    t1 = time.perf_counter()
    for _ in stream_article(article, engine):
        pass
    return {
        "engine": "Nordbrief (models.translation.engine)",
        "baseline_mb": before.get("VmRSS"),
        "load_s": round(load_s, 3),
        "loaded_mb": loaded.get("VmRSS"),
        "translate_s": round(time.perf_counter() - t1, 3),
        "peak_mb": rss_status().get("VmHWM"),
    }


def _child_ct2(model_dir: Path, compute_type: str, beam: int) -> dict[str, Any]:
    from benchmarks.peers import CT2Engine, make_batches, tokenize
    from benchmarks.translation import THREADS, seed_sentences
    from models.translation.shortlist import model_vocabulary

    sentences = seed_sentences()
    before = rss_status()
    t0 = time.perf_counter()
    engine = CT2Engine(model_dir, compute_type, THREADS)
    load_s = time.perf_counter() - t0
    loaded = rss_status()
    batches = make_batches(tokenize(model_dir / "source.spm", sentences), model_vocabulary(model_dir))
    t1 = time.perf_counter()
    engine.run(batches, beam)
    return {
        "engine": f"CTranslate2 {compute_type}",
        "baseline_mb": before.get("VmRSS"),
        "load_s": round(load_s, 3),
        "loaded_mb": loaded.get("VmRSS"),
        "translate_s": round(time.perf_counter() - t1, 3),
        "peak_mb": rss_status().get("VmHWM"),
    }


def _child_transformers(size: str, beam: int) -> dict[str, Any]:
    import torch  # noqa: F401  (imported before the baseline, like ctranslate2 in the others)
    import transformers  # noqa: F401

    from benchmarks.peers import TorchEngine, build_reference, make_batches, tokenize
    from benchmarks.translation import THREADS, seed_sentences

    sentences = seed_sentences()
    before = rss_status()
    t0 = time.perf_counter()
    ref = build_reference(size)  # random init from the seed: stands in for from_pretrained
    engine = TorchEngine(ref, THREADS)
    load_s = time.perf_counter() - t0
    loaded = rss_status()
    batches = make_batches(tokenize(ref.ct2_dir / "source.spm", sentences), ref.vocab)
    t1 = time.perf_counter()
    engine.run(batches[-1:], beam)  # the longest sentences: peak memory without minutes of decoding
    return {
        "engine": "Transformers fp32 (longest batch only)",
        "baseline_mb": before.get("VmRSS"),
        "load_s": round(load_s, 3),
        "load_note": "random initialisation, not from_pretrained",
        "loaded_mb": loaded.get("VmRSS"),
        "translate_s": round(time.perf_counter() - t1, 3),
        "peak_mb": rss_status().get("VmHWM"),
    }


def measure(sizes: list[str], beam: int, *, with_torch: bool = True) -> dict[str, Any]:
    """Per size: the engine at int8 (what the app runs), CTranslate2 float32, Transformers fp32."""
    from benchmarks.common import log
    from benchmarks.peers import build_reference, make_model_dir

    out: dict[str, Any] = {}
    for size in sizes:
        model = make_model_dir(size)
        ref_dir = build_reference(size).ct2_dir  # built here so no child pays for the conversion
        rows: dict[str, Any] = {}
        log(f"  memory {size}: Nordbrief engine int8")
        rows["int8"] = run_child("benchmarks.memory", ["child", "nordbrief", str(model), "--beam", str(beam)])
        log(f"  memory {size}: CTranslate2 float32")
        rows["float32"] = run_child(
            "benchmarks.memory",
            ["child", "ct2", str(ref_dir), "--compute-type", "float32", "--beam", str(beam)],
        )
        if with_torch:
            log(f"  memory {size}: Transformers fp32")
            rows["transformers_fp32"] = run_child(
                "benchmarks.memory", ["child", "transformers", size, "--beam", str(beam)]
            )
        out[size] = rows
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.memory", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("child", help="one measurement in this (fresh) process; prints one JSON line")
    c.add_argument("engine", choices=["nordbrief", "ct2", "transformers"])
    c.add_argument("target", help="model folder (nordbrief, ct2) or size (transformers)")
    c.add_argument("--compute-type", default="int8")
    c.add_argument("--beam", type=int, default=2)
    args = ap.parse_args(argv)
    if args.engine == "nordbrief":
        result = _child_nordbrief(Path(args.target), args.beam)
    elif args.engine == "ct2":
        result = _child_ct2(Path(args.target), args.compute_type, args.beam)
    else:
        result = _child_transformers(args.target, args.beam)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
