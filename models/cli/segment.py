"""``nordbrief segment``: an article's paragraphs and sentences, as text or JSON."""

from __future__ import annotations

import argparse

from models.article import Article
from models.cli.command import Command
from models.cli.output import emit, load, to_json_text
from models.errors import EXIT_OK


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="article file, or - for standard input")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("-o", "--output", help="write here instead of standard output")


def segment_text_report(article: Article) -> str:
    lines: list[str] = []
    for s in article.sentences:
        mark = "#" if s.heading else " "
        lines.append(f"{s.index:>4} p{s.paragraph:<3}{mark} {s.text}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    article = load(args.file)
    if args.format == "json":
        emit(to_json_text(article.to_json()), args.output)
    else:
        emit(segment_text_report(article), args.output)
    return EXIT_OK


COMMAND = Command("segment", "split an article into paragraphs and sentences", add_arguments, run)
