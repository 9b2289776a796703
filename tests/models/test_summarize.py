"""The key-fact summarizer: seed-article facts, headlines never bullets, options, limits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.pipeline import article_from_text, check_article, check_translation, summarize_article
from models.segment import segment
from models.summarize import summarize, summarize_text


def _seed(seed_article: Path):
    art = article_from_text(seed_article.read_text("utf-8"))
    summarize_article(art)
    return art


def test_seed_bullets_carry_at_least_four_key_facts(seed_article: Path) -> None:
    art = _seed(seed_article)
    assert len(art.bullets) == 5
    carried = {art.facts[i].value for b in art.bullets for i in b.facts}
    text = " ".join(b.text for b in art.bullets)
    wanted = {
        "35 soldiers since Thursday": 35 in carried and "torsdag" in text,
        "26 killed in Idlib": 26 in carried and "Idlib" in text,
        "27 killed in Homs ambush": 27 in carried,
        "370,000 dead / 12 million displaced": 370000 in carried or 12000000 in carried,
        "60 percent retaken": 60 in carried and "gjenerobret" in text,
    }
    assert sum(wanted.values()) >= 4, wanted


def test_bullets_link_to_their_sentences_and_facts(seed_article: Path) -> None:
    art = _seed(seed_article)
    for b in art.bullets:
        sent = art.sentences[b.sentence]
        assert not sent.heading
        assert b.text in sent.text
        assert all(art.facts[i].sentence == b.sentence for i in b.facts)
        assert b.translation is None
    assert [b.sentence for b in art.bullets] == sorted(b.sentence for b in art.bullets)
    json.dumps(art.to_json())


def test_importance_order_is_by_score(seed_article: Path) -> None:
    art = article_from_text(seed_article.read_text("utf-8"))
    summarize_article(art, bullets=7, order="importance")
    scores = [b.score for b in art.bullets]
    assert len(scores) == 7
    by_article = summarize(art, bullets=7)
    assert {b.sentence for b in by_article} == {b.sentence for b in art.bullets}


def test_headline_and_kicker_are_not_bullets() -> None:
    text = (
        "Hvor langt strekker SVs toleranse seg? Friskoler | SV har gått til valg med toleranse og "
        "romslighet som høyt profilerte verdisaker i hele landet. Uansvarlig. Det finnes ulike forståelser "
        "av hva begreper som toleranse betyr for folk flest. Kristin Halvorsen angriper de intolerante i et "
        "intervju i Dagbladet i går. Hun sier at 40 prosent av velgerne er enige med henne i saken."
    )
    bullets = summarize_text(text, bullets=5)
    texts = [b.text for b in bullets]
    assert texts, "body sentences should give bullets"
    assert all("|" not in t and "Hvor langt" not in t for t in texts)
    assert "Uansvarlig." not in texts
    assert texts[0].startswith("SV har gått til valg")


def test_translations_flow_into_bullets(seed_article: Path) -> None:
    art = article_from_text(seed_article.read_text("utf-8"))
    for s in art.sentences:
        s.translation = f"EN {s.index}"
    summarize_article(art)
    assert all(b.translation == f"EN {b.sentence}" for b in art.bullets)


@pytest.mark.parametrize("n", [0, 11])
def test_bullet_count_is_bounded(n: int, seed_article: Path) -> None:
    with pytest.raises(ValueError):
        summarize(segment(seed_article.read_text("utf-8")), bullets=n)


def test_short_and_empty_articles() -> None:
    assert summarize_text("") == []
    assert summarize_text("Kort.") == []
    one = summarize_text("Statsministeren sier at regjeringen vil bruke 2,5 milliarder kroner på vei.")
    assert len(one) == 1 and one[0].sentence == 0


def test_word_budget_on_long_article(seed_article: Path) -> None:
    text = seed_article.read_text("utf-8")
    bullets = summarize_text(text, bullets=5)
    words = sum(len(b.text.split()) for b in bullets)
    assert words <= 140


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from([*"abøÅZ19 .,?!|«»-\n", "prosent", "Oslo", "sier", "torsdag"]), max_size=300
    ).map("".join)
)
def test_summarize_and_check_never_raise(text: str) -> None:
    art = article_from_text(text)
    summarize_article(art, bullets=10)
    assert len(art.bullets) <= 10
    for b in art.bullets:
        assert 0 <= b.sentence < len(art.sentences)
        assert all(0 <= i < len(art.facts) for i in b.facts)
    for s in art.sentences:
        s.translation = s.text[::-1]
    check_article(art)
    check_translation(art, text[::-1])


def test_huge_article_caps_the_candidates() -> None:
    """A pasted book must not build a quadratic similarity matrix over every sentence."""
    from models.segment import segment
    from models.summarize import MAX_CANDIDATES, candidates, summarize

    text = " ".join(
        f"Statsråd Nordmann sa torsdag at {i} nye skoler åpner i Bergen neste år." for i in range(2000)
    )
    article = segment(text)
    assert len(article.sentences) == 2000
    cands = candidates(article)
    assert len(cands) == MAX_CANDIDATES
    bullets = summarize(article, 5)
    assert len(bullets) == 5 and all(b.sentence < 2000 for b in bullets)
