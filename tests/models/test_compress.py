"""Sentence compression for bullets: what may go, and what must never go."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.summary.compress import NEGATIONS, compress, drop_opener

SEED_FIRST = (
    "President Bashar al-Assads styrker har ikke lidd så høye tap siden den ytterliggående "
    "islamistgruppa IS ble erklært nedkjempet i landsbyen Baghouz i mars, fastslår Syrian "
    "Observatory for Human Rights (SOHR)."
)


def _joined(text: str, spans: list[tuple[int, int]]) -> str:
    return "".join(text[a:b] for a, b in spans)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (SEED_FIRST, SEED_FIRST.split(", fastslår")[0] + "."),
        (
            "Minst 26 regimesoldater ble lørdag drept i provinsen Idlib nordvest i landet, ifølge SOHR.",
            "Minst 26 regimesoldater ble lørdag drept i provinsen Idlib nordvest i landet.",
        ),
        (
            "Bakholdsangrepet utløste kamper der 27 soldater ble drept, opplyser den London-baserte "
            "eksilgruppen lørdag.",
            "Bakholdsangrepet utløste kamper der 27 soldater ble drept.",
        ),
        (
            "Siden torsdag har IS-krigere ifølge SOHR drept totalt 35 soldater i Syria.",
            "Siden torsdag har IS-krigere drept totalt 35 soldater i Syria.",
        ),
        (
            "Tre trommer, to cymbaler (også i plast) og en basspedal utgjør riggen.",
            "Tre trommer, to cymbaler og en basspedal utgjør riggen.",
        ),
        (
            "Fagforeningen Central Única de Trabajadores (CUT) krever en ny grunnlov.",
            "Fagforeningen Central Única de Trabajadores krever en ny grunnlov.",
        ),
    ],
)
def test_safe_cuts(sentence: str, expected: str) -> None:
    out = compress(sentence)
    assert out.text == expected
    assert out.changed
    assert _joined(sentence, out.spans) == out.text


@pytest.mark.parametrize(
    "sentence",
    [
        # A quote's speaker stays, with dialogue dash or guillemets.
        "- Vi har jobbet hardt for dette i mange år, opplyser Appathurai.",
        "«Dette er en katastrofe for hele regionen», melder NTB.",
        # Speech and opinion verbs name who claims it: dropping them turns a claim into a fact.
        "Over 450 mennesker ble arrestert under demonstrasjonene, sier politiet.",
        "Skatten må økes for alle med høy inntekt, mener Frp.",
        # A number, a negation or a further clause in the tail.
        "Angrepet skjedde i natt nær grensen, opplyser politiet klokken 12.",
        "Det var et angrep på byen, bekrefter ikke forsvaret.",
        "Hæren rykket inn i byen i natt, skriver NTB, som viser til lokale kilder.",
        # Ages and party labels are facts; a parenthetical at the start is not an aside.
        "Kreftsyke Hannah Jones (13) overbeviste britiske helsemyndigheter.",
        "Tønsberg-ordfører Per Arne Olsen (Frp) har fått nytt hjerte.",
        # Nothing would be left.
        "Han kom, melder NTB.",
    ],
)
def test_what_must_stay(sentence: str) -> None:
    out = compress(sentence)
    assert out.text == sentence and not out.changed
    assert out.spans == [(0, len(sentence))]


def test_openers() -> None:
    plain = compress("Samtidig har hun en siste drøm om å reise til USA.")
    out = drop_opener(plain, "")
    assert out.text == "Hun har en siste drøm om å reise til USA."
    # Spans point at "hun", "har" and the rest, in the order shown.
    src = "Samtidig har hun en siste drøm om å reise til USA."
    assert [src[a:b] for a, b in out.spans] == ["hun", "har", "en siste drøm om å reise til USA."]
    assert (
        drop_opener(compress("Men nå har et selskap meldt seg."), "").text == "Nå har et selskap meldt seg."
    )
    # A time phrase goes only when another bullet already says when.
    timed = compress("Lørdag sa han at mange soldater var drept.")
    assert drop_opener(timed, "Angrepet kom lørdag kveld.").text == "Han sa at mange soldater var drept."
    assert drop_opener(timed, "Angrepet kom fredag.").text == timed.text
    # "de" may be a determiner ("de to landene"): no swap, nothing dropped.
    det = compress("Deretter vil de to nye landene delta på toppmøtet.")
    assert drop_opener(det, "").text == det.text


_WORDS = ["Soldatene", "ble", "drept", "i", "Idlib", "lørdag", "35", "2,5", "ikke", "aldri", "NTB"]
_TAILS = [
    ", ifølge SOHR",
    ", opplyser politiet",
    ", melder NTB",
    ", sier han",
    " (SOHR)",
    " (13)",
    " (også her)",
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=14),
    st.lists(st.sampled_from(_TAILS), max_size=3),
    st.sampled_from(["", "Men ", "Samtidig ", "Lørdag ", "- ", "«"]),
    st.sampled_from([".", "!", "»."]),
)
def test_never_drops_a_number_negation_or_quote(
    words: list[str], tails: list[str], lead: str, end: str
) -> None:
    sentence = lead + " ".join(words) + "".join(tails) + end
    out = drop_opener(compress(sentence), "lørdag")
    assert re.findall(r"\d", out.text) == re.findall(r"\d", sentence)
    negations = [w for w in re.findall(r"\w+", sentence.lower()) if w in NEGATIONS]
    assert [w for w in re.findall(r"\w+", out.text.lower()) if w in NEGATIONS] == negations
    assert sum(out.text.count(q) for q in "«»") == sum(sentence.count(q) for q in "«»")
    # What is shown is made of the sentence's own characters (an opener swap reorders words).
    assert sorted(re.findall(r"\w+", out.text.lower())) == sorted(
        re.findall(r"\w+", _joined(sentence, out.spans).lower())
    )
    assert all(0 <= a < b <= len(sentence) for a, b in out.spans)
