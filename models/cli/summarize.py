"""``nordbrief summarize``: key-fact bullets linked to their source sentences.

Works without any translation model installed: the summarizer ranks the Norwegian source.
"""

from __future__ import annotations

import argparse

from models import pipeline
from models.article import Article
from models.cli.command import Command
from models.cli.output import emit, load, to_json_text
from models.errors import EXIT_OK, InputError

MIN_BULLETS, MAX_BULLETS = pipeline.MIN_BULLETS, pipeline.MAX_BULLETS


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="article file, or - for standard input")
    p.add_argument(
        "--bullets", type=int, default=5, help=f"number of bullets, {MIN_BULLETS}-{MAX_BULLETS} (default 5)"
    )
    p.add_argument(
        "--order",
        choices=["article", "importance"],
        default="article",
        help="bullet order: as in the article (default) or most important first",
    )
    p.add_argument("--format", choices=["text", "json", "md"], default="text")
    p.add_argument("-o", "--output", help="write here instead of standard output")


def _fact_label(article: Article, ids: list[int]) -> str:
    return ", ".join(f"{article.facts[i].text} ({article.facts[i].kind})" for i in ids)


def summary_text(article: Article) -> str:
    """Plain-text report: one bullet per line with its source sentence and facts."""
    lines = [f"Key facts ({len(article.bullets)} bullets from {len(article.body_sentences)} sentences):"]
    for i, b in enumerate(article.bullets):
        english = pipeline.bullet_english(article, i)
        lines.append(f"* {english or b.text}")
        if english:
            lines.append(f"    original: {pipeline.bullet_norwegian(article, i)}")
        shortened = ", shortened" if b.compressed else ""
        lines.append(f"    [sentence {b.sentence}, score {b.score:.3f}{shortened}]")
        if b.facts:
            lines.append(f"    facts: {_fact_label(article, b.facts)}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if not MIN_BULLETS <= args.bullets <= MAX_BULLETS:
        raise InputError(f"--bullets must be between {MIN_BULLETS} and {MAX_BULLETS}, not {args.bullets}")
    article = load(args.file)
    pipeline.summarize_article(article, bullets=args.bullets, order=args.order)
    if args.format == "json":
        emit(to_json_text(article.to_json()), args.output)
    elif args.format == "md":
        # The same renderer as ``translate --format md`` and the GUI's Export; a summary has no
        # English, so the Norwegian bullets stand without a "not translated" note.
        options = pipeline.ExportOptions(sentence_refs=True, untranslated_note=False)
        emit(pipeline.render_markdown(article, options), args.output)
    else:
        emit(summary_text(article), args.output)
    return EXIT_OK


COMMAND = Command("summarize", "key-fact bullets linked to their source sentences", add_arguments, run)
