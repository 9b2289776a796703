"""``nordbrief check``: fact-check someone else's English translation against the original.

Needs no translation model: the English text is aligned with the Norwegian paragraph by
paragraph, then sentence by sentence, and each pair gets the same flags as ``translate``.
"""

from __future__ import annotations

import argparse

from models import pipeline
from models.cli.command import Command
from models.cli.output import emit, load, to_json_text, warn
from models.errors import EXIT_OK


def add_arguments(c: argparse.ArgumentParser) -> None:
    c.add_argument("original", help="the Norwegian article")
    c.add_argument("translation", help="its English translation")
    c.add_argument("--format", choices=["text", "json"], default="text")
    c.add_argument("-o", "--output", help="write here instead of standard output")


def run(args: argparse.Namespace) -> int:
    original = load(args.original)
    translated = pipeline.read_text(args.translation)
    for w in translated.warnings:
        warn(w)
    result = pipeline.check_translation(original, translated.text)
    if args.format == "json":
        emit(to_json_text(result.to_json()), args.output)
        return EXIT_OK
    lines: list[str] = []
    for p in result.pairs:
        src = ",".join(map(str, p.source)) or "-"
        tgt = ",".join(map(str, p.translation)) or "-"
        status = "ok" if not p.flags else " ".join(p.flags)
        lines.append(f"p{p.paragraph:<3} s[{src}] <-> t[{tgt}]  {status}")
        for d in p.flag_details:
            lines.append(f"      {d.flag}: {d.detail}")
    flagged = sum(1 for p in result.pairs if p.flags)
    counts = ", ".join(f"{k} {v}" for k, v in result.flag_counts().items())
    lines.append(f"{len(result.pairs)} pairs, {flagged} flagged" + (f" ({counts})" if counts else ""))
    emit("\n".join(lines), args.output)
    return EXIT_OK


COMMAND = Command(
    "check", "fact-check an English translation against the Norwegian original", add_arguments, run
)
