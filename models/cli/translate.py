"""``nordbrief translate``: an article -> English, sentence by sentence, headless.

The same engine calls as the window (``models.pipeline``): the key-fact bullets are picked first
(from the Norwegian), the translator is opened from the engine settings, the sentences and then
the compressed bullets are translated (streamed in document order, applied here), and the fact
check runs last, so the JSON carries the whole result.
"""

from __future__ import annotations

import argparse
import sys
import time

from models import pipeline
from models.cli.command import Command
from models.cli.output import emit, load, to_json_text, warn
from models.errors import EXIT_OK
from models.settings import COMPUTE_TYPES, DEFAULT_COMPUTE_TYPE, EngineSettings


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="article file, or - for standard input")
    p.add_argument(
        "--model",
        help="installed model name or a CTranslate2 model folder (default: the default installed model)",
    )
    p.add_argument("--beam", type=int, help="beam size (default: the engine's, see README)")
    p.add_argument(
        "--compute-type",
        choices=COMPUTE_TYPES,
        default=DEFAULT_COMPUTE_TYPE,
        help=f"CTranslate2 compute type (default {DEFAULT_COMPUTE_TYPE})",
    )
    p.add_argument("--threads", type=int, help="CPU threads for the model (default: physical cores)")
    p.add_argument("--format", choices=["text", "json", "md"], default="text")
    p.add_argument("-o", "--output", help="write here instead of standard output")
    p.add_argument("--timing", action="store_true", help="print model-load and translation times to stderr")


def _progress(done: int, total: int) -> None:
    """A one-line counter on stderr, only when a person is watching it."""
    if sys.stderr.isatty():
        end = "\n" if done >= total else ""
        print(f"\rtranslating: {done}/{total} sentences", end=end, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    settings = EngineSettings(
        model=args.model, beam=args.beam, compute_type=args.compute_type, threads=args.threads
    )
    article = load(args.file)
    # Bullets first (ranking reads only the Norwegian): translate_article then translates the
    # compressed ones as their own segments after the sentences.
    pipeline.summarize_article(article)
    t0 = time.perf_counter()
    translator, article.model = pipeline.open_translator(settings)
    t1 = time.perf_counter()
    if translator.notice:  # e.g. an old install that runs without its output shortlist
        warn(translator.notice)
    total = len(article.sentences)
    done = 0
    _progress(0, total)
    for batch in pipeline.translate_article(article, translator):
        pipeline.apply_translations(article, batch)
        done += sum(1 for t in batch if not t.bullet)
        _progress(done, total)
    t2 = time.perf_counter()
    if args.timing:
        print(
            f"nordbrief: model load {t1 - t0:.3f} s; translation {t2 - t1:.3f} s "
            f"({total} sentences, {translator.threads} threads, beam {translator.options.beam_size})",
            file=sys.stderr,
        )
    # The fact check flags what the model got wrong, in sentences and in compressed bullets.
    pipeline.apply_check(article, pipeline.check_article(article))

    if args.format == "json":
        emit(to_json_text(article.to_json()), args.output)
    elif args.format == "md":
        # The summary export (as File > Export writes it) plus the full translation.
        emit(pipeline.render_markdown(article, pipeline.ExportOptions(include_translation=True)), args.output)
    else:
        # Plain text: the English paragraphs, untranslated sentences kept in Norwegian.
        emit(pipeline.translation_text(article, keep_untranslated=True), args.output)
    return EXIT_OK


COMMAND = Command("translate", "translate an article to English with a local model", add_arguments, run)
