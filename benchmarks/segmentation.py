"""Sentence-segmentation benchmark on the UD Norwegian Bokmål dev set.

Implements the metric of ``shared/README.md`` exactly: articles are built from runs of 20 gold
paragraphs (``# newpar``; the sentences before the first marker form the first paragraph),
sentences of a paragraph are joined by one space and paragraphs by a blank line; a predicted
sentence is correct when its whitespace-normalised text equals a gold sentence of the same
article (multiset match). Precision, recall and F1 are pooled over all articles.

The regex baseline from the README table (``[.!?]`` + space + capital) is computed by the same
code, so a reproduced 82.1 shows the metric itself is right.

Usage: ``python -m benchmarks.segmentation [--conllu PATH] [--errors N]``
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PARAGRAPHS_PER_ARTICLE = 20

Splitter = Callable[[str], list[str]]


def shared_dir() -> Path:
    """``NORDBRIEF_SHARED``, else ``../shared`` from the repository root (never the cwd)."""
    env = os.environ.get("NORDBRIEF_SHARED")
    return Path(env) if env else REPO.parent / "shared"


def default_conllu() -> Path:
    return shared_dir() / "data" / "ud_bokmaal" / "no_bokmaal-ud-dev.conllu"


def read_paragraphs(lines: Iterable[str]) -> list[list[str]]:
    """Gold paragraphs (lists of sentence texts) from CoNLL-U comment lines."""
    paragraphs: list[list[str]] = []
    current: list[str] | None = None
    for line in lines:
        if line.startswith("# newpar"):
            current = []
            paragraphs.append(current)
        elif line.startswith("# text = "):
            if current is None:
                current = []
                paragraphs.append(current)
            current.append(line[len("# text = ") :].rstrip("\n"))
    return [p for p in paragraphs if p]


def build_articles(
    paragraphs: list[list[str]], size: int = PARAGRAPHS_PER_ARTICLE
) -> list[tuple[str, list[str]]]:
    """(article text, gold sentences) for each run of ``size`` paragraphs."""
    articles = []
    for i in range(0, len(paragraphs), size):
        run = paragraphs[i : i + size]
        text = "\n\n".join(" ".join(p) for p in run)
        articles.append((text, [s for p in run for s in p]))
    return articles


def normalise(sentence: str) -> str:
    return " ".join(sentence.split())


@dataclass
class Score:
    correct: int
    predicted: int
    gold: int

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self, name: str) -> str:
        return (
            f"{name:<22} P {100 * self.precision:5.1f}  R {100 * self.recall:5.1f}  "
            f"F1 {100 * self.f1:5.1f}  ({self.correct}/{self.predicted} predicted, {self.gold} gold)"
        )


def match_count(predicted: list[str], gold: list[str]) -> int:
    """Size of the multiset intersection of normalised sentences."""
    p = Counter(normalise(s) for s in predicted if normalise(s))
    g = Counter(normalise(s) for s in gold)
    return sum((p & g).values())


def evaluate(articles: list[tuple[str, list[str]]], split: Splitter) -> Score:
    correct = predicted = gold = 0
    for text, gold_sents in articles:
        pred = [s for s in split(text) if normalise(s)]
        correct += match_count(pred, gold_sents)
        predicted += len(pred)
        gold += len(gold_sents)
    return Score(correct, predicted, gold)


_PARAGRAPH = re.compile(r"\n\s*\n")
_BASELINE = re.compile(r"[.!?]+[»\"”]?(?=\s+[A-ZÆØÅ«\"])")


def regex_baseline(text: str) -> list[str]:
    """The README's baseline: blank lines, then ``[.!?]`` (+ closing quote) + space + capital.

    The capital may be an opening quote; this reading reproduces the README's recall (77.0)
    exactly and its F1 within 0.1.
    """
    out: list[str] = []
    for para in _PARAGRAPH.split(text):
        pos = 0
        for m in _BASELINE.finditer(para):
            out.append(para[pos : m.end()])
            pos = m.end()
        out.append(para[pos:])
    return [s.strip() for s in out if s.strip()]


def nordbrief_split(text: str) -> list[str]:
    from models.text.segment import segment

    return [s.text for s in segment(text).sentences]


def print_errors(articles: list[tuple[str, list[str]]], split: Splitter, limit: int) -> None:
    """Predicted sentences with no gold match, and gold sentences never produced (for tuning)."""
    shown = 0
    for text, gold_sents in articles:
        pred = Counter(normalise(s) for s in split(text) if normalise(s))
        gold = Counter(normalise(s) for s in gold_sents)
        for s in (pred - gold).elements():
            if shown >= limit:
                return
            print(f"  + {s[:160]}")
            shown += 1
        for s in (gold - pred).elements():
            if shown >= limit:
                return
            print(f"  - {s[:160]}")
            shown += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conllu", type=Path, default=None, help="CoNLL-U file (default: UD Bokmål dev)")
    parser.add_argument("--errors", type=int, default=0, help="print up to N mismatched sentences")
    args = parser.parse_args(argv)
    path = args.conllu or default_conllu()
    if not path.is_file():
        print(f"benchmark data not found: {path} (set NORDBRIEF_SHARED)", file=sys.stderr)
        return 2
    with path.open(encoding="utf-8") as fh:
        articles = build_articles(read_paragraphs(fh))
    n_chars = sum(len(t) for t, _ in articles)
    print(f"{path.name}: {len(articles)} articles, {sum(len(g) for _, g in articles)} gold sentences")
    print(evaluate(articles, regex_baseline).line("regex baseline"))
    nordbrief_split(articles[0][0])  # warm-up (imports, regex compilation)
    t0 = time.perf_counter()
    score = evaluate(articles, nordbrief_split)
    elapsed = time.perf_counter() - t0
    print(score.line("nordbrief"))
    print(
        f"speed: {1000 * elapsed / len(articles):.2f} ms per article, "
        f"{n_chars / 1e6 / elapsed if elapsed else float('inf'):.2f} M chars/s"
    )
    if args.errors:
        print_errors(articles, nordbrief_split, args.errors)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
