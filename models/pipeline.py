"""The engine API shared by the CLI and the GUI: load, segment, summarize, translate, check.

Widgets and CLI commands call these functions rather than the lower modules, so both paths
behave the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from models.article import Article, Source
from models.segment import segment

if TYPE_CHECKING:
    from models.factcheck import CheckResult
    from models.translate import Translator


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
        from models.importer import headline_of

        article.title = headline_of(text)
    if article.source.title is None:
        article.source.title = article.title
    _identify_language(article)
    return article


def _identify_language(article: Article) -> None:
    from models.langid import detect_language, language_warning

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
    from models.importer import import_file, is_url

    if is_url(path):
        return load_url(path)
    imp = import_file(path)
    return article_from_text(imp.text, warnings=imp.warnings, source=imp.source)


def load_url(url: str) -> Article:
    """Fetch an http(s) link (timeout, size cap, redirects) and import the page; NetworkError = exit 4."""
    from models.importer import import_url

    imp = import_url(url)
    return article_from_text(imp.text, warnings=imp.warnings, source=imp.source)


def article_from_html(html: str, url: str | None = None) -> Article:
    """An article from HTML, e.g. the clipboard's text/html: same extraction as a saved page."""
    from models.importer import extract_html

    imp = extract_html(html, url, name="pasted HTML")
    return article_from_text(imp.text, warnings=imp.warnings, source=imp.source)


def article_from_clipboard(html: str | None, text: str | None) -> Article:
    """Paste: the clipboard's HTML through the page extraction when it has any, else its plain text.

    ``html``/``text`` are what the clipboard offers (``QMimeData.html()``/``.text()``; empty or
    None when absent). Raises ``InputError`` when neither holds any text.
    """
    from models.errors import InputError

    if html and html.strip():
        try:
            return article_from_html(html)
        except InputError:
            if not (text and text.strip()):
                raise
    if not (text and text.strip()):
        raise InputError("the clipboard holds no text")
    return article_from_text(text.replace("\r\n", "\n").replace("\r", "\n"))


# --- key facts and fact checks (summarizer issue) ----------------------------------------------


def summarize_article(article: Article, bullets: int = 5, order: str = "article") -> None:
    """Fill ``article.facts`` and ``article.bullets`` (bullets carry translations when present).

    A compressed bullet keeps the English it had when the same text was a bullet before (the
    window re-summarizes after every edit); others get theirs from ``translate_article``.
    """
    from models.facts import extract_facts
    from models.summarize import summarize

    known = {b.text: b.translation for b in article.bullets if b.compressed and b.translation}
    article.facts = extract_facts(article)
    article.bullets = summarize(article, bullets=bullets, order=order, facts=article.facts)
    for b in article.bullets:
        if b.compressed and b.text in known:
            b.translation = known[b.text]
    if known:
        check_bullets(article)


def check_article(article: Article) -> None:
    """Fact-check every translated sentence (flags + details) and refresh bullet translations."""
    from models.factcheck import check_sentences

    check_sentences(article)
    check_bullets(article)


def check_bullets(article: Article) -> None:
    """An uncompressed bullet shows its sentence's English (and flags); a compressed one its own
    translation, fact-checked against the compressed Norwegian it translates."""
    from models.factcheck import check_pair
    from models.facts import known_name_words

    known: set[str] | None = None
    for b in article.bullets:
        if not 0 <= b.sentence < len(article.sentences):
            continue
        if not b.compressed:
            b.translation = article.sentences[b.sentence].translation
            b.flags, b.flag_details = [], []
        elif b.translation:
            if known is None:
                known = known_name_words(s.text for s in article.sentences)
            b.flag_details = check_pair(b.text, b.translation, known)
            b.flags = [d.flag for d in b.flag_details]
        else:
            b.flags, b.flag_details = [], []


def check_translation(original: Article, translation_text: str) -> CheckResult:
    """Align an existing English translation with ``original`` and fact-check each pair."""
    from models.factcheck import check_aligned

    return check_aligned(original, translation_text)


# --- translation (translation engine issue) -----------------------------------------------------


def translate_article(
    article: Article, translator: Translator, *, cancel: Callable[[], bool] | None = None
) -> Iterator[list[int]]:
    """Fill ``Sentence.translation`` in document order; yield the indices filled per batch.

    After the sentences, each compressed bullet's Norwegian is translated as its own segment
    (``Bullet.translation``; those batches yield ``[]``), so the English a bullet shows says
    exactly what its Norwegian says; the translation memory makes a repeat free.

    A generator so the GUI can show progress and cancel between batches (``cancel()`` is checked
    before every model call; the generator then just stops, leaving later sentences untouched).
    """
    texts = [s.text for s in article.sentences]
    for batch in translator.stream(texts, cancel=cancel):
        for index, translation in batch:
            article.sentences[index].translation = translation
        yield [index for index, _ in batch]
    yield from translate_bullets(article, translator, cancel=cancel)


def translate_bullets(
    article: Article, translator: Translator, *, cancel: Callable[[], bool] | None = None
) -> Iterator[list[int]]:
    """Translate the text of every compressed bullet (yields ``[]`` per batch)."""
    todo = [b for b in article.bullets if b.compressed and b.text.strip()]
    if not todo or (cancel is not None and cancel()):
        return
    for batch in translator.stream([b.text for b in todo], cancel=cancel):
        for k, translation in batch:
            todo[k].translation = translation
        yield []
