"""Export: content, options, provenance, file names and atomic writes (Qt-free)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from models import export
from models.article import Bullet, FlagDetail, ModelInfo
from models.errors import OutputError
from models.pipeline import article_from_text

TEXT = (
    "Ny bro åpnet i Bergen\n\n"
    "Bergen kommune åpnet mandag en ny bro. Broen kostet 410 millioner kroner.\n\n"
    "Trafikken vil øke med 30 prosent."
)
DAY = dt.date(2025, 11, 25)


def _article(translated: bool = True):
    art = article_from_text(TEXT, file="/news/bro.txt")
    if translated:
        for s in art.sentences:
            s.translation = f"English {s.index}."
        art.model = ModelInfo(
            name="gmq-en-base", revision="abc123", license="Apache-2.0", attribution="Helsinki-NLP"
        )
    art.bullets = [
        Bullet(sentence=2, text=art.sentences[2].text, score=1.0),
        Bullet(sentence=3, text=art.sentences[3].text, score=0.5),
    ]
    art.sentences[2].flags = ["number_missing"]
    art.sentences[2].flag_details = [FlagDetail("number_missing", "410 is missing in the translation")]
    return art


def test_markdown_has_title_bullets_sources_warnings_and_provenance() -> None:
    art = _article()
    md = export.render_markdown(art, export.ExportOptions(date=DAY))
    lines = md.splitlines()
    assert lines[0] == "# English 0."  # the headline's English; the Norwegian in the provenance
    assert "- **Original title:** Ny bro åpnet i Bergen" in lines
    first = lines.index("- English 2. ⚠")
    # The bullet, its Norwegian, then its fact warning right under it (no separate section).
    assert lines[first + 1 : first + 3] == [
        "  - _Norwegian:_ Broen kostet 410 millioner kroner.",
        "  - ⚠ alarm: 410 is missing in the translation",
    ]
    assert "- English 3." in lines and "Fact warnings" not in md
    assert "- **Source file:** bro.txt" in lines and "/news" not in md  # no local folders
    assert "- **Translation model:** gmq-en-base (revision abc123), license Apache-2.0" in lines
    assert "- **Exported:** 2025-11-25" in lines
    assert export.MT_NOTICE in md
    assert "## Translation" not in md and "## Original" not in md


def test_options_add_translation_and_original_and_drop_sources() -> None:
    art = _article()
    opts = export.ExportOptions(
        include_source=False, include_translation=True, include_original=True, date=DAY
    )
    md = export.render_markdown(art, opts)
    assert "_Norwegian:_" not in md
    assert "English 1. English 2.\n\nEnglish 3." in md
    assert art.text.strip() in md
    txt = export.render_text(art, opts)
    assert txt.startswith("English 0.\n=====")
    assert "* English 2. [check: fact warning]\n    ! alarm: 410 is missing" in txt
    assert "Translation model: gmq-en-base" in txt
    assert "#" not in txt.split("Original (Norwegian)")[0]


def test_untranslated_bullets_fall_back_to_norwegian_with_a_note() -> None:
    art = _article(translated=False)
    txt = export.render_text(art, export.ExportOptions(date=DAY))
    assert f"* {art.sentences[3].text} {export.NOT_TRANSLATED}" in txt
    assert "Translation model: none (not translated)" in txt


def test_no_translation_means_no_mt_notice_and_options_drop_the_note() -> None:
    art = _article(translated=False)
    opts = export.ExportOptions(date=DAY, sentence_refs=True, untranslated_note=False)
    for render in (export.render_markdown, export.render_text):
        plain = render(art, export.ExportOptions(date=DAY))
        assert export.MT_NOTICE not in plain and export.NOT_TRANSLATED in plain
        out = render(art, opts)
        assert export.NOT_TRANSLATED not in out
        for b in art.bullets:
            line = next(x for x in out.splitlines() if b.text in x)
            assert f"sentence {b.sentence}" in line
    # One English sentence is enough to need the notice.
    art.sentences[0].translation = "New bridge opened in Bergen"
    assert export.MT_NOTICE in export.render_markdown(art, opts)
    assert export.MT_NOTICE in export.render_text(art, opts)


def test_default_filename_is_a_safe_slug_with_the_date() -> None:
    art = _article()
    assert export.default_filename(art, DAY) == "ny-bro-apnet-i-bergen-2025-11-25.md"
    assert export.default_filename(art, DAY, fmt="text").endswith(".txt")
    art.source.title = art.title = "../../etc/passwd; rm -rf ~ | «Ærlig talt»"
    name = export.default_filename(art, DAY)
    assert "/" not in name and ";" not in name and name.startswith("etc-passwd-rm-rf-aerlig-talt-")


def test_export_summary_picks_format_by_extension_and_replaces_atomically(tmp_path: Path) -> None:
    art = _article()
    opts = export.ExportOptions(date=DAY)
    md = export.export_summary(art, tmp_path / "a.md", opts)
    txt = export.export_summary(art, tmp_path / "a.txt", opts)
    assert md.read_text(encoding="utf-8") == export.render_markdown(art, opts)
    assert txt.read_text(encoding="utf-8") == export.render_text(art, opts)
    with pytest.raises(OutputError):
        export.export_summary(art, tmp_path / "missing-dir" / "a.md", opts)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md", "a.txt"]  # no temp files left
