"""Norwegian segmentation: one test per phenomenon, the seed article, and the benchmark metric."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from benchmarks.segmentation import build_articles, evaluate, match_count, read_paragraphs, regex_baseline
from models.article import Article
from models.text.segment import segment


def texts(text: str) -> list[str]:
    return [s.text for s in segment(text).sentences]


def check_offsets(art: Article) -> None:
    for s in art.sentences:
        assert art.text[s.start : s.end] == s.text


# --- abbreviations -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Han kjøpte bl.a. Aftenposten og VG på vei hjem.",
        "Mange byer, f.eks. Bergen og Trondheim, har bybane.",
        "Det var ca. 200 personer til stede.",
        "Møtet starter kl. 18 i rådhuset.",
        "Saken gjelder nr. 5 på listen.",
        "Prosjektet koster 5 mill. kroner i året.",
        "Overskuddet var 2 mrd. kroner i fjor.",
        "Han er statsråd, dvs. Regjeringens representant i saken.",
        "Se jf. Straffeloven § 12 for detaljer.",
        "Prisen er 300 kroner inkl. Moms og frakt.",
        "Renten steg med 0,5 pst. i fjor.",
        "Hun snakket med frk. Hansen om saken.",
        "Gudstjenesten holdes i St. Olavs kirke på søndag.",
        "Han gikk på Chr. Michelsens institutt i mange år.",
        "Dr. Hansen og prof. Berg skrev rapporten sammen.",
    ],
)
def test_abbreviation_does_not_end_sentence(text: str) -> None:
    assert texts(text) == [text]


def test_sentence_final_may_end_abbreviation_still_splits() -> None:
    text = "De solgte epler, pærer osv. Neste år blir det plommer."
    assert texts(text) == ["De solgte epler, pærer osv.", "Neste år blir det plommer."]


def test_sentence_final_single_letter_word_splits() -> None:
    text = "Hun vil ikke være med i. I stedet drar hun hjem."
    assert texts(text) == ["Hun vil ikke være med i.", "I stedet drar hun hjem."]


# --- numbers and dates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Avtalen ble signert 1. mars i Oslo.",
        "Vi feirer 17. mai med tog og is.",
        "Loven trådte i kraft 1. januar 2020 etter lang debatt.",
        "Hun kom på 3. plass i rennet.",
        "Over 370.000 mennesker er drept, og 2,5 millioner er på flukt.",
        "Det skjedde den 17. Mai for mange år siden.",
        "Albania og Kroatia ble NATOs 27. og 28. medlemsland.",
    ],
)
def test_numbers_and_ordinal_dates_do_not_split(text: str) -> None:
    assert texts(text) == [text]


def test_year_at_sentence_end_splits() -> None:
    text = "Krigen startet i 2011. Siden da har over 370.000 mennesker blitt drept."
    assert texts(text) == ["Krigen startet i 2011.", "Siden da har over 370.000 mennesker blitt drept."]


# --- initials ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Stykket er skrevet av H. Ibsen i 1879.",
        "Saken ble kommentert av Jens P. Berg fra Høyre.",
        "Inge D. Hanssen skriver kommentarer i avisen.",
    ],
)
def test_initials_do_not_split(text: str) -> None:
    assert texts(text) == [text]


# --- quotes, dashes, ellipses, colons ------------------------------------------------------


def test_sentence_end_inside_guillemets() -> None:
    text = "«Vi kommer tilbake.» Det sa statsministeren i går."
    assert texts(text) == ["«Vi kommer tilbake.»", "Det sa statsministeren i går."]


def test_two_sentences_inside_one_quote() -> None:
    text = "Hun sa: «Jeg er sliten. Nå går jeg hjem.» Så gikk hun."
    assert texts(text) == ["Hun sa:", "«Jeg er sliten.", "Nå går jeg hjem.»", "Så gikk hun."]


def test_question_inside_quote_followed_by_lowercase_continues() -> None:
    text = "«Hva skjer nå?» spurte han de andre. De svarte ikke."
    assert texts(text) == ["«Hva skjer nå?» spurte han de andre.", "De svarte ikke."]


def test_straight_double_quotes() -> None:
    text = 'Som sagt av Franz Kafka: "Bort herfra, det er vårt mål." Han hadde rett.'
    assert texts(text) == ["Som sagt av Franz Kafka:", '"Bort herfra, det er vårt mål."', "Han hadde rett."]


def test_dialogue_dash_lines() -> None:
    text = "– Vi er fornøyde, sier ordføreren.\n– Nå venter vi på svar, legger hun til."
    assert texts(text) == ["– Vi er fornøyde, sier ordføreren.", "– Nå venter vi på svar, legger hun til."]


def test_dialogue_dash_after_sentence_on_same_line() -> None:
    text = "Han smilte. - Jeg er glad, sa han. -Det gikk bra."
    assert texts(text) == ["Han smilte.", "- Jeg er glad, sa han.", "-Det gikk bra."]


def test_parenthetical_dash_does_not_split() -> None:
    text = "Debatten - igjen - handler om penger, sa han på NRK - Lars Sponheim var enig."
    assert texts(text) == [text]


def test_quote_dash_after_unpunctuated_line_text_splits() -> None:
    text = "Ambassadøren fulgte opp - Vi er klare til å ta ansvar, sa han."
    assert texts(text) == ["Ambassadøren fulgte opp", "- Vi er klare til å ta ansvar, sa han."]


def test_ellipses() -> None:
    assert texts("Han ventet … Så kom bussen.") == ["Han ventet …", "Så kom bussen."]
    assert texts("Hun nølte... Til slutt sa hun ja.") == ["Hun nølte...", "Til slutt sa hun ja."]
    assert texts("Det var … tja, nesten greit.") == ["Det var … tja, nesten greit."]


def test_colon_opens_new_sentence_before_capital() -> None:
    text = "Konklusjonen er klar: Regjeringen må gå av."
    assert texts(text) == ["Konklusjonen er klar:", "Regjeringen må gå av."]


def test_colon_before_lowercase_or_inside_title_does_not_split() -> None:
    assert texts("Han kjøpte tre ting: melk, brød og ost.") == ["Han kjøpte tre ting: melk, brød og ost."]
    text = "Her er trommesettet til «Guitar Hero: World Tour» i stua."
    assert texts(text) == [text]


def test_question_and_exclamation() -> None:
    assert texts("Hvor er han? Ingen vet det! Politiet leter.") == [
        "Hvor er han?",
        "Ingen vet det!",
        "Politiet leter.",
    ]


def test_no_split_without_space_urls_and_times() -> None:
    text = "Les mer på Dagbladet.no eller kom kl. 12.30 til møtet."
    assert texts(text) == [text]


# --- headings, paragraphs, lists ------------------------------------------------------------


def test_headline_and_subheadings_on_their_own_lines() -> None:
    text = (
        "Stor brann i Bergen\nFlere hus brant ned natt til søndag.\n\nIngen skadde\n\nAlle kom seg ut i tide."
    )
    art = segment(text)
    check_offsets(art)
    assert [(s.text, s.heading) for s in art.sentences] == [
        ("Stor brann i Bergen", True),
        ("Flere hus brant ned natt til søndag.", False),
        ("Ingen skadde", True),
        ("Alle kom seg ut i tide.", False),
    ]
    assert [p.heading for p in art.paragraphs] == [True, False, True, False]
    assert art.title == "Stor brann i Bergen"


def test_blank_lines_make_paragraphs() -> None:
    art = segment("Første avsnitt. Andre setning.\n\n\n  Andre avsnitt.\n")
    assert [p.sentences for p in art.paragraphs] == [[0, 1], [2]]
    assert [s.paragraph for s in art.sentences] == [0, 0, 1]
    assert art.paragraphs[1].start == art.text.index("Andre avsnitt")


def test_hard_wrapped_paragraph_is_one_flow() -> None:
    text = (
        "Regjeringen la i dag fram et forslag som\nvil gi kommunene mer penger til skole og\n"
        "helse. Opposisjonen er kritisk."
    )
    assert texts(text) == [
        "Regjeringen la i dag fram et forslag som\nvil gi kommunene mer penger til skole og\nhelse.",
        "Opposisjonen er kritisk.",
    ]


def test_bullet_and_numbered_lists_one_sentence_per_item() -> None:
    text = "Tiltakene er:\n- flere lærere\n- gratis frukt\n\n1. Mer penger\n2. Færre skjemaer"
    assert texts(text) == [
        "Tiltakene er:",
        "- flere lærere",
        "- gratis frukt",
        "1. Mer penger",
        "2. Færre skjemaer",
    ]
    assert not any(s.heading for s in segment(text).sentences)


def test_kicker_with_pipe_marks_headlines() -> None:
    text = (
        "Hvor langt strekker SVs toleranse seg? Friskoler | SV har gått til valg med toleranse. "
        "Det finnes ulike forståelser av begrepet."
    )
    art = segment(text)
    check_offsets(art)
    assert [(s.text, s.heading) for s in art.sentences] == [
        ("Hvor langt strekker SVs toleranse seg?", True),
        ("Friskoler |", True),
        ("SV har gått til valg med toleranse.", False),
        ("Det finnes ulike forståelser av begrepet.", False),
    ]
    assert art.title == "Hvor langt strekker SVs toleranse seg?"


def test_glued_short_subheadings_after_pipe_are_headings() -> None:
    art = segment("Den unevnelige plan B | Uansvarlig. Det kan være lurt å tie. Risikofritt er det ikke.")
    assert [s.heading for s in art.sentences] == [True, True, False, False]


def test_norsumm_headlines_never_become_body(shared: Path) -> None:
    import json

    data = json.loads((shared / "data" / "norsumm" / "NorSumm_dev.json").read_text(encoding="utf-8"))
    for item in data:
        art = segment(item["article"])
        check_offsets(art)
        assert not any(
            s.text.endswith("|") and not s.heading for s in art.sentences if len(s.text.split()) < 20
        )


# --- the seed article -----------------------------------------------------------------------


def test_seed_article(seed_article: Path) -> None:
    text = seed_article.read_text(encoding="utf-8")
    art = segment(text)
    check_offsets(art)
    assert len(art.sentences) == 25
    assert len(art.paragraphs) == 18
    assert [s.text for s in art.sentences if s.heading] == ["60 prosent", "IS i bakhold", "Sovende celler"]
    assert sum(p.heading for p in art.paragraphs) == 3
    assert art.title is None  # the article starts with a body paragraph
    assert (
        art.sentences[-1].text
        == "Den USA-ledede koalisjonen har gjentatte ganger advart om at kampen ikke er over."
    )


# --- robustness and speed -------------------------------------------------------------------


@pytest.mark.timeout(60)
def test_long_unpunctuated_sentence_is_fast() -> None:
    text = " ".join(["ord"] * 5000)
    t0 = time.perf_counter()
    art = segment(text)
    assert time.perf_counter() - t0 < 5
    assert len(art.sentences) == 1 and art.sentences[0].text == text


@pytest.mark.timeout(120)
@pytest.mark.parametrize("unit", [". " * 3, "." * 200, "a. ", "« ", ": ", " | ", "- ", "\n"])
def test_pathological_repetitions_are_linear(unit: str) -> None:
    text = unit * (200_000 // len(unit))
    t0 = time.perf_counter()
    art = segment(text)
    assert time.perf_counter() - t0 < 20
    check_offsets(art)


@pytest.mark.timeout(120)
def test_five_megabyte_article(seed_article: Path) -> None:
    seed = seed_article.read_text(encoding="utf-8")
    text = "\n\n".join([seed] * (5_000_000 // len(seed) + 1))
    t0 = time.perf_counter()
    art = segment(text)
    assert time.perf_counter() - t0 < 30
    assert len(art.sentences) == 25 * (5_000_000 // len(seed) + 1)


def test_empty_and_whitespace_only() -> None:
    for text in ["", " ", "\n\n\t \n", "\u00a0\u2003"]:
        art = segment(text)
        assert art.sentences == [] and art.paragraphs == []


# --- the benchmark's metric -----------------------------------------------------------------


def test_metric_on_hand_made_example() -> None:
    conllu = [
        "# text = Hei.\n",
        "# text = Jeg er her.\n",
        "# newpar\n",
        "# text = Hun  kom.\n",
        "# newpar\n",
        "# text = Hei.\n",
    ]
    paragraphs = read_paragraphs(conllu)
    assert paragraphs == [["Hei.", "Jeg er her."], ["Hun  kom."], ["Hei."]]
    articles = build_articles(paragraphs, size=2)
    assert articles[0][0] == "Hei. Jeg er her.\n\nHun  kom."
    assert articles[1] == ("Hei.", ["Hei."])
    # Multiset matching: a duplicated prediction counts once; whitespace is normalised.
    assert match_count(["Hei.", "Hei.", "Hun kom."], ["Hei.", "Hun  kom."]) == 2
    score = evaluate(articles, lambda t: [t])  # no splitting: only the one-sentence article is right
    assert (score.correct, score.predicted, score.gold) == (1, 2, 4)
    assert score.precision == 0.5 and score.recall == 0.25
    assert abs(score.f1 - 2 * 0.5 * 0.25 / 0.75) < 1e-12
    assert regex_baseline("Han kom. Hun gikk.\n\nTittel\n\nTekst.") == [
        "Han kom.",
        "Hun gikk.",
        "Tittel",
        "Tekst.",
    ]


def test_headline_glued_to_body_without_newline() -> None:
    art = segment("Han ble pågrepet i går. To tolker Det er satt av to dager til rettssaken.")
    assert [(s.text, s.heading) for s in art.sentences] == [
        ("Han ble pågrepet i går.", False),
        ("To tolker", True),
        ("Det er satt av to dager til rettssaken.", False),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Statsministeren besøkte Det hvite hus i går.",
        "Kirkemøtet i Den norske kirke har vedtatt saken.",
        "Programmet Alle Mot En gikk på TV i går.",
    ],
)
def test_capitalised_names_are_not_glued_headlines(text: str) -> None:
    art = segment(text)
    assert [s.text for s in art.sentences] == [text]
    assert not art.sentences[0].heading
