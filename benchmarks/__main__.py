"""``python -m benchmarks``: every speed and memory figure in one run, written to report.md/.json.

Full run (the committed report): ``python -m benchmarks`` — base and big shapes, 3 interleaved
repetitions, all sections, about 15-25 minutes on 2 cores. ``--quick`` is a smoke run on the tiny
model (a minute) that writes to benchmarks/.work/ unless ``--out`` says otherwise.
Sections: translation (1: peers), shortlist (1b: the output shortlist on the real vocabulary
layout), engine (2-3: end to end, first sentence, translation memory), memory (4), gui (5), text
(6: segmenter/summarizer/fact-check speed), quality (their owners' scores). ``--merge`` re-measures
only the given sections and keeps the rest of the existing report.json (each merged section says
when and how it was measured).
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import REPO, log, machine_info, work_dir

SECTIONS = ("translation", "shortlist", "engine", "memory", "gui", "text", "quality")


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smoke run: tiny model, 1 repetition, few articles")
    ap.add_argument(
        "--sections", type=_csv, default=list(SECTIONS), help=f"comma list of {','.join(SECTIONS)}"
    )
    ap.add_argument("--sizes", type=_csv, help="model shapes (default base,big; --quick: tiny)")
    ap.add_argument("--reps", type=int, help="interleaved repetitions per engine (default 3; --quick: 1)")
    ap.add_argument(
        "--beams", type=_csv, help="beam sizes for section 1 (default 1 and the engine's default)"
    )
    ap.add_argument("--articles", type=int, help="NorSumm dev articles for end to end (default all 30)")
    ap.add_argument("--gui-size", help="model shape for the GUI section (default base; --quick: tiny)")
    ap.add_argument("--no-torch", action="store_true", help="skip the Transformers baseline")
    ap.add_argument("--note", help="a line for the report, e.g. how busy the machine was")
    ap.add_argument("--out", type=Path, help="folder for report.md/report.json (default benchmarks/)")
    ap.add_argument(
        "--merge",
        action="store_true",
        help="keep the existing report.json and replace only the sections measured now",
    )
    args = ap.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        ap.error(f"unknown sections: {', '.join(sorted(unknown))}")
    quick = args.quick
    args.sizes = args.sizes or (["tiny"] if quick else ["base", "big"])
    args.reps = args.reps or (1 if quick else 3)
    args.articles = args.articles if args.articles is not None else (3 if quick else None)
    args.gui_size = args.gui_size or ("tiny" if quick else "base")
    args.out = args.out or (work_dir() if quick else REPO / "benchmarks")
    if quick and "quality" in args.sections and args.sections == list(SECTIONS):
        args.sections = [s for s in SECTIONS if s != "quality"]
    return args


def _section(name: str, results: dict[str, Any], fn: Any, save: Any = None) -> None:
    """Run one section; a failure is recorded in the report instead of losing the whole run."""
    t0 = time.perf_counter()
    log(f"== {name}")
    try:
        fn()
    except Exception as exc:  # a benchmark must still write what it measured
        import traceback

        traceback.print_exc()
        results.setdefault("errors", {})[name] = f"{type(exc).__name__}: {exc}"
    log(f"== {name} done in {time.perf_counter() - t0:.1f} s")
    if save is not None:
        save()  # a partial report survives an interrupted run


def run(args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks.translation import engine_default_beam

    default_beam = engine_default_beam()
    beams = [int(b) for b in args.beams] if args.beams else sorted({1, default_beam})
    results: dict[str, Any] = {
        "machine": machine_info(),
        "config": {
            "command": " ".join(["python -m benchmarks", shlex.join(args.argv)]).strip(),
            "quick": args.quick,
            "sections": args.sections,
            "sizes": args.sizes,
            "reps": args.reps,
            "beams": beams,
            "default_beam": default_beam,
            "threads": 2,
            "note": args.note,
        },
        "notes": [],
    }
    t_start = time.perf_counter()
    from benchmarks.peers import make_model_dir
    from benchmarks.report import write_report

    def save() -> None:
        if not args.merge:  # a merge writes once, at the end, over the kept report
            write_report(results, args.out / "report.md", args.out / "report.json")

    if "translation" in args.sections:

        def translation() -> None:
            from benchmarks.translation import throughput

            results["translation"] = {}
            for size in args.sizes:
                results["translation"][size] = throughput(
                    size, beams, args.reps, with_torch=not args.no_torch
                )

        _section("1 translation throughput vs peers", results, translation, save)

    if "shortlist" in args.sections:

        def shortlist() -> None:
            from benchmarks.shortlist import measure

            results["shortlist"] = measure(args.sizes, default_beam, args.reps, args.articles)

        _section("1b output shortlist on the real vocabulary layout", results, shortlist, save)

    if "engine" in args.sections:

        def engine() -> None:
            from benchmarks.translation import end_to_end

            results["engine"] = {}
            for size in args.sizes:
                try:
                    results["engine"][size] = end_to_end(size, make_model_dir(size), articles=args.articles)
                except Exception as exc:
                    results["engine"][size] = {"error": f"{type(exc).__name__}: {exc}"}

        _section("2-3 engine end to end, first sentence, translation memory", results, engine, save)

    if "memory" in args.sections:

        def memory() -> None:
            from benchmarks.memory import measure

            results["memory"] = measure(args.sizes, default_beam, with_torch=not args.no_torch)

        _section("4 memory and load time", results, memory, save)

    if "gui" in args.sections:

        def gui() -> None:
            from benchmarks.gui import measure

            results["gui"] = measure(make_model_dir(args.gui_size), args.gui_size)

        _section("5 GUI", results, gui, save)

    if "text" in args.sections or "quality" in args.sections:

        def text() -> None:
            from benchmarks import textspeed

            results["text"] = {}
            if "text" in args.sections:
                results["text"].update(textspeed.measure(reps=args.reps, articles=args.articles))
            if "quality" in args.sections:
                results["text"]["quality_lines"] = textspeed.quality_lines()

        _section("6 segmenter, summarizer and fact check", results, text, save)

    results["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    results["config"]["wall_seconds"] = round(time.perf_counter() - t_start, 1)
    results["notes"] += NOTES
    return results


# What every report says about how it was measured.
NOTES = [
    "Section 1: the Transformers baseline is a random MarianMTModel of the same shape built in "
    "PyTorch from a fixed seed; CTranslate2's own TransformersConverter turns those exact weights "
    "into the CTranslate2 model (float32 on disk; int8 is quantized at load, as the app does). "
    "Tokens come from the make-model SentencePiece files and vocabulary (padded to the real size).",
    "Section 1 batches: the seed article's sentences sorted by length, 16 a batch; each batch decodes "
    "exactly round(1.1 x its mean source length) tokens per sentence in every peer (min = max length); "
    "Transformers gets torch.inference_mode(), 2 threads, KV cache, no forced EOS.",
    "Nordbrief engine rows and sections 2-4: models.translation.engine.Translator with its own batching, "
    "threads, "
    "streaming windows and beam; random weights never emit </s>, so a thin wrapper around its "
    "ctranslate2.Translator bounds each call at 1.1 x its longest source (a real batch also runs "
    "until its longest sentence ends) and counts 1.1 x each sentence's own source as output; the "
    "loop-retry is off (random output always loops, real output almost never). Its token count "
    "differs a little from the peers'; compare tokens/s.",
    "Sections 2-5 use the make-model test models (float16 on disk, int8 compute, like an installed "
    "model); the GUI section runs the real window with the engine's default options.",
    "Test models: base/big tokenizers are 32k BPE models trained on wordfreq's frequency lists "
    "(nb/sv/da; en), as OPUS-MT's are 32k SentencePiece models; none of the measured texts is in "
    "their training data. Their union is the real joint vocabulary (57,000 / 54,765 entries).",
    "The Nordbrief engine decodes with its output shortlist (vmap.txt: English pieces always, "
    "Norwegian-only pieces when the batch's source has them), as installed models do; the "
    "CTranslate2 peer rows decode without it.",
    "The big test model carries the real vocab.json layout (54,765 entries, </s> at 41977, <pad> "
    "last; 1,024 positions) converted as Nordbrief installs it: <pad> dropped, </s> and <unk> "
    "moved to ids 0 and 1 (CTranslate2 keeps a stale end-token position across shortlisted "
    "calls otherwise; models/translation/shortlist.py).",
    "Sections 2-3 also time the issue's naive loop (raw CTranslate2 int8, default beam, batches "
    "of 16 in document order, each forced to 1.1 x its longest source) over the same articles, "
    "so the engine's gain over it is a ratio from one run.",
]


# results keys each section writes
SECTION_KEYS = {
    "translation": ("translation",),
    "shortlist": ("shortlist",),
    "engine": ("engine",),
    "memory": ("memory",),
    "gui": ("gui",),
    "text": ("text",),
    "quality": ("text",),
}


def merge(json_path: Path, new: dict[str, Any], sections: list[str]) -> dict[str, Any]:
    """The existing report with the freshly measured sections swapped in, each stamped."""
    import json

    try:
        old = json.loads(json_path.read_text("utf-8"))
    except (OSError, ValueError):
        return new
    stamp = {
        "command": new["config"]["command"],
        "date": new["machine"].get("date"),
        "loadavg_start": new["machine"].get("loadavg_start"),
        "loadavg_end": new["machine"].get("loadavg_end"),
    }
    for section in sections:
        for key in SECTION_KEYS[section]:
            if key in new:
                old[key] = new[key]
                old.setdefault("merged", {})[key] = stamp
    if new.get("errors"):
        old.setdefault("errors", {}).update(new["errors"])
    return old


def headline(results: dict[str, Any]) -> str:
    from benchmarks.report import evaluate_targets

    lines = ["", "target | limit | measured | met"]
    for t in evaluate_targets(results):
        met = "n/a" if t["met"] is None else ("yes" if t["met"] else "NO")
        lines.append(f"{t['target']} | {t['comparison']} {t['limit']} {t['unit']} | {t['measured']} | {met}")
    for size, data in (results.get("translation") or {}).items():
        for beam, b in data.get("beams", {}).items():
            tps = ", ".join(f"{k} {v['tokens_per_s']:.0f}" for k, v in b["engines"].items())
            lines.append(f"{size} beam {beam}: tok/s {tps}; ratios {b['ratios']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    args.out.mkdir(parents=True, exist_ok=True)
    results = run(args)
    from benchmarks.report import write_report

    md, js = args.out / "report.md", args.out / "report.json"
    if args.merge:
        results = merge(js, results, args.sections)
    write_report(results, md, js)
    print(headline(results))
    print(f"\nwrote {md} and {js}")
    return 1 if results.get("errors") else 0


if __name__ == "__main__":
    sys.exit(main())
