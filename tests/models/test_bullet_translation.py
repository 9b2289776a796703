"""Compressed bullets: their own English, the edited sentence winning, JSON, CLI and export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.article import Article
from models.cli import main
from models.export import (
    ExportOptions,
    bullet_english,
    bullet_flag_details,
    bullet_norwegian,
    render_markdown,
)
from models.pipeline import (
    apply_check,
    apply_translations,
    article_from_text,
    check_article,
    summarize_article,
    translate_article,
)
from models.translation.engine import Translator
from models.translation.memory import normalise_sentence

ARTICLE = (
    "Minst 26 regimesoldater ble lørdag drept i provinsen Idlib nordvest i Syria, ifølge SOHR. "
    "Over 370.000 mennesker er drept siden krigen startet i 2011. "
    "Bakholdsangrepet skjedde torsdag, og 27 soldater ble drept, opplyser eksilgruppen lørdag.\n"
)


def _article() -> Article:
    art = article_from_text(ARTICLE)
    summarize_article(art, bullets=3)
    return art


def test_compressed_bullets_get_their_own_translation(tiny_model: Path) -> None:
    art = _article()
    compressed = [b for b in art.bullets if b.compressed]
    assert len(compressed) == 2 and all(b.translation is None for b in compressed)
    translator = Translator(tiny_model, beam_size=1)
    batches = list(translate_article(art, translator))
    # The bullets' own batches come after the sentences.
    kinds = [t.bullet for batch in batches for t in batch]
    assert kinds == sorted(kinds) and kinds.count(True) == len(compressed)
    assert [t.index for batch in batches for t in batch if t.bullet] == [
        k for k, b in enumerate(art.bullets) if b.compressed
    ]
    for batch in batches:
        apply_translations(art, batch)
    assert all(s.translation for s in art.sentences)
    for b in compressed:
        # Exactly the Norwegian shown was the segment: the memory holds its translation.
        assert b.translation == translator.memory.get(translator.memory_key(normalise_sentence(b.text)))
        assert b.translation
    apply_check(art, check_article(art))
    for i, b in enumerate(art.bullets):
        if b.compressed:
            assert bullet_english(art, i) == b.translation
            assert bullet_norwegian(art, i) == b.text
        else:
            assert bullet_english(art, i) == art.sentences[b.sentence].translation
    # Re-summarizing (the window does after an edit) keeps the compressed bullets' English.
    before = [b.translation for b in art.bullets]
    summarize_article(art, bullets=3)
    assert [b.translation for b in art.bullets] == before


def test_edited_sentence_wins_over_the_compressed_translation() -> None:
    art = _article()
    i = next(k for k, b in enumerate(art.bullets) if b.compressed)
    b = art.bullets[i]
    b.translation = "At least 26 soldiers were killed on Saturday in Idlib province."
    s = art.sentences[b.sentence]
    s.translation = "At least 26 regime soldiers were killed, according to SOHR."
    assert bullet_english(art, i) == b.translation
    s.translation, s.edited = "My own words: 26 soldiers killed in Idlib, says SOHR.", True
    assert bullet_english(art, i) == s.translation
    assert bullet_norwegian(art, i) == s.text  # the whole sentence, as the edited English is
    md = render_markdown(art, ExportOptions(date=None))
    assert "My own words" in md and s.text in md
    data = art.to_json()
    assert data["sentences"][b.sentence]["edited"] is True
    back = Article.from_json({**data, "text": art.text})
    assert back.sentences[b.sentence].edited
    assert [(x.compressed, x.spans, x.translation) for x in back.bullets] == [
        (x.compressed, x.spans, x.translation) for x in art.bullets
    ]


def test_a_compressed_translation_is_fact_checked() -> None:
    art = _article()
    i = next(k for k, b in enumerate(art.bullets) if b.compressed and "26" in b.text)
    for s in art.sentences:
        s.translation = s.text  # stand-in English for the sentences (the check is per pair)
    art.bullets[i].translation = "Regime soldiers were killed on Saturday in Idlib province in Syria."
    check = check_article(art)
    assert not art.bullets[i].flags  # the check only reports
    apply_check(art, check)
    flags = [d.flag for d in bullet_flag_details(art, i)]
    assert "number_missing" in flags
    lines = render_markdown(art).splitlines()
    at = lines.index(f"- {art.bullets[i].translation} ⚠")  # the warning sits under its bullet
    assert any(line.startswith("  - ⚠ alarm:") for line in lines[at + 1 : at + 4])


def test_cli_translate_json_compressed_bullets(
    tmp_path: Path, tiny_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "a.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    assert main(["translate", str(path), "--model", str(tiny_model), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    bullets = data["bullets"]
    assert any(b["compressed"] for b in bullets)
    for b in bullets:
        sentence = data["sentences"][b["sentence"]]
        assert isinstance(b["translation"], str) and b["translation"].strip()
        if not b["compressed"]:
            assert b["translation"] == sentence["translation"]
        assert all(sentence["start"] <= s <= e <= sentence["end"] for s, e in b["spans"])
        assert set(b["flags"]) == {d["flag"] for d in b["flag_details"]}
