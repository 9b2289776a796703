"""The checker's linguistic categories, each from general cases (not from any benchmark's sentences).

Each case is a category the issue names: function words are no names, exonyms and Norwegian forms
of names, Nynorsk vocabulary, clock times, date forms, number words inside compounds, ordinals,
dotted acronyms, currency codes, unit conversions (information, not an alarm), and names whose
leftover words must not pass for the whole name.
"""

from __future__ import annotations

import pytest

from models.article import ALARMS, SEVERITY
from models.check.factcheck import check_pair


def _alarms(nb: str, en: str) -> list[str]:
    return [d.flag for d in check_pair(nb, en) if d.flag in ALARMS]


@pytest.mark.parametrize(
    ("nb", "en"),
    [
        # Capitalised function words after a sentence boundary inside one pair are no names.
        ("Det er kaldt. Den var stengt i Bergen.", "It is cold. It was closed in Bergen."),
        ("Han kom hjem. Jeg så ham i Oslo.", "He came home. I saw him in Oslo."),
        # Exonyms from CLDR and the name table.
        ("Hun reiste til Kroatia og Italia.", "She travelled to Croatia and Italy."),
        ("Han bor i Köln nær Haag.", "He lives in Cologne near The Hague."),
        ("Båten krysset Stillehavet.", "The boat crossed the Pacific Ocean."),
        ("De spiller i Europaligaen.", "They play in the Europa League."),
        ("Stormen traff Øst-Texas.", "The storm hit East Texas."),
        # Nynorsk weekdays, scale words and relative dates.
        ("Kampen er på laurdag i morgon.", "The match is on Saturday tomorrow."),
        ("Avtalen er verd 11 millionar pund.", "The deal is worth £11 million."),
        # Clock times.
        ("Kampen startar kl. 15.00.", "The match starts at 3 p.m."),
        ("Angrepet skjedde kl. 7:00.", "The attack happened at 7 a.m."),
        ("Han kom kl. 14.", "He arrived at 2pm."),
        # Date forms.
        ("Det skjedde 30. september.", "It happened on 30th September."),
        ("Det skjedde 2. oktober 1968.", "It happened on Oct. 2, 1968."),
        ("Datoen var 24.08.2021.", "The date was 24.08.2021."),
        ("Theresa May talte i Birmingham.", "British PM Theresa May spoke in Birmingham."),
        ("Han sa det til The Sunday Times.", "He told The Sunday Times."),
        ("Flyplassen er stengt til oktober.", "The airport will remain closed until Oct."),
        # Number words in compounds and hyphenations, quantity words, ordinals.
        ("Hai skader trettenåring.", "Shark injures 13-year-old."),
        ("De ledet med seks poeng.", "They had a six-point lead."),
        ("Han har vunnet to ganger.", "He has won twice."),
        ("Det tok ti år.", "It took a decade."),
        ("De kom på 4., 5. og 6. plass.", "They came fourth, fifth and sixth."),
        ("Det var på 1800-tallet.", "It was in the 19th century."),
        # Dotted acronyms and currency codes.
        ("FN og FBI etterforsker.", "The U.N. and the F.B.I. are investigating."),
        ("Den kostet GBP 125 millioner.", "It cost £125m."),
    ],
)
def test_faithful_translations_raise_no_alarm(nb: str, en: str) -> None:
    assert _alarms(nb, en) == []


@pytest.mark.parametrize(
    ("nb", "en"),
    [
        ("Grisen veide 250 kg.", "The hog weighed 550 pounds."),
        ("Opptil 25 cm nedbør.", "Up to 10 inches of rain."),
        ("Vinden nådde 135 km/t.", "Winds reached 85 mph."),
        ("Det blir 26,5 grader.", "It will reach 80 degrees."),
        ("Mellom 5 og 7 cm regn.", "Between 2 and 3 inches of rain."),
    ],
)
def test_unit_conversion_is_information_not_an_alarm(nb: str, en: str) -> None:
    details = check_pair(nb, en)
    assert [d.flag for d in details] == ["unit_converted"]
    assert SEVERITY["unit_converted"] == "info"
    assert "unit conversion" in details[0].detail


def test_a_wrong_conversion_is_still_an_alarm() -> None:
    assert "number_changed" in _alarms("Grisen veide 250 kg.", "The hog weighed 900 pounds.")
    # A bracketed conversion restates a figure; it never stands in for one that was dropped.
    assert _alarms("Farten var 800 km/t før den traff land.", "The speed was (497 mph) before landfall.") == [
        "number_changed"
    ]


@pytest.mark.parametrize(
    ("nb", "en"),
    [
        # A leftover common word does not stand for the name ("Ponto Beach" deleted).
        ("De stengte Ponto Beach i går.", "They shut down beach access yesterday."),
        # Half a multi-word name is not the name.
        ("Han møtte Manchester City i går.", "He met Manchester yesterday."),
        # A name running into the next one after a genitive is two names.
        ("Manchester Citys Sergio Aguero scoret.", "Manchester City's striker scored."),
        # A name opening the sentence, known from its genitive.
        ("Jeremy Corbyns Labour-parti vant.", "The Labour party won."),
    ],
)
def test_dropped_names_are_caught(nb: str, en: str) -> None:
    assert "name_missing" in _alarms(nb, en)


def test_english_may_and_weekday_names_are_not_dates() -> None:
    assert check_pair("Statsminister May talte i går.", "Prime Minister May spoke yesterday.") == []
    assert check_pair("Hun så Saturday Night Live.", "She watched Saturday Night Live.") == []
    # ... while a real month and weekday still are.
    assert _alarms("Han kom i mai på fredag.", "He came in May on Thursday.") == ["number_changed"]
