"""Translation engine figures: whole-article latency after load, and tokens/s per beam size.

    python -m benchmarks.translate_latency --model DIR [--model DIR ...] [--beams 1,2,4] [--reps 3]

For each model folder (e.g. ``python -m models.testing make-model DIR --size base|big``):
model load time, then the seed article (``../shared/articles/syria-is-attacks.txt``) translated
through ``models.pipeline.translate_article`` with an empty translation memory (time to the first
sentence and to the whole article), then CTranslate2 target tokens/s at each beam on the same
batches with forced output lengths (random weights decode to random lengths; min = max
decoding length = 1.1 x source length makes beams comparable). Prints figures; asserts nothing.
The machine is shared and noisy: beams are interleaved per repetition and the best is shown.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from models.pipeline import (
    EngineSettings,
    apply_translations,
    load_article,
    open_translator,
    translate_article,
)
from models.translation.memory import TranslationMemory


def seed_article() -> Path:
    env = os.environ.get("NORDBRIEF_SHARED")
    shared = Path(env) if env else Path(__file__).resolve().parent.parent.parent / "shared"
    path = shared / "articles" / "syria-is-attacks.txt"
    if not path.is_file():
        sys.exit(f"seed article not found at {path} (set NORDBRIEF_SHARED)")
    return path


def article_latency(model: Path, compute_type: str, beam: int | None, threads: int | None) -> None:
    t0 = time.perf_counter()
    settings = EngineSettings(model=str(model), beam=beam, compute_type=compute_type, threads=threads)
    translator, _info = open_translator(settings, memory=TranslationMemory())
    t1 = time.perf_counter()
    article = load_article(str(seed_article()))
    t2 = time.perf_counter()
    first = None
    for batch in translate_article(article, translator):
        apply_translations(article, batch)
        if first is None:
            first = time.perf_counter() - t2
    t3 = time.perf_counter()
    done = sum(1 for s in article.sentences if s.translation)
    print(
        f"{model.name}: load {t1 - t0:.3f} s | article {len(article.sentences)} sentences, "
        f"{done} translated | first sentence {first or 0:.3f} s | whole article {t3 - t2:.3f} s "
        f"(beam {translator.options.beam_size}, {compute_type}, {translator.threads} threads)"
    )
    translator.unload()


def beam_throughput(
    model: Path, compute_type: str, beams: list[int], reps: int, threads: int | None, max_batches: int
) -> None:
    settings = EngineSettings(model=str(model), compute_type=compute_type, threads=threads)
    translator, _info = open_translator(settings, memory=TranslationMemory())
    sentences = [s.text for s in load_article(str(seed_article())).sentences]
    parts = [p for s in sentences for p in translator.split_long(s)]
    batches: list[list[list[str]]] = []
    for i in range(0, len(parts), 8):  # the engine's steady-state window, sorted by length
        batches.append(sorted(parts[i : i + 8], key=len))
    batches = batches[:max_batches]
    times: dict[int, list[float]] = {b: [] for b in beams}
    tokens: dict[int, int] = {}
    ct2 = translator.ct2
    ct2.translate_batch(batches[0][:1], beam_size=1, max_decoding_length=4)  # warm-up
    for _ in range(reps):
        for beam in beams:
            produced = 0
            t = time.perf_counter()
            for batch in batches:
                n = int(1.1 * max(len(x) for x in batch)) + 1
                res = ct2.translate_batch(
                    batch,
                    beam_size=beam,
                    max_input_length=translator.max_input_tokens,
                    min_decoding_length=n,
                    max_decoding_length=n,
                )
                produced += sum(len(r.hypotheses[0]) for r in res)
            times[beam].append(time.perf_counter() - t)
            tokens[beam] = produced
    for beam in beams:
        best, med = min(times[beam]), statistics.median(times[beam])
        print(
            f"{model.name}: beam {beam}: {tokens[beam] / best:7.0f} target tok/s best, "
            f"{tokens[beam] / med:7.0f} median ({tokens[beam]} tokens, best {best:.2f} s, "
            f"{compute_type}, {translator.threads} threads)"
        )
    translator.unload()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.translate_latency")
    parser.add_argument("--model", action="append", required=True, help="CTranslate2 model folder")
    parser.add_argument("--beams", default="1,2,4")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--compute-type", default="int8")
    parser.add_argument("--no-throughput", action="store_true", help="only the article latency")
    parser.add_argument("--threads", type=int, help="intra threads (default: the engine's choice)")
    parser.add_argument("--batches", type=int, default=100, help="use only the first N batches")
    args = parser.parse_args(argv)
    beams = [int(b) for b in args.beams.split(",")]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    for m in args.model:
        article_latency(Path(m), args.compute_type, None, args.threads)
        if not args.no_throughput:
            beam_throughput(Path(m), args.compute_type, beams, args.reps, args.threads, args.batches)
    return 0


if __name__ == "__main__":
    sys.exit(main())
