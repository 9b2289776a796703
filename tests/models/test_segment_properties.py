"""Property tests: segmentation keeps its offset invariants on any text (issue 8)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.article import Article
from models.text.segment import segment

# Norwegian-looking pieces mixed with hostile ones, so the rules are actually exercised.
_PIECES = [
    "Han kom. ",
    "bl.a. ",
    "f.eks. ",
    "kl. 12.30 ",
    "17. mai ",
    "1. ",
    "370.000 ",
    "2,5 ",
    "H. Ibsen ",
    "«Hei.» ",
    "«Guitar Hero: World Tour» ",
    '"Sitat." ',
    "– Ja, sier hun. ",
    "- Jeg ",
    "-Det ",
    "… ",
    "... ",
    "Tittel\n",
    "\n\n",
    "\n",
    "Friskoler | ",
    " | ",
    ": ",
    "? ",
    "! ",
    "osv. ",
    "i. ",
    "D.C. ",
    "• punkt\n",
    "😀 ",
    "\u200b",
    "\u200f",
    "שלום ",
    "\u00a0",
    "\x1c",
    "\x00",
    "\t",
    "Æ",
    "ø",
]

_text = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=300),
    st.lists(st.sampled_from(_PIECES), max_size=60).map("".join),
    st.lists(
        st.one_of(st.sampled_from(_PIECES), st.text(max_size=8).map(lambda s: s.replace("\r", ""))),
        max_size=40,
    ).map("".join),
)


def assert_invariants(text: str, art: Article) -> None:
    prev_end = 0
    covered = bytearray(len(text))
    for i, s in enumerate(art.sentences):
        assert s.index == i
        assert s.text == text[s.start : s.end]
        assert s.text, "empty sentence"
        assert not s.text[0].isspace() and not s.text[-1].isspace(), "sentence not stripped"
        assert s.start >= prev_end, "sentences overlap or are out of order"
        prev_end = s.end
        for k in range(s.start, s.end):
            covered[k] = 1
        para = art.paragraphs[s.paragraph]
        assert i in para.sentences and para.start <= s.start and s.end <= para.end
        assert para.heading == s.heading
    for k, ch in enumerate(text):
        assert covered[k] or ch.isspace(), f"non-space character {ch!r} at {k} not covered"
    for j, p in enumerate(art.paragraphs):
        assert p.index == j and p.sentences, "empty paragraph"
        assert p.sentences == sorted(p.sentences)
        assert p.start == art.sentences[p.sentences[0]].start and p.end == art.sentences[p.sentences[-1]].end


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_text)
def test_offsets_order_coverage(text: str) -> None:
    assert_invariants(text, segment(text))


@settings(max_examples=200, deadline=None)
@given(_text)
def test_deterministic(text: str) -> None:
    a, b = segment(text), segment(text)
    assert [(s.start, s.end, s.paragraph, s.heading) for s in a.sentences] == [
        (s.start, s.end, s.paragraph, s.heading) for s in b.sentences
    ]
    assert a.title == b.title


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=30).map("".join))
def test_json_round_trip_keeps_offsets(text: str) -> None:
    art = segment(text)
    data = art.to_json()
    data["text"] = text
    again = Article.from_json(data)
    assert [(s.start, s.end, s.text) for s in again.sentences] == [
        (s.start, s.end, s.text) for s in art.sentences
    ]
