"""Fact check of translations: hand-written pairs, the human translation, corrupted copies."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.article import FLAGS
from models.check.factcheck import _repetition, check_pair, name_present
from models.pipeline import apply_check, article_from_text, check_article, check_translation
from models.summary.facts import extract_from_text


def _flags(nb: str, en: str) -> list[str]:
    return [d.flag for d in check_pair(nb, en)]


@pytest.mark.parametrize(
    ("nb", "en"),
    [
        (
            "Over 370.000 mennesker er drept, og 12 millioner er på flukt.",
            "Over 370,000 people have been killed and 12 million have fled.",
        ),
        ("Prisen steg med 2,5 prosent i fjor.", "The price rose by 2.5% last year."),
        ("Assad har gjenerobret rundt 60 prosent av Syria.", "Assad has retaken around 60 percent of Syria."),
        ("Tolv personer ble skadet fredag i Damaskus.", "Twelve people were injured on Friday in Damascus."),
        (
            "Avtalen ble fremforhandlet av Russland og Tyrkia.",
            "The agreement was negotiated by Russia and Turkey.",
        ),
        (
            "Assads styrker er al-Qaidas fiender, sier USA.",
            "Assad's forces are al-Qaeda's enemies, says the US.",
        ),
        ("Fire offiserer og to soldater døde i mars.", "Four officers and two soldiers died in March."),
    ],
)
def test_correct_pairs_raise_nothing(nb: str, en: str) -> None:
    assert check_pair(nb, en) == []


@pytest.mark.parametrize(
    ("nb", "en", "expected"),
    [
        ("Totalt 35 soldater ble drept.", "A total of 36 soldiers were killed.", ["number_changed"]),
        ("Totalt 35 soldater ble drept torsdag.", "Soldiers were killed on Thursday.", ["number_missing"]),
        ("Det skjedde torsdag.", "It happened on Friday.", ["number_changed"]),
        ("Over 370.000 er drept.", "Over 37,000 have been killed.", ["number_changed"]),
        ("Prisen steg med 2,5 prosent.", "The price rose by 25 percent.", ["number_changed"]),
        ("Militsen Liwa al-Quds sier de lyktes.", "The militia says it succeeded.", ["name_missing"]),
        (
            "Avtalen ble fremforhandlet av Russland og Tyrkia.",
            "The agreement was negotiated by Turkey.",
            ["name_missing"],
        ),
        (
            "Regjeringen vil bygge flere veier i hele landet neste år.",
            "Regjeringen vil bygge flere veier i hele landet neste år.",
            ["copied_input"],
        ),
        (
            "Krigen fortsetter i nord.",
            "The war continues in the north of the war of the war of the war of the war.",
            ["repetition", "length_ratio"],
        ),
        ("Krigen fortsetter i nord og sør, sier kildene til avisen.", "War.", ["length_ratio"]),
    ],
)
def test_wrong_pairs_raise_exactly_the_expected_flags(nb: str, en: str, expected: list[str]) -> None:
    details = check_pair(nb, en)
    assert [d.flag for d in details] == expected
    assert all(d.detail for d in details)
    assert all(d.flag in FLAGS for d in details)


def test_name_matching_handles_exonyms_and_fuzzy_spelling() -> None:
    assert name_present("Damaskus", "the capital Damascus")
    assert name_present("Irak", "to the Iraqi border")
    assert name_present("Syria", "Syrian wing")
    assert not name_present("Homs", "in the province")


def _pairs(seed_article: Path, english: str):
    original = article_from_text(seed_article.read_text("utf-8"))
    return check_translation(original, english).pairs


def test_human_translation_raises_no_number_or_name_flag(seed_article: Path) -> None:
    english = seed_article.with_name("syria-is-attacks.en.txt").read_text("utf-8")
    pairs = _pairs(seed_article, english)
    assert len(pairs) == 25
    assert all(len(p.source) == 1 and len(p.translation) == 1 for p in pairs)
    assert [p.flags for p in pairs if p.flags] == []


@pytest.mark.parametrize(
    ("old", "new", "sentence", "flag"),
    [
        ("a total of 35 soldiers", "a total of 53 soldiers", 1, "number_changed"),
        ("More than 370,000 people", "More than 37,000 people", 7, "number_changed"),
        ("around 60 percent of Syria", "around 50 percent of Syria", 8, "number_changed"),
        ("with a total of 500 soldiers ", "with soldiers ", 15, "number_missing"),
        ("the militia, Liwa al-Quds, says", "the militia says", 16, "name_missing"),
        ("by Russia and Turkey", "by Turkey", 5, "name_missing"),
        ("in Deir al-Zor province", "in the province", 19, "name_missing"),
    ],
)
def test_corrupted_translation_raises_exactly_the_expected_flag(
    seed_article: Path, old: str, new: str, sentence: int, flag: str
) -> None:
    english = seed_article.with_name("syria-is-attacks.en.txt").read_text("utf-8")
    assert old in english
    pairs = _pairs(seed_article, english.replace(old, new, 1))
    flagged = [(p.source, p.flags) for p in pairs if p.flags]
    assert flagged == [([sentence], [flag])]


def test_dropped_sentence_is_flagged_and_rest_stays_aligned(seed_article: Path) -> None:
    english = seed_article.with_name("syria-is-attacks.en.txt").read_text("utf-8")
    dropped = " IS claimed responsibility for the attack."
    assert dropped in english
    pairs = _pairs(seed_article, english.replace(dropped, "", 1))
    flagged = [p for p in pairs if p.flags]
    # Gale-Church either merges 16+17 -> 16 (and the lost "IS" shows) or leaves 17 unaligned.
    assert len(flagged) == 1 and 17 in flagged[0].source
    assert flagged[0].flags in (["unaligned"], ["name_missing"])
    others = [p for p in pairs if p is not flagged[0]]
    assert all(len(p.source) == 1 and p.source == p.translation for p in others if p.source[0] < 16)


def test_extra_paragraph_is_unaligned(seed_article: Path) -> None:
    english = seed_article.with_name("syria-is-attacks.en.txt").read_text("utf-8")
    marker = "IS ambush\n"
    assert marker in english
    extra = "Editor's note: this story was updated with new figures from the observatory later that day.\n\n"
    pairs = _pairs(seed_article, english.replace(marker, extra + marker, 1))
    flagged = [p for p in pairs if p.flags]
    # Either a 0-1 pair, or a 1-2 merge whose English is far too long for its original.
    assert len(flagged) == 1 and "Editor's note" in flagged[0].translation_text
    assert flagged[0].flags in (["unaligned"], ["length_ratio"])
    assert sum(len(p.source) for p in pairs) == 25


def test_check_article_returns_the_flags_and_apply_check_sets_them(seed_article: Path) -> None:
    art = article_from_text(seed_article.read_text("utf-8"))
    english = article_from_text(seed_article.with_name("syria-is-attacks.en.txt").read_text("utf-8"))
    for s, e in zip(art.sentences, english.sentences, strict=True):
        s.translation = e.text
    art.sentences[1].translation = art.sentences[1].translation.replace("35", "53")
    check = check_article(art)
    assert not any(s.flags for s in art.sentences)  # the check only reports
    assert [i for i, details in check.sentences.items() if details] == [1]
    apply_check(art, check)
    assert [(s.index, s.flags) for s in art.sentences if s.flags] == [(1, ["number_changed"])]
    assert "35" in art.sentences[1].flag_details[0].detail


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We saw the war the war the war at home.", "'the war' repeats 3 times in a row"),
        ("It was very very very very bad.", "'very' repeats 4 times in a row"),
        ("It was very very very bad.", None),  # one word needs four in a row
        # A phrase recurring with other words between is speech, not a decoding loop.
        ("He said no and she said no and they said no and we said no.", None),
        (
            "one two three four, then one two three four, again one two three four",
            "'one two three four' occurs 3 times",
        ),
        ("", None),
    ],
)
def test_repetition_reports_the_first_loop(text: str, expected: str | None) -> None:
    assert _repetition(text) == expected


def test_weekdays_and_numbers_in_capitals_and_without_digits() -> None:
    facts = extract_from_text("Kampen spilles LØRDAG, og tretten spillere er med.", "nb")
    assert ("date", "saturday") in [(f.kind, f.value) for f in facts]
    assert ("number", 13) in [(f.kind, f.value) for f in facts]
