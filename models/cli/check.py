"""``nordbrief check``: fact-check someone else's English translation against the original.

Needs no translation model: the English text is aligned with the Norwegian paragraph by
paragraph, then sentence by sentence, and each pair gets the same flags as ``translate``.
"""

from __future__ import annotations

import argparse

from models import pipeline
from models.article import ALARMS, SEVERITY
from models.cli.command import Command
from models.cli.output import emit, load, to_json_text, warn
from models.errors import EXIT_FLAGGED, EXIT_OK


def add_arguments(c: argparse.ArgumentParser) -> None:
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


def run(args: argparse.Namespace) -> int:
    original = load(args.original)
    translated = pipeline.read_text(args.translation)
    for w in translated.warnings:
        warn(w)
    result = pipeline.check_translation(original, translated.text)
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


COMMAND = Command(
    "check", "fact-check an English translation against the Norwegian original", add_arguments, run
)
