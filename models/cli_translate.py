"""``nordbrief translate``: an article -> English, sentence by sentence, headless.

Uses the same engine calls as the GUI (``models.pipeline.translate_article``): the key-fact
bullets are picked first (from the Norwegian), the sentences and then the compressed bullets are
translated, and the fact check runs last, so the JSON carries the whole result.
"""

from __future__ import annotations

import argparse
import sys
import time

from models.article import Article, ModelInfo
from models.errors import EXIT_OK, InputError
from models.pipeline import check_article, summarize_article

COMPUTE_TYPES = ("int8", "int8_float32", "int16", "float32")


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("translate", help="translate an article to English with a local model")
    p.add_argument("file", help="article file, or - for standard input")
    p.add_argument(
        "--model",
        help="installed model name or a CTranslate2 model folder (default: the default installed model)",
    )
    p.add_argument("--beam", type=int, help="beam size (default: the engine's, see README)")
    p.add_argument(
        "--compute-type",
        choices=COMPUTE_TYPES,
        default="int8",
        help="CTranslate2 compute type (default int8)",
    )
    p.add_argument("--threads", type=int, help="CPU threads for the model (default: physical cores)")
    p.add_argument("--format", choices=["text", "json", "md"], default="text")
    p.add_argument("-o", "--output", help="write here instead of standard output")
    p.add_argument("--timing", action="store_true", help="print model-load and translation times to stderr")
    p.set_defaults(func=cmd_translate)


def _progress(done: int, total: int) -> None:
    """A one-line counter on stderr, only when a person is watching it."""
    if sys.stderr.isatty():
        end = "\n" if done >= total else ""
        print(f"\rtranslating: {done}/{total} sentences", end=end, file=sys.stderr, flush=True)


def translation_report(article: Article) -> str:
    """Plain text: the English paragraphs, untranslated sentences kept in Norwegian."""
    paras: list[str] = []
    for p in article.paragraphs:
        parts = []
        for i in p.sentences:
            s = article.sentences[i]
            parts.append((s.translation or s.text).strip())
        text = " ".join(t for t in parts if t)
        if text:
            paras.append(text)
    return "\n\n".join(paras)


def translation_markdown(article: Article) -> str:
    """Markdown: the summary export (as File > Export writes it) plus the full translation."""
    from models.export import ExportOptions, render_markdown

    return render_markdown(article, ExportOptions(include_translation=True))


def cmd_translate(args: argparse.Namespace) -> int:
    from models.cli import emit, load, to_json_text
    from models.pipeline import translate_article
    from models.store import resolve_model
    from models.translate import Translator

    if args.beam is not None and not 1 <= args.beam <= 16:
        raise InputError("--beam must be between 1 and 16")
    if args.threads is not None and not 1 <= args.threads <= 256:
        raise InputError("--threads must be at least 1")
    article = load(args.file)
    model = resolve_model(args.model)
    # Bullets first (ranking reads only the Norwegian): translate_article then translates the
    # compressed ones as their own segments after the sentences.
    summarize_article(article)

    t0 = time.perf_counter()
    translator = Translator(
        model.path,
        compute_type=args.compute_type,
        intra_threads=args.threads,
        beam_size=args.beam,
    )
    t1 = time.perf_counter()
    if translator.notice:
        from models.cli import warn

        warn(translator.notice)
    total = len(article.sentences)
    done = 0
    _progress(0, total)
    for batch in translate_article(article, translator):
        done += len(batch)
        _progress(done, total)
    t2 = time.perf_counter()
    article.model = ModelInfo(
        name=model.name,
        path=str(model.path),
        revision=model.revision,
        compute_type=translator.compute_type,
        beam_size=translator.options.beam_size,
        license=model.license,
        attribution=model.attribution,
    )
    if args.timing:
        print(
            f"nordbrief: model load {t1 - t0:.3f} s; translation {t2 - t1:.3f} s "
            f"({total} sentences, {translator.intra_threads} threads, beam {translator.options.beam_size})",
            file=sys.stderr,
        )
    # The fact check flags what the model got wrong, in sentences and in compressed bullets.
    check_article(article)

    if args.format == "json":
        emit(to_json_text(article.to_json()), args.output)
    elif args.format == "md":
        emit(translation_markdown(article), args.output)
    else:
        emit(translation_report(article), args.output)
    return EXIT_OK
