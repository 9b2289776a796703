"""Section 6: segmenter, summarizer and fact-check throughput on real Norwegian text.

The summarizer is timed as the app runs it (``pipeline.summarize_article``: fact extraction plus
the five bullets) on already-segmented articles, so the two stages do not overlap. Best of a few
passes over all articles (NorSumm dev + seed). Facts + fact check are timed on the seed article
and the NTREX Bokmål documents, which have an English side. The quality figures are the owners' own scripts
(``benchmarks.segmentation``, ``benchmarks.rouge``), run as they are and quoted verbatim.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from benchmarks.common import REPO, Timing, norsumm_articles, seed_article_path, timed, word_count


def _texts(articles: int | None) -> list[str]:
    texts = [seed_article_path().read_text("utf-8"), *norsumm_articles()]
    return texts if articles is None else texts[: articles + 1]


def _rate(seconds: float, texts: list[str]) -> dict[str, float]:
    words = sum(word_count(t) for t in texts)
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    return {
        "articles": len(texts),
        "words": words,
        "ms_per_article": round(1000 * seconds / len(texts), 3),
        "ms_per_1000_words": round(1e6 * seconds / words, 3),
        "mb_per_s": round(mb / seconds, 3) if seconds else None,
    }


def measure(*, reps: int = 3, articles: int | None = None) -> dict[str, Any]:
    from models.pipeline import article_from_text, summarize_article
    from models.text.segment import segment

    texts = _texts(articles)
    segment(texts[0])  # warm-up: imports, compiled patterns, abbreviation lists
    seg = Timing([timed(lambda: [segment(t) for t in texts])[0] for _ in range(reps)])

    prepared = [article_from_text(t) for t in texts]
    summarize_article(prepared[0])  # warm-up: stemmer, stop words
    summ = Timing([timed(lambda: [summarize_article(a) for a in prepared])[0] for _ in range(reps)])
    return {
        "segmenter": _rate(seg.best, texts),
        "summarizer": _rate(summ.best, texts),
        "factcheck": factcheck_speed(reps=reps, articles=articles),
    }


def factcheck_speed(*, reps: int = 3, articles: int | None = None) -> dict[str, Any]:
    """Facts + fact check per 1,000 words (``benchmarks.factcheck``'s measurement): the check needs
    an English side, so it runs on the seed article with its human translation and the NTREX
    Bokmål documents instead of NorSumm (which has none)."""
    from benchmarks import factcheck

    try:
        docs, english, norwegian = factcheck.load_corpus()
    except (OSError, SystemExit) as exc:
        return {"error": f"NTREX not available: {exc}"}
    texts = factcheck.speed_documents(docs, english, norwegian["nb"])
    return factcheck.measure_speed(texts if articles is None else texts[: articles + 1], reps=reps)


def quality_lines() -> list[str]:
    """The segmenter's UD F1 and the summarizer's ROUGE table, from their owners' scripts."""
    lines: list[str] = []
    for module in ("benchmarks.segmentation", "benchmarks.rouge"):
        try:
            proc = subprocess.run(
                [sys.executable, "-m", module], cwd=REPO, capture_output=True, text=True, timeout=900
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            lines.append(f"{module}: not run ({exc})")
            continue
        if proc.returncode != 0:
            lines.append(f"{module}: exited {proc.returncode}: {proc.stderr.strip().splitlines()[-1:]}")
            continue
        lines.append(f"$ python -m {module}")
        lines += proc.stdout.rstrip().splitlines()
    return lines
