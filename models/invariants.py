"""What must hold for every article the engine produces, whatever the input.

Offsets index the text, sentences cover it in order, paragraphs own their sentences, facts lie
inside their sentence, bullets point at distinct non-heading sentences and at their own facts
(a compressed bullet's text is made of spans of its sentence), and flags come from the fixed
vocabulary. The fuzzer (``scripts/fuzz.py``) checks every input
against these, and so do the tests (CLI JSON, the window's article, past fuzz failures).
"""

from __future__ import annotations

import re
from typing import Any

from models.article import FACT_KINDS, FLAGS, Article

# Words that betray a bug surfacing as a "user" error message.
INTERNAL_WORDS = (
    "Traceback",
    "internal error",
    "object has no attribute",
    "NoneType",
    "KeyError",
    "IndexError",
    "TypeError",
    "ValueError",
    "AttributeError",
    "AssertionError",
    "RecursionError",
    "unexpected",
)


def check_article_json(
    data: dict[str, Any],
    text: str,
    *,
    max_bullets: int | None = None,
    translated: bool = False,
) -> list[str]:
    """Everything that must hold for any article JSON (``Article.to_json`` or the CLI's output).

    Offsets are code points into ``text``; returns a list of human-readable violations.
    """
    errors: list[str] = []
    sentences = data.get("sentences", [])
    paragraphs = data.get("paragraphs")
    prev_end = 0
    covered = bytearray(len(text))
    for i, s in enumerate(sentences):
        where = f"sentence {i}"
        start, end = s["start"], s["end"]
        if s["index"] != i:
            errors.append(f"{where}: index {s['index']}")
        if not (0 <= start < end <= len(text)):
            errors.append(f"{where}: bad span {start}..{end} (text length {len(text)})")
            continue
        if text[start:end] != s["text"]:
            errors.append(f"{where}: text[{start}:{end}] != sentence text")
        if s["text"] != s["text"].strip():
            errors.append(f"{where}: not stripped")
        if start < prev_end:
            errors.append(f"{where}: overlaps or out of order (starts {start} < {prev_end})")
        prev_end = max(prev_end, end)
        covered[start:end] = b"\x01" * (end - start)
        for flag in s.get("flags", []):
            if flag not in FLAGS:
                errors.append(f"{where}: unknown flag {flag!r}")
        for d in s.get("flag_details", []):
            if d["flag"] not in s.get("flags", []) or not d["detail"]:
                errors.append(f"{where}: flag detail {d!r} without its flag")
        if translated and s.get("translation") is None:
            errors.append(f"{where}: not translated")
        if paragraphs is not None and not (0 <= s["paragraph"] < len(paragraphs)):
            errors.append(f"{where}: paragraph {s['paragraph']} out of range")
    missing = [i for i, ch in enumerate(text) if not covered[i] and not ch.isspace()]
    if missing:
        errors.append(f"{len(missing)} non-space characters in no sentence, first at {missing[0]}")
    if paragraphs is not None:
        prev = 0
        for i, p in enumerate(paragraphs):
            if p["start"] < prev or p["end"] < p["start"] or p["end"] > len(text):
                errors.append(f"paragraph {i}: bad span {p['start']}..{p['end']}")
            prev = max(prev, p["end"])
            for si in p["sentences"]:
                if not (0 <= si < len(sentences)) or sentences[si]["paragraph"] != i:
                    errors.append(f"paragraph {i}: lists sentence {si} that is not its own")
                elif not (p["start"] <= sentences[si]["start"] and sentences[si]["end"] <= p["end"]):
                    errors.append(f"paragraph {i}: sentence {si} outside its span")
    facts = data.get("facts", [])
    for i, f in enumerate(facts):
        where = f"fact {i}"
        if f["kind"] not in FACT_KINDS:
            errors.append(f"{where}: kind {f['kind']!r}")
        if not (0 <= f["sentence"] < len(sentences)):
            errors.append(f"{where}: sentence {f['sentence']} out of range")
            continue
        s = sentences[f["sentence"]]
        if not (s["start"] <= f["start"] < f["end"] <= s["end"]):
            errors.append(f"{where}: span {f['start']}..{f['end']} outside its sentence")
        elif text[f["start"] : f["end"]] != f["text"]:
            errors.append(f"{where}: text[start:end] != fact text")
    bullets = data.get("bullets", [])
    if max_bullets is not None and len(bullets) > max_bullets:
        errors.append(f"{len(bullets)} bullets, more than the {max_bullets} asked for")
    seen: set[int] = set()
    for i, b in enumerate(bullets):
        where = f"bullet {i}"
        si = b["sentence"]
        if not (0 <= si < len(sentences)):
            errors.append(f"{where}: sentence {si} out of range")
            continue
        if sentences[si].get("heading"):
            errors.append(f"{where}: sentence {si} is a heading")
        if si in seen:
            errors.append(f"{where}: sentence {si} used twice")
        seen.add(si)
        for fi in b.get("facts", []):
            if not (0 <= fi < len(facts)) or facts[fi]["sentence"] != si:
                errors.append(f"{where}: fact {fi} is not from its sentence")
        spans = b.get("spans", [])
        s = sentences[si]
        if any(not (s["start"] <= a < z <= s["end"]) for a, z in spans):
            errors.append(f"{where}: a span lies outside its sentence")
        elif spans:
            # The shown text is made of its spans (a dropped opener may swap verb and pronoun).
            shown = sorted(re.findall(r"\w+", b["text"].lower()))
            if shown != sorted(re.findall(r"\w+", "".join(text[a:z] for a, z in spans).lower())):
                errors.append(f"{where}: text is not made of its spans")
        if translated and b.get("translation") is None:
            errors.append(f"{where}: not translated")
    return errors


def check_article(article: Article, **kwargs: Any) -> list[str]:
    return check_article_json(article.to_json(), article.text, **kwargs)


def internal_message(message: str) -> bool:
    """True when a user-facing error message leaks an internal failure."""
    return any(w in message for w in INTERNAL_WORDS) or not message.strip() or "\n" in message.strip()
