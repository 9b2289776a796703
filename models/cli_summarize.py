"""``nordbrief summarize`` (key-fact bullets) and ``nordbrief check`` (fact-check a translation).

Both work without any translation model installed: the summarizer ranks the Norwegian source,
and ``check`` compares an existing English text with the original.
"""

from __future__ import annotations

import argparse

from models.article import ALARMS, SEVERITY, Article
from models.errors import EXIT_FLAGGED, EXIT_OK, InputError
from models.summarize import MAX_BULLETS, MIN_BULLETS


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("summarize", help="key-fact bullets linked to their source sentences")
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
    p.set_defaults(func=cmd_summarize)

    c = sub.add_parser("check", help="fact-check an English translation against the Norwegian original")
    c.add_argument("original", help="the Norwegian article")
    c.add_argument("translation", help="its English translation")
    c.add_argument("--format", choices=["text", "json"], default="text")
    c.add_argument("-o", "--output", help="write here instead of standard output")
    c.add_argument(
        "--fail-on-flags",
        action="store_true",
        help="exit 6 when any pair carries an alarm (a number, date or name changed or missing, "
        "untranslated text, a loop, an unaligned sentence); warnings and info never fail",
    )
    c.set_defaults(func=cmd_check)


def _fact_label(article: Article, ids: list[int]) -> str:
    return ", ".join(f"{article.facts[i].text} ({article.facts[i].kind})" for i in ids)


def summary_text(article: Article) -> str:
    """Plain-text report: one bullet per line with its source sentence and facts."""
    from models.export import bullet_english, bullet_norwegian

    lines = [f"Key facts ({len(article.bullets)} bullets from {len(article.body_sentences)} sentences):"]
    for i, b in enumerate(article.bullets):
        english = bullet_english(article, i)
        lines.append(f"* {english or b.text}")
        if english:
            lines.append(f"    original: {bullet_norwegian(article, i)}")
        shortened = ", shortened" if b.compressed else ""
        lines.append(f"    [sentence {b.sentence}, score {b.score:.3f}{shortened}]")
        if b.facts:
            lines.append(f"    facts: {_fact_label(article, b.facts)}")
    return "\n".join(lines)


def cmd_summarize(args: argparse.Namespace) -> int:
    from models.cli import emit, load, to_json_text
    from models.export import ExportOptions, render_markdown
    from models.pipeline import summarize_article

    if not MIN_BULLETS <= args.bullets <= MAX_BULLETS:
        raise InputError(f"--bullets must be between {MIN_BULLETS} and {MAX_BULLETS}, not {args.bullets}")
    article = load(args.file)
    summarize_article(article, bullets=args.bullets, order=args.order)
    if args.format == "json":
        emit(to_json_text(article.to_json()), args.output)
    elif args.format == "md":
        # The same renderer as ``translate --format md`` and the GUI's Export; a summary has no
        # English, so the Norwegian bullets stand without a "not translated" note.
        options = ExportOptions(sentence_refs=True, untranslated_note=False)
        emit(render_markdown(article, options), args.output)
    else:
        emit(summary_text(article), args.output)
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from models.cli import emit, load, to_json_text, warn
    from models.pipeline import check_translation
    from models.textio import read_input

    original = load(args.original)
    translated = read_input(args.translation)
    for w in translated.warnings:
        warn(w)
    result = check_translation(original, translated.text)
    alarmed = sum(1 for p in result.pairs if ALARMS & set(p.flags))
    code = EXIT_FLAGGED if args.fail_on_flags and alarmed else EXIT_OK
    if args.format == "json":
        emit(to_json_text(result.to_json()), args.output)
        return code
    lines: list[str] = []
    for p in result.pairs:
        src = ",".join(map(str, p.source)) or "-"
        tgt = ",".join(map(str, p.translation)) or "-"
        status = "ok" if not p.flags else " ".join(p.flags)
        lines.append(f"p{p.paragraph:<3} s[{src}] <-> t[{tgt}]  {status}")
        for d in p.flag_details:
            lines.append(f"      {SEVERITY[d.flag]} {d.flag}: {d.detail}")
    flagged = sum(1 for p in result.pairs if p.flags)
    counts = ", ".join(f"{k} {v}" for k, v in result.flag_counts().items())
    lines.append(
        f"{len(result.pairs)} pairs, {flagged} flagged, {alarmed} with an alarm"
        + (f" ({counts})" if counts else "")
    )
    emit("\n".join(lines), args.output)
    return code
