"""Language identification: Bokmål and Nynorsk pass silently, clearly foreign text gets a warning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.cli import main
from models.pipeline import article_from_text
from models.text.langid import SAMPLE_CHARS, detect_language, language_warning

BOKMAL = (
    "Regjeringen foreslår å øke barnetrygden\n\n"
    "Regjeringen vil øke barnetrygden med 200 kroner i måneden fra neste år. Det kommer fram i "
    "statsbudsjettet som legges fram tirsdag. Økningen gjelder alle barn under seks år."
)
NYNORSK = (
    "Regjeringa føreslår å auke barnetrygda\n\n"
    "Regjeringa vil auke barnetrygda med 200 kroner i månaden frå neste år. Det kjem fram i "
    "statsbudsjettet som blir lagt fram tysdag. Auken gjeld alle born under seks år."
)
ENGLISH = (
    "Government proposes higher child benefit\n\n"
    "The government wants to raise the child benefit by 200 kroner a month from next year. This "
    "is set out in the state budget presented on Tuesday. The increase applies to all children."
)
SWEDISH = (
    "Regeringen föreslår höjt barnbidrag\n\n"
    "Regeringen vill höja barnbidraget med 200 kronor i månaden från nästa år. Det framgår av "
    "statsbudgeten som presenteras på tisdag. Höjningen gäller alla barn under sex år."
)


@pytest.mark.parametrize(("text", "code"), [(BOKMAL, "nb"), (NYNORSK, "nn")])
def test_norwegian_is_accepted_without_warning(text: str, code: str) -> None:
    art = article_from_text(text)
    assert art.source.language == code
    assert art.warnings == []


@pytest.mark.parametrize(("text", "code", "name"), [(ENGLISH, "en", "English"), (SWEDISH, "sv", "Swedish")])
def test_foreign_text_gets_a_warning_and_is_still_processed(text: str, code: str, name: str) -> None:
    art = article_from_text(text)
    assert art.source.language == code
    assert art.warnings == [
        f"this text does not look like Norwegian (closest: {name}); the translation models expect "
        "Bokmål or Nynorsk, so the result may be poor"
    ]
    assert len(art.sentences) == 4  # still segmented: the user decides whether to go on


def test_cli_prints_the_language_warning_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "svensk.txt"
    path.write_text(SWEDISH, encoding="utf-8")
    assert main(["segment", str(path), "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith(
        "nordbrief: warning: this text does not look like Norwegian (closest: Swedish)"
    )
    data = json.loads(captured.out)
    assert data["source"]["language"] == "sv"
    assert data["warnings"] and "Swedish" in data["warnings"][0]


def test_too_little_text_gives_no_guess() -> None:
    assert detect_language("12 345 678 – 9,5 %") is None
    assert detect_language("Hei") is None
    assert language_warning(None) is None
    assert article_from_text("1 2 3 4 5").source.language is None


def test_only_the_start_is_examined() -> None:
    """Bounded cost: a long English tail after a Norwegian start does not change the answer."""
    text = BOKMAL * 12 + "\n\n" + ENGLISH * 200
    assert len(BOKMAL * 12) > SAMPLE_CHARS
    guess = detect_language(text)
    assert guess is not None and guess.code == "nb"


def test_nordic_neighbours_are_told_apart_on_real_length_text(shared: Path) -> None:
    """Every NorSumm article (Bokmål) passes; its Nynorsk summaries are recognised as Nynorsk."""
    data = json.loads((shared / "data" / "norsumm" / "NorSumm_dev.json").read_text(encoding="utf-8"))
    for item in data:
        guess = detect_language(item["article"])
        assert guess is not None and guess.is_norwegian, item["id"]
    nn = [detect_language(next(iter(item["summaries_nn"][0].values()))) for item in data[:10]]
    assert all(g is not None and g.code == "nn" for g in nn)
