"""Section 6: segmenter and summarizer throughput on real Norwegian text (NorSumm dev + seed).

The summarizer is timed as the app runs it (``pipeline.summarize_article``: fact extraction plus
the five bullets) on already-segmented articles, so the two stages do not overlap. Best of a few
passes over all articles. The quality figures are the owners' own scripts
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
    return {"segmenter": _rate(seg.best, texts), "summarizer": _rate(summ.best, texts)}


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
