"""The headless command line: everything the GUI can do, without a display.

Each subcommand parses its arguments here and calls the same engine API the GUI uses
(``models.pipeline``). User-caused errors become one line on stderr and an exit code
(see ``models.errors``); tracebacks are left for real bugs.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from models import __version__
from models.article import Article
from models.errors import EXIT_INTERRUPTED, EXIT_OK, NordbriefError, OutputError


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on usage errors already; keep its message to one line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="nordbrief", description="Norwegian news -> English translation and key facts, offline."
    )
    parser.add_argument("--version", action="version", version=f"nordbrief {__version__}")
    parser.add_argument(
        "--models-dir", help="folder holding installed models (default: per-user data folder)"
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("segment", help="split an article into paragraphs and sentences")
    p.add_argument("file", help="article file, or - for standard input")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("-o", "--output", help="write here instead of standard output")
    p.set_defaults(func=cmd_segment)

    from models import cli_translate

    cli_translate.add_parsers(sub)

    from models import cli_summarize

    cli_summarize.add_parsers(sub)

    from models import cli_models

    cli_models.add_parsers(sub)

    from models import desktop_entry

    desktop_entry.add_parsers(sub)
    return parser


def emit(text: str, output: str | None) -> None:
    """Print to stdout, or write ``output`` atomically (exit 5 when that fails)."""
    if output and output != "-":
        from models.textio import write_atomic

        write_atomic(output, text if text.endswith("\n") else text + "\n")
        return
    try:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        raise OutputError("output pipe closed") from None


def to_json_text(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def warn(message: str) -> None:
    print(f"nordbrief: warning: {message}", file=sys.stderr)


def load(path: str) -> Article:
    """Read and segment an article, echoing any reading warnings to stderr."""
    from models.pipeline import load_article

    article = load_article(path)
    for w in article.warnings:
        warn(w)
    return article


def segment_text_report(article: Article) -> str:
    lines: list[str] = []
    for s in article.sentences:
        mark = "#" if s.heading else " "
        lines.append(f"{s.index:>4} p{s.paragraph:<3}{mark} {s.text}")
    return "\n".join(lines)


def cmd_segment(args: argparse.Namespace) -> int:
    article = load(args.file)
    if args.format == "json":
        emit(to_json_text(article.to_json()), args.output)
    else:
        emit(segment_text_report(article), args.output)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.models_dir:
        import os

        os.environ["NORDBRIEF_MODELS_DIR"] = args.models_dir
    try:
        return int(args.func(args) or 0)
    except NordbriefError as exc:
        print(f"nordbrief: error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("nordbrief: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
