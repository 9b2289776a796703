"""The engine API: the one door through which the CLI, the window, the fuzzer and the benchmarks
reach the pipeline  read -> segment -> translate -> facts/summary -> check -> export.

Front ends call these functions rather than the stage packages (``models.reading``,
``models.text``, ``models.translation``, ``models.summary``, ``models.check``, ``models.export``;
import-linter enforces it), so every path behaves the same. Two rules make it safe to run the
slow parts on a worker thread while a window shows the article:

- Translation does not write into the article: ``translate_article`` yields ``(index, english)``
  batches and the caller applies them (``apply_translations``; the window on its GUI thread).
- The fact check does not either: ``check_article`` returns the flags, ``apply_check`` sets them.

Heavy modules (CTranslate2, lingua, trafilatura, the summarizer) are imported inside the
functions that need them, so a command line or the window starts without paying for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from models.article import Article, FlagDetail, ModelInfo, Source
from models.errors import InputError
from models.export import (
    FORMATS,
    ExportOptions,
    article_title,
    bullet_english,
    bullet_flag_details,
    bullet_norwegian,
    default_filename,
    export_summary,
    format_for_path,
    render_markdown,
    render_text,
    translation_text,
)
from models.reading.decode import normalise_newlines
from models.reading.types import FILE_TYPES, FileType, ImportedText
from models.settings import EngineSettings
from models.summary import MAX_BULLETS, MIN_BULLETS
from models.text.segment import segment

if TYPE_CHECKING:
    from models.check.factcheck import CheckResult
    from models.reading.decode import ReadResult
    from models.translation.engine import TranslateOptions
    from models.translation.engine import Translator as Translator  # re-exported for front ends' types
    from models.translation.memory import TranslationMemory

CancelFn = Callable[[], bool]

__all__ = [
    "FILE_TYPES",
    "FORMATS",
    "MAX_BULLETS",
    "MIN_BULLETS",
    "ArticleCheck",
    "EngineSettings",
    "ExportOptions",
    "FileType",
    "ImportedText",
    "Translated",
    "apply_check",
    "apply_sentence_check",
    "apply_translations",
    "article_from_clipboard",
    "article_from_html",
    "article_from_text",
    "article_title",
    "bullet_english",
    "bullet_flag_details",
    "bullet_norwegian",
    "check_article",
    "check_sentence",
    "check_translation",
    "decode_text",
    "default_filename",
    "edit_translation",
    "export_summary",
    "format_for_path",
    "load_article",
    "load_url",
    "normalise_newlines",
    "open_translator",
    "read_text",
    "render_markdown",
    "render_text",
    "revert_translation",
    "summarize_article",
    "translate_article",
    "translation_text",
    "warm_up_steps",
]


# --- read and segment ------------------------------------------------------------------------


def article_from_text(
    text: str,
    *,
    file: str | None = None,
    warnings: list[str] | None = None,
    source: Source | None = None,
) -> Article:
    """Segment already-decoded text into an Article.

    The title is the metadata title when an importer found one, else the first line when it is a
    headline. The language is identified here, so pasted text gets the same "not Norwegian"
    warning as an opened file.
    """
    article = segment(text)
    if source is not None:
        article.source = replace(source)
    if file:
        article.source.file = file
    if warnings:
        article.warnings.extend(warnings)
    if article.source.title:
        article.title = article.source.title
    if article.title is None and article.sentences and article.sentences[0].heading:
        article.title = article.sentences[0].text
    if article.title is None:
        from models.reading.compose import headline_of

        article.title = headline_of(text)
    if article.source.title is None:
        article.source.title = article.title
    _identify_language(article)
    return article


def _from_imported(imp: ImportedText) -> Article:
    return article_from_text(imp.text, warnings=imp.warnings, source=imp.source)


def _identify_language(article: Article) -> None:
    from models.text.langid import detect_language, language_warning

    guess = detect_language(article.text)
    if guess is None:
        return
    if article.source.language is None:
        article.source.language = guess.code
    warning = language_warning(guess)
    if warning and warning not in article.warnings:
        article.warnings.append(warning)


def load_article(path: str) -> Article:
    """Open what the user named: an http(s) link, .docx, web page, Markdown or text (``-``: stdin)."""
    from models.reading.files import import_file
    from models.reading.web import is_url

    if is_url(path):
        return load_url(path)
    return _from_imported(import_file(path))


def load_url(url: str) -> Article:
    """Fetch an http(s) link (deadline, size cap, redirects) and import the page; NetworkError = exit 4."""
    from models.reading.files import import_url

    return _from_imported(import_url(url))


def article_from_html(html: str, url: str | None = None) -> Article:
    """An article from HTML, e.g. the clipboard's text/html: same extraction as a saved page."""
    from models.reading.html import extract_html

    return _from_imported(extract_html(html, url, name="pasted HTML"))


def article_from_clipboard(html: str | None, text: str | None) -> Article:
    """Paste: the clipboard's HTML through the page extraction when it has any, else its plain text.

    ``html``/``text`` are what the clipboard offers (``QMimeData.html()``/``.text()``; empty or
    None when absent). Raises ``InputError`` when neither holds any text.
    """
    if html and html.strip():
        try:
            return article_from_html(html)
        except InputError:
            if not (text and text.strip()):
                raise
    if not (text and text.strip()):
        raise InputError("the clipboard holds no text")
    return article_from_text(normalise_newlines(text))


def decode_text(data: bytes, name: str = "input") -> ReadResult:
    """Bytes from anywhere -> text, as a file is read (warnings for anything but UTF-8)."""
    from models.reading.decode import decode_bytes

    return decode_bytes(data, name)


def read_text(path: str) -> ReadResult:
    """A plain text file (``-``: stdin) decoded like an article, e.g. a translation to check."""
    from models.reading.decode import read_input

    return read_input(path)


def warm_up_steps() -> Iterator[int]:
    """Load the language identifier in small steps (a GUI runs this after its first paint)."""
    from models.text.langid import warm_up_steps as steps

    yield from steps()


# --- key facts ---------------------------------------------------------------------------------


def summarize_article(article: Article, bullets: int = 5, order: str = "article") -> None:
    """Fill ``article.facts`` and ``article.bullets`` (bullets carry translations when present).

    A compressed bullet keeps the English it had when the same text was a bullet before (the
    window re-summarizes after every edit); others get theirs from ``translate_article``.
    """
    from models.summary.facts import extract_facts
    from models.summary.summarize import summarize

    known = {b.text: b.translation for b in article.bullets if b.compressed and b.translation}
    article.facts = extract_facts(article)
    article.bullets = summarize(article, bullets=bullets, order=order, facts=article.facts)
    for b in article.bullets:
        if b.compressed and b.text in known:
            b.translation = known[b.text]
    if known:
        _apply_bullet_checks(article, _bullet_checks(article, _known_names(article)))


# --- translation -------------------------------------------------------------------------------


def open_translator(
    settings: EngineSettings | None = None,
    *,
    options: TranslateOptions | None = None,
    memory: TranslationMemory | None = None,
) -> tuple[Translator, ModelInfo]:
    """Resolve the model the settings name (default: the default installed model), load it, and
    describe it as articles record it (``Article.model``: name, revision, compute type, beam ...).

    Raises ``NoModelInstalled`` or another ``ModelError`` (exit 3) a user can act on.
    ``options``/``memory`` are for benchmarks and tests that tune the engine itself.
    """
    from models.store import resolve_model
    from models.translation.engine import Translator

    settings = settings or EngineSettings()
    model = resolve_model(settings.model)
    translator = Translator(
        model.path,
        compute_type=settings.compute_type,
        threads=settings.threads,
        beam_size=settings.beam,
        options=options,
        memory=memory,
    )
    info = ModelInfo(
        name=model.name,
        path=str(model.path),
        revision=model.revision,
        compute_type=translator.compute_type,
        beam_size=translator.options.beam_size,
        license=model.license,
        attribution=model.attribution,
        origin=_origin(model.name, model.repo_id),
    )
    return translator, info


def _origin(name: str, repo_id: str | None) -> str:
    """ "catalog" for a catalog model from its own Hub repo (downloaded, or imported offline and
    verified as that entry), else "imported": exports name the first, never a folder."""
    from models.store import load_catalog

    entry = load_catalog().get(name)
    return "catalog" if entry is not None and repo_id == entry.repo_id else "imported"


@dataclass(frozen=True, slots=True)
class Translated:
    """One finished segment: a sentence (``article.sentences[index].translation = english``) or,
    with ``bullet``, a compressed bullet's own text (``article.bullets[index].translation``).
    ``cached``: it came from the translation memory, nothing was decoded for it."""

    index: int
    english: str
    bullet: bool = False
    cached: bool = False


def translate_article(
    article: Article, translator: Translator, *, cancel: CancelFn | None = None
) -> Iterator[list[Translated]]:
    """Translate every sentence, then every compressed bullet; yield each batch's results.

    Sentences come in document order. After them, each compressed bullet's Norwegian is
    translated as its own segment, so the English a bullet shows says exactly what its
    Norwegian says (the translation memory makes a repeat free). A sentence whose English the
    journalist edited by hand (``Sentence.edited``) is not translated again: the edit is kept,
    and the memory still holds the machine translation for ``revert_translation``.

    Nothing is written into ``article`` (its texts are read when this is called), so a worker
    thread may run it while the window shows the article; the caller applies each batch with
    ``apply_translations``. ``cancel()`` is checked before every model call; the generator then
    just stops, and what was yielded stays valid.
    """
    sentences = [(s.index, s.text) for s in article.sentences if not s.edited]
    bullets = [(i, b.text) for i, b in enumerate(article.bullets) if b.compressed and b.text.strip()]
    return _translated(translator, sentences, bullets, cancel)


def _translated(
    translator: Translator,
    sentences: list[tuple[int, str]],
    bullets: list[tuple[int, str]],
    cancel: CancelFn | None,
) -> Iterator[list[Translated]]:
    hits: set[int] = set()
    for batch in translator.stream([text for _, text in sentences], cancel=cancel, hits=hits):
        yield [Translated(sentences[k][0], english, cached=k in hits) for k, english in batch]
    if not bullets or (cancel is not None and cancel()):
        return
    hits = set()
    for batch in translator.stream([text for _, text in bullets], cancel=cancel, hits=hits):
        yield [Translated(bullets[k][0], english, bullet=True, cached=k in hits) for k, english in batch]


def apply_translations(article: Article, batch: Iterable[Translated]) -> None:
    """Write a batch from ``translate_article`` into ``article`` (a sentence edited by hand
    meanwhile keeps its edit)."""
    for t in batch:
        if t.bullet:
            article.bullets[t.index].translation = t.english
        elif not article.sentences[t.index].edited:
            article.sentences[t.index].translation = t.english


def edit_translation(article: Article, index: int, english: str) -> None:
    """The journalist's own English for sentence ``index``: kept (``edited``) in the session and
    the exports, never replaced by ``translate_article``; a bullet on the sentence shows it.
    Its flags are the old ones until ``check_sentence`` has run on the new text."""
    s = article.sentences[index]
    s.translation = english
    s.edited = True


def revert_translation(article: Article, index: int) -> None:
    """Drop the hand edit of sentence ``index``: the next ``translate_article`` fills in the
    machine translation again (from the translation memory when it has it)."""
    s = article.sentences[index]
    s.edited = False
    s.translation = None
    s.flags, s.flag_details = [], []


# --- fact check --------------------------------------------------------------------------------


@dataclass
class ArticleCheck:
    """What the fact check found: the flag details of every translated sentence, and of every
    compressed bullet that has its own translation."""

    sentences: dict[int, list[FlagDetail]] = field(default_factory=dict)
    bullets: dict[int, list[FlagDetail]] = field(default_factory=dict)


def _known_names(article: Article) -> set[str]:
    from models.summary.facts import known_name_words

    return known_name_words(s.text for s in article.sentences)


def check_article(article: Article) -> ArticleCheck:
    """Fact-check every translated sentence against its source, and every compressed bullet's
    own translation against the compressed Norwegian it translates; ``article`` is not changed."""
    from models.check.factcheck import check_pair

    known = _known_names(article)
    sentences = {
        s.index: check_pair(s.text, s.translation, known)
        for s in article.sentences
        if s.translation is not None
    }
    return ArticleCheck(sentences, _bullet_checks(article, known))


def check_sentence(article: Article, index: int) -> list[FlagDetail]:
    """Fact-check one sentence's English against its Norwegian (e.g. a hand edit, as it is
    typed); ``article`` is not changed. An untranslated sentence has nothing to check."""
    from models.check.factcheck import check_pair

    s = article.sentences[index]
    if s.translation is None:
        return []
    return check_pair(s.text, s.translation, _known_names(article))


def apply_sentence_check(article: Article, index: int, details: list[FlagDetail]) -> None:
    """Set what ``check_sentence`` found for sentence ``index``."""
    s = article.sentences[index]
    s.flag_details = list(details)
    s.flags = [d.flag for d in details]


def _bullet_checks(article: Article, known: set[str]) -> dict[int, list[FlagDetail]]:
    from models.check.factcheck import check_pair

    return {
        i: check_pair(b.text, b.translation, known)
        for i, b in enumerate(article.bullets)
        if b.compressed and b.translation and 0 <= b.sentence < len(article.sentences)
    }


def apply_check(article: Article, check: ArticleCheck) -> None:
    """Set the flags ``check_article`` found (sentences without a translation lose theirs); an
    uncompressed bullet shows its sentence's English (and flags), a compressed one its own."""
    for s in article.sentences:
        details = check.sentences.get(s.index, []) if s.translation is not None else []
        s.flag_details = list(details)
        s.flags = [d.flag for d in details]
    _apply_bullet_checks(article, check.bullets)


def _apply_bullet_checks(article: Article, checks: dict[int, list[FlagDetail]]) -> None:
    for i, b in enumerate(article.bullets):
        if not 0 <= b.sentence < len(article.sentences):
            continue
        if not b.compressed:
            b.translation = article.sentences[b.sentence].translation
            b.flags, b.flag_details = [], []
        else:
            details = checks.get(i, []) if b.translation else []
            b.flag_details = list(details)
            b.flags = [d.flag for d in details]


def check_translation(original: Article, translation_text: str) -> CheckResult:
    """Align an existing English translation with ``original`` and fact-check each pair."""
    from models.check.factcheck import check_aligned

    return check_aligned(original, translation_text)
