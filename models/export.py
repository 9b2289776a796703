"""Export of an article's summary to plain text or Markdown, shared by the GUI and the CLI.

Qt-free on purpose: the headless CLI and the desktop app must write the very same file (``nordbrief
summarize|translate --format md`` and the GUI's Export all render here). Every export carries
provenance (where the text came from, which model translated it, when) and, once any English is
in it, a machine-translation notice, because a journalist may forward the file without the app
around it.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from models.article import Article, FlagDetail, Sentence, severity
from models.files import write_output

MT_NOTICE = (
    "Machine translation: the English text was produced by a local translation model and may "
    "contain errors. Check names, numbers and quotes against the Norwegian original."
)
NOT_TRANSLATED = "(not translated yet; Norwegian original)"
FORMATS = ("text", "markdown")


@dataclass
class ExportOptions:
    """What goes into an export besides the bullets, warnings and provenance (always present)."""

    include_source: bool = True  # the Norwegian source sentence under each bullet
    include_translation: bool = False  # the full English translation
    include_original: bool = False  # the full Norwegian original
    # The 0-based sentence index after each bullet (as in the JSON output), so a reader of a
    # summary-only report can find the bullet's sentence in ``nordbrief segment`` output.
    sentence_refs: bool = False
    # Mark untranslated bullets with NOT_TRANSLATED. ``summarize`` never translates, so there the
    # Norwegian bullet is the expected content and the note would only be noise.
    untranslated_note: bool = True
    date: _dt.date | None = None  # export date; None = today (tests pass a fixed one)

    def export_date(self) -> _dt.date:
        return self.date or _dt.date.today()


def article_title(article: Article) -> str:
    """The title shown in exports: metadata title, headline, else the first sentence shortened."""
    for candidate in (article.source.title, article.title):
        if candidate and candidate.strip():
            return " ".join(candidate.split())
    if article.sentences:
        first = " ".join(article.sentences[0].text.split())
        return first if len(first) <= 80 else first[:77].rstrip() + "…"
    return "Untitled article"


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def headline_sentence(article: Article) -> Sentence | None:
    """The sentence that is the article's headline: the one whose text is the title, else a
    heading before the first body sentence."""
    title = article.source.title or article.title
    if title:
        want = _norm(title)
        for s in article.sentences:
            if _norm(s.text) == want:
                return s
    for s in article.sentences:
        if not s.heading:
            break
        if len(s.text.split()) > 1 or not s.text.rstrip().endswith("|"):  # not a bare kicker
            return s
    return None


def export_title(article: Article) -> str:
    """An export's title: the headline's English once it is translated (the Norwegian headline
    then goes into the provenance), else ``article_title``."""
    s = headline_sentence(article)
    if s is not None and s.translation and s.translation.strip():
        return " ".join(s.translation.split())
    titled = any(c and c.strip() for c in (article.source.title, article.title))
    if not titled and article.sentences and (article.sentences[0].translation or "").strip():
        # No headline: the title is the first sentence shortened, so in English its English.
        first = " ".join((article.sentences[0].translation or "").split())
        return first if len(first) <= 80 else first[:77].rstrip() + "…"
    return article_title(article)


def _shows_sentence(article: Article, index: int) -> bool:
    """Whether bullet ``index`` shows its whole sentence's English rather than its own: the
    sentence's English was edited by hand, or the bullet's compression is not translated yet."""
    bullet = article.bullets[index]
    s = _sentence(article, bullet.sentence)
    if s is None or not s.translation:
        return False
    return s.edited or (bullet.compressed and not bullet.translation)


def bullet_english(article: Article, index: int) -> str | None:
    """The English shown for bullet ``index``: a hand-edited sentence translation first (the
    journalist's words win), else the bullet's own translation, else its sentence's."""
    bullet = article.bullets[index]
    if _shows_sentence(article, index):
        return article.sentences[bullet.sentence].translation
    if bullet.translation:
        return bullet.translation
    s = _sentence(article, bullet.sentence)
    return s.translation if s is not None and not bullet.compressed else None


def bullet_norwegian(article: Article, index: int) -> str:
    """The Norwegian that ``bullet_english`` translates (the whole sentence when that is shown)."""
    bullet = article.bullets[index]
    if _shows_sentence(article, index):
        return article.sentences[bullet.sentence].text
    return bullet.text


def bullet_flag_details(article: Article, index: int) -> list[FlagDetail]:
    """Fact-check details of the English shown for bullet ``index``."""
    bullet = article.bullets[index]
    s = _sentence(article, bullet.sentence)
    if bullet.compressed and bullet.translation and not _shows_sentence(article, index):
        return list(bullet.flag_details) or [FlagDetail(f, f.replace("_", " ")) for f in bullet.flags]
    if s is None:
        return []
    return list(s.flag_details) or [FlagDetail(f, f.replace("_", " ")) for f in s.flags]


def has_translation(article: Article) -> bool:
    """Whether any English is in the article: only then does an export need the MT notice."""
    return any(b.translation for b in article.bullets) or any(s.translation for s in article.sentences)


def _sentence(article: Article, index: int) -> Sentence | None:
    return article.sentences[index] if 0 <= index < len(article.sentences) else None


def fact_warnings(article: Article) -> list[str]:
    """One line per flag on what a bullet shows, in bullet order, with what the flag is sure of:
    "Bullet 2 (alarm): number '35' became '53'", "Bullet 3 (info): '25 cm' is given as ..."."""
    return [line for _severity, line in _fact_notes(article)]


def _fact_notes(article: Article) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    for i in range(len(article.bullets)):
        for d in bullet_flag_details(article, i):
            lines.append((d.severity, f"Bullet {i + 1} ({d.severity}): {d.detail}"))
    return lines


def _needs_check(flags: list[str]) -> bool:
    """A bullet is marked for checking on an alarm or a warning; information alone is no doubt."""
    return severity(flags) in ("alarm", "warning")


def translation_text(article: Article, *, keep_untranslated: bool = False) -> str:
    """The English translation paragraph by paragraph; an untranslated sentence is left out, or
    kept in Norwegian with ``keep_untranslated`` (``nordbrief translate``'s text output)."""
    paras: list[str] = []
    for p in article.paragraphs:
        sentences = [article.sentences[i] for i in p.sentences]
        parts = [s.translation or (s.text if keep_untranslated else "") for s in sentences]
        text = " ".join(t.strip() for t in parts if t and t.strip())
        if text:
            paras.append(text)
    return "\n\n".join(paras)


def default_filename(article: Article, date: _dt.date | None = None, fmt: str = "markdown") -> str:
    """A safe file name from the title and date, e.g. ``is-angrep-i-syria-2025-11-25.md``."""
    slug = slugify(article_title(article))[:60].strip("-") or "nordbrief-summary"
    ext = ".md" if fmt == "markdown" else ".txt"
    return f"{slug}-{(date or _dt.date.today()).isoformat()}{ext}"


_FOLD = str.maketrans({"æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "å": "a", "Å": "A", "ß": "ss"})


def slugify(text: str) -> str:
    """ASCII, lower case, dashes: no path separators or shell-special characters survive."""
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD))
    ascii_only = folded.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")


def _source_row(article: Article) -> tuple[str, str] | None:
    """Where the text came from, without local folders: a file by its name only (the file
    system layout of the journalist's computer is nobody's business), else "pasted text"."""
    src = article.source
    if src.file and src.file != "-":
        return ("Source file", Path(src.file).name or src.file)
    if src.url:
        return None  # the URL row says it
    return ("Source", "standard input" if src.file == "-" else "pasted text")


def _model_name(article: Article) -> str:
    m = article.model
    assert m is not None
    # A catalog model by its name (sessions saved before ``origin`` existed too), else no folder.
    name = "imported model" if m.origin == "imported" else m.name
    return name + (f" (revision {m.revision})" if m.revision else "")


def _provenance(article: Article, options: ExportOptions) -> list[tuple[str, str]]:
    src = article.source
    rows: list[tuple[str, str]] = []
    source = _source_row(article)
    if source is not None:
        rows.append(source)
    if src.url:
        rows.append(("Source URL", src.url))
    title = export_title(article)
    original_title = article_title(article)
    if title != original_title:
        rows.append(("Original title", original_title))
    if src.site:
        rows.append(("Publication", src.site))
    if src.author:
        rows.append(("Author", src.author))
    if src.date:
        rows.append(("Published", src.date))
    if article.model:
        m = article.model
        model = _model_name(article)
        if m.license:
            model += f", license {m.license}"
        rows.append(("Translation model", model))
        if m.attribution:
            rows.append(("Model attribution", m.attribution))
    elif any(s.translation for s in article.sentences):
        rows.append(("Translation model", "none (the English was written by hand)"))
    else:
        rows.append(("Translation model", "none (not translated)"))
    edited = [s.index for s in article.sentences if s.edited and s.translation is not None]
    if edited:
        total = len(article.sentences)
        rows.append(("Edited by hand", f"the English of {len(edited)} of {total} sentences"))
    rows.append(("Exported", options.export_date().isoformat()))
    return rows


@dataclass
class _BulletLine:
    main: str  # English, else the Norwegian fallback
    norwegian: str | None  # the source sentence shown under the bullet, if any
    flagged: bool
    sentence: int
    edited: bool  # the English shown is the journalist's own
    notes: list[FlagDetail]  # the fact check of what the bullet shows, printed under it


def _bullet_lines(article: Article, options: ExportOptions) -> list[_BulletLine]:
    out: list[_BulletLine] = []
    for i, bullet in enumerate(article.bullets):
        english = bullet_english(article, i)
        norwegian = " ".join(bullet_norwegian(article, i).split())
        details = bullet_flag_details(article, i)
        flagged = _needs_check([d.flag for d in details])
        s = _sentence(article, bullet.sentence)
        edited = bool(english and s is not None and s.edited and _shows_sentence(article, i))
        if english:
            source = norwegian if options.include_source else None
            out.append(
                _BulletLine(" ".join(english.split()), source, flagged, bullet.sentence, edited, details)
            )
        else:
            main = f"{norwegian} {NOT_TRANSLATED}" if options.untranslated_note else norwegian
            out.append(_BulletLine(main, None, flagged, bullet.sentence, False, details))
    return out


@dataclass(frozen=True)
class _Style:
    """How one output format writes the summary's parts (the parts and their order are shared)."""

    title: Callable[[str], list[str]]
    section: Callable[[str], list[str]]
    notice: str  # "{}" = the machine-translation notice
    bullet: str  # "{main}{flag}{ref}"
    flag: str
    ref: str  # "{n}" = the sentence index
    edited: str  # after a bullet whose English was edited by hand
    norwegian: str
    note: dict[str, str]  # severity -> a fact-check line under its bullet ("{}" = severity: detail)
    none: dict[str, str]  # what stands in an empty part: "bullets", "translation"
    row: str  # "{k}", "{v}": a provenance row


def _underline(title: str, char: str) -> list[str]:
    return [title, char * max(3, len(title))]


MARKDOWN = _Style(
    title=lambda t: [f"# {t}"],
    section=lambda h: [f"## {h}"],
    notice="> {}",
    bullet="- {main}{flag}{ref}",
    flag=" ⚠",
    ref=" _(sentence {n})_",
    edited=" _(edited by hand)_",
    norwegian="  - _Norwegian:_ {}",
    note={"info": "  - ℹ {}", "other": "  - ⚠ {}"},
    none={"bullets": "_No key facts found._", "translation": "_Not translated._"},
    row="- **{k}:** {v}",
)
TEXT = _Style(
    title=lambda t: _underline(t, "="),
    section=lambda h: _underline(h, "-"),
    notice="{}",
    bullet="* {main}{flag}{ref}",
    flag=" [check: fact warning]",
    ref=" [sentence {n}]",
    edited=" [edited by hand]",
    norwegian="    Norwegian: {}",
    note={"info": "    i {}", "other": "    ! {}"},
    none={"bullets": "No key facts found.", "translation": "Not translated."},
    row="{k}: {v}",
)


def _render(article: Article, options: ExportOptions | None, style: _Style) -> str:
    """Title, MT notice, key facts (each with its fact-check notes), optional translation and
    original, provenance."""
    options = options or ExportOptions()
    lines = [*style.title(export_title(article)), ""]
    if has_translation(article):
        lines += [style.notice.format(MT_NOTICE), ""]
    lines += [*style.section("Key facts"), ""]
    bullets = _bullet_lines(article, options)
    if not bullets:
        lines.append(style.none["bullets"])
    for b in bullets:
        ref = style.ref.format(n=b.sentence) if options.sentence_refs else ""
        flag = (style.flag if b.flagged else "") + (style.edited if b.edited else "")
        lines.append(style.bullet.format(main=b.main, flag=flag, ref=ref))
        if b.norwegian:
            lines.append(style.norwegian.format(b.norwegian))
        for d in b.notes:
            kind = "info" if d.severity == "info" else "other"
            lines.append(style.note[kind].format(f"{d.severity}: {d.detail}"))
    if options.include_translation:
        lines += [
            "",
            *style.section("Translation"),
            "",
            translation_text(article) or style.none["translation"],
        ]
    if options.include_original:
        lines += ["", *style.section("Original (Norwegian)"), "", article.text.strip()]
    lines += ["", *style.section("Provenance"), ""]
    lines += [style.row.format(k=k, v=v) for k, v in _provenance(article, options)]
    return "\n".join(lines).rstrip() + "\n"


def render_markdown(article: Article, options: ExportOptions | None = None) -> str:
    return _render(article, options, MARKDOWN)


def render_text(article: Article, options: ExportOptions | None = None) -> str:
    return _render(article, options, TEXT)


def format_for_path(path: str | Path) -> str:
    """``.md``/``.markdown`` -> Markdown, anything else -> plain text."""
    return "markdown" if Path(path).suffix.lower() in {".md", ".markdown"} else "text"


def export_summary(article: Article, path: str | Path, options: ExportOptions | None = None) -> Path:
    """Render by the file's extension and write atomically (OutputError, exit 5, on failure).

    The file gets ordinary permissions (a new one: 0666 less the umask, as any editor would
    create it; a replaced one: its old mode), not the temporary file's private 0600: an export
    is meant to be shared."""
    target = Path(path)
    render = render_markdown if format_for_path(target) == "markdown" else render_text
    write_output(target, render(article, options))
    return target
