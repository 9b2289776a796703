"""Fuzz the headless pipeline: segment -> summarize -> facts -> translate -> fact check -> export.

    python -m scripts.fuzz --count 10000 [--seed N] [--translate-every K] [--bound S]

Inputs are generated Norwegian-like articles and mutations of real ones (the seed article and the
NorSumm dev texts from ../shared): byte flips, deletions, duplications, inserted quotes,
abbreviations, numbers, emoji, right-to-left and zero-width characters, control characters, huge
paragraphs, runs of empty lines. Every input is reproducible from ``(seed, index)``
(``--only INDEX``).

A failure is an uncaught exception, a stage running past the time bound, a broken invariant
(``check_article``), or a ``NordbriefError`` whose message reports an internal error instead of
something the user can fix. The last line is ``inputs tried: N, failures: M``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.article import Article
from models.invariants import check_article, internal_message

REPO = Path(__file__).resolve().parent.parent


# --- inputs -----------------------------------------------------------------------------------------

INSERTS = [
    "«",
    "»",
    '"',
    "“",
    "”",
    "'",
    "–",
    "—",
    "- ",
    "…",
    "...",
    "?!",
    ".",
    ":",
    ";",
    "(",
    ")",
    "bl.a.",
    "f.eks.",
    "ca.",
    "kl.",
    "nr.",
    "mill.",
    "mrd.",
    "dvs.",
    "osv.",
    "jf.",
    "inkl.",
    "pst.",
    "St.",
    "Chr.",
    "dr.",
    "mv.",
    "o.l.",
    "t.o.m.",
    "1. mars",
    "17. mai",
    "370.000",
    "2,5",
    "12 millioner",
    "60 prosent",
    "kr 2,5 mill.",
    "1.000.000.000.000.000.000.000.000",
    "9" * 400,
    "3.",
    "2019",
    "-7,5",
    "½",
    "¾",
    "²",
    "٣",
    "𝟙𝟚",
    "I.",
    "A. B. Hansen",
    "Hayat Tahrir al-Sham",
    "IS",
    "SOHR",
    "😀",
    "🇳🇴",
    "👩‍👩‍👧",
    "\u200b",
    "\u200c",
    "\u200d",
    "\ufeff",
    "\u2060",
    "\u00ad",
    "\u202e",
    "\u202d",
    "\u200f",
    "\u200e",
    "\u2066",
    "مرحبا بالعالم",
    "שלום עולם",
    "Ελληνικά",
    "\x00",
    "\x01",
    "\x07",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1b[31m",
    "\x1c",
    "\x1d",
    "\x1e",
    "\x1f",
    "\x7f",
    "\x85",
    "\u2028",
    "\u2029",
    "\r",
    "\r\n",
    "\t",
    "\n",
    "\n\n",
    "\n\n\n\n",
    "   ",
    "\u00a0",
    "\u3000",
    "e\u0301",
    "\u0301",
    "ﬁ",
    "Å",
    "ǅ",
    "İ",
    "ß",
    "<p>",
    "</p>",
    "<script>alert(1)</script>",
    "&amp;",
    "# Overskrift",
    "- punkt",
    "* punkt",
    "1) første",
    "Tittel uten punktum\n",
]

WORDS = [
    "regjeringen",
    "statsministeren",
    "sier",
    "at",
    "det",
    "er",
    "viktig",
    "å",
    "ta",
    "grep",
    "før",
    "valget",
    "i",
    "Oslo",
    "Bergen",
    "Trondheim",
    "Norge",
    "Syria",
    "Idlib",
    "IS",
    "SOHR",
    "ifølge",
    "politiet",
    "ble",
    "drept",
    "skadet",
    "mandag",
    "tirsdag",
    "i",
    "fjor",
    "mars",
    "mai",
    "kroner",
    "prosent",
    "millioner",
    "Støre",
    "Solberg",
    "Hayat",
    "Tahrir",
    "al-Sham",
    "opplyser",
    "NTB",
    "at",
    "to",
    "tre",
    "fire",
    "hundre",
]


def generated_article(rng: random.Random) -> str:
    paras: list[str] = []
    for _ in range(rng.randint(0, 12)):
        if rng.random() < 0.2:
            paras.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6))).capitalize())
            continue
        sents: list[str] = []
        for _ in range(rng.randint(1, 6)):
            words = [rng.choice(WORDS + INSERTS[:60]) for _ in range(rng.randint(1, 30))]
            end = rng.choice([".", ".", "!", "?", "", "…", ":", ".»"])
            sents.append(" ".join(words).capitalize() + end)
        paras.append(" ".join(sents))
    sep = rng.choice(["\n\n", "\n", "\n\n\n", "\r\n\r\n", "\n \n"])
    return sep.join(paras)


def _random_char(rng: random.Random) -> str:
    """Any Unicode scalar value except lone surrogates: no real input path can produce those (file
    and stdin decoding never do, and Qt drops them when text reaches the Original pane)."""
    code = rng.choice([rng.randint(0, 0x2FF), rng.randint(0, 0x10FFFF)])
    return chr(code) if not 0xD800 <= code <= 0xDFFF else "\ufffd"


def mutate(text: str, rng: random.Random) -> str | bytes:
    """Apply 1-5 random mutations; sometimes at the byte level (then the input is bytes)."""
    as_bytes = rng.random() < 0.15
    data: Any = text.encode("utf-8") if as_bytes else text
    for _ in range(rng.randint(1, 5)):
        n = len(data)
        op = rng.choice(["flip", "delete", "dup", "insert", "insert", "insert", "huge", "lines", "trunc"])
        i = rng.randint(0, n) if n else 0
        j = min(n, i + rng.randint(0, 200))
        if op == "flip" and n:
            if as_bytes:
                data = data[:i] + bytes([rng.randint(0, 255)]) + data[i + 1 :]
            else:
                data = data[:i] + _random_char(rng) + data[i + 1 :]
        elif op == "delete":
            data = data[:i] + data[j:]
        elif op == "dup":
            data = data[:j] + data[i:j] * rng.randint(1, 20) + data[j:]
        elif op == "insert":
            ins = rng.choice(INSERTS) * rng.choice([1, 1, 1, 2, 5, 50])
            data = data[:i] + (ins.encode("utf-8", "surrogatepass") if as_bytes else ins) + data[i:]
        elif op == "huge":
            chunk = data[i:j] or (b"ord " if as_bytes else "ord ")
            data = data[:i] + chunk * rng.randint(50, 400) + data[i:]
        elif op == "lines":
            nl = b"\n" if as_bytes else "\n"
            data = (
                data.replace(nl, nl * rng.randint(0, 4))
                if rng.random() < 0.5
                else data.replace(nl, b" " if as_bytes else " ")
            )
        elif op == "trunc":
            data = data[:i]
    return data


def corpus() -> list[str]:
    shared = Path(os.environ.get("NORDBRIEF_SHARED") or REPO.parent / "shared")
    texts: list[str] = []
    seed = shared / "articles" / "syria-is-attacks.txt"
    if seed.is_file():
        texts.append(seed.read_text(encoding="utf-8"))
    norsumm = shared / "data" / "norsumm" / "NorSumm_dev.json"
    if norsumm.is_file():
        texts.extend(item["article"] for item in json.loads(norsumm.read_text(encoding="utf-8")))
    return texts


def make_input(seed: int, index: int, texts: list[str]) -> str | bytes:
    rng = random.Random(seed * 1_000_003 + index)
    kind = rng.random()
    if kind < 0.05:
        return rng.choice(["", " ", "\n\n\n", "\t \n", ".", "...", "«»", "\u200b", "1", "—"])
    if kind < 0.3 or not texts:
        base = generated_article(rng)
        return base if rng.random() < 0.3 else mutate(base, rng)
    return mutate(rng.choice(texts), rng)


# --- the pipeline -----------------------------------------------------------------------------------


class Hang(Exception):
    pass


def _alarm(_signum: int, _frame: object) -> None:
    raise Hang()


@dataclass
class Outcome:
    stage: str
    problem: str


class Pipeline:
    """The headless pipeline, built once (the tiny model is made and loaded a single time)."""

    def __init__(self, workdir: Path, with_translation: bool) -> None:
        from models import pipeline

        self.workdir = workdir
        self.pipeline = pipeline
        self.translator = _make_translator(workdir) if with_translation else None
        self.counts: Counter[str] = Counter()

    def run(self, data: str | bytes, translate: bool, bound: float) -> list[Outcome]:
        from models.errors import NordbriefError

        problems: list[Outcome] = []
        stage = "decode"
        signal.signal(signal.SIGALRM, _alarm)
        # Generous and size-aware: a real hang never ends; a 40 KB article on a busy CPU may be slow.
        signal.setitimer(signal.ITIMER_REAL, bound + len(data) / 1000)
        try:
            if isinstance(data, bytes):
                text = self.pipeline.decode_text(data, "fuzz input").text
            else:
                text = self.pipeline.normalise_newlines(data)
            self.counts["decode"] += 1
            stage = "segment"
            article = self.pipeline.article_from_text(text)
            self.counts["segment"] += 1
            problems += [Outcome(stage, e) for e in check_article(article)]
            stage = "summarize+facts"
            self.pipeline.summarize_article(article, 5)
            self.counts["summarize+facts"] += 1
            problems += [Outcome(stage, e) for e in check_article(article, max_bullets=5)]
            if translate and self.translator is not None:
                stage = "translate"
                self.translator(article)
                self.counts["translate"] += 1
                stage = "factcheck"
                self.pipeline.apply_check(article, self.pipeline.check_article(article))
                self.counts["factcheck"] += 1
                problems += [Outcome(stage, e) for e in check_article(article, translated=True)]
            stage = "export"
            out = self.workdir / ("summary.md" if self.counts["export"] % 2 else "summary.txt")
            self.pipeline.export_summary(article, out, self.pipeline.ExportOptions(include_original=True))
            written = out.read_text(encoding="utf-8")
            self.counts["export"] += 1
            if self.pipeline.article_title(article) not in written:
                problems.append(Outcome(stage, "title missing from export"))
            name = self.pipeline.default_filename(article)
            if "/" in name or "\\" in name or any(ord(c) < 32 for c in name) or name.startswith("."):
                problems.append(Outcome(stage, f"unsafe default file name {name!r}"))
        except Hang:
            problems.append(Outcome(stage, f"hang: still running after {bound + len(data) / 1000:.0f} s"))
        except NordbriefError as exc:
            self.counts[f"user error in {stage}"] += 1
            if internal_message(exc.message):
                problems.append(Outcome(stage, f"internal error as user message: {exc.message!r}"))
            if stage != "decode":
                problems.append(Outcome(stage, f"{type(exc).__name__} on decoded text: {exc.message!r}"))
        except Exception as exc:
            tb = traceback.extract_tb(exc.__traceback__)[-1]
            problems.append(Outcome(stage, f"{type(exc).__name__}: {exc} at {tb.filename}:{tb.lineno}"))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        return problems


def _make_translator(workdir: Path) -> Callable[[Article], None] | None:
    """The tiny random-weight model, built and loaded once; None when the engine is missing."""
    from models import pipeline

    try:
        from models.testing import make_model
    except ImportError as exc:
        print(f"translation stage skipped: {exc}", file=sys.stderr)
        return None
    # Greedy search: the fuzz run is about robustness, and beam 1 keeps 1,000 articles affordable.
    model = make_model(workdir / "tiny-model", size="tiny", seed=1)
    translator, info = pipeline.open_translator(pipeline.EngineSettings(model=str(model), beam=1))

    def run(article: Article) -> None:
        article.model = info
        for batch in pipeline.translate_article(article, translator):  # sentences, then compressed bullets
            pipeline.apply_translations(article, batch)

    return run


# --- main -------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m scripts.fuzz", description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", type=int, help="run just this input index (to reproduce a failure)")
    ap.add_argument("--translate-every", type=int, default=10, help="translate every K-th input (0: never)")
    ap.add_argument(
        "--bound", type=float, default=30.0, help="seconds per input (+1 s per 1,000 characters) = a hang"
    )
    ap.add_argument("--save", type=Path, help="write each failing input into this folder")
    args = ap.parse_args(argv)

    texts = corpus()
    indices = [args.only] if args.only is not None else range(args.count)
    with tempfile.TemporaryDirectory(prefix="nordbrief-fuzz-") as tmp:
        pipe = Pipeline(Path(tmp), with_translation=args.translate_every > 0)
        failures: list[tuple[int, list[Outcome]]] = []
        started = time.monotonic()
        tried = 0
        for i in indices:
            data = make_input(args.seed, i, texts)
            translate = args.translate_every > 0 and i % args.translate_every == 0
            problems = pipe.run(data, translate, args.bound)
            tried += 1
            if problems:
                failures.append((i, problems))
                print(
                    f"FAIL seed={args.seed} index={i}: "
                    + "; ".join(f"[{p.stage}] {p.problem}" for p in problems[:3])
                )
                if args.save:
                    args.save.mkdir(parents=True, exist_ok=True)
                    blob = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
                    (args.save / f"seed{args.seed}-{i}.bin").write_bytes(blob)
            if tried % 500 == 0:
                print(
                    f"... {tried} inputs, {len(failures)} failures, {time.monotonic() - started:.0f} s",
                    flush=True,
                )
    stages = ", ".join(f"{k}: {v}" for k, v in sorted(pipe.counts.items()))
    print(f"stages completed: {stages}")
    print(f"elapsed: {time.monotonic() - started:.1f} s")
    if failures:
        print("failing inputs (seed, index): " + " ".join(f"({args.seed}, {i})" for i, _ in failures))
    print(f"inputs tried: {tried}, failures: {len(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
