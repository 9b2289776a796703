"""``nordbrief translate`` end to end on the tiny random-weight model."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from models.article import FLAGS
from models.cli import main

ARTICLE = """Regjeringen la fram statsbudsjettet

Finansministeren sa onsdag at økonomien vokser raskere enn ventet. Utgiftene til sykehus og veier øker.

Boligprisene i Oslo falt med 2,5 prosent i siste kvartal. Meglerne sier kjøperne er blitt mer forsiktige.
"""


@pytest.fixture
def article_file(tmp_path: Path) -> Path:
    path = tmp_path / "artikkel.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_json_output_every_sentence_translated(
    article_file: Path, tiny_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    segmented = _json(capsys, ["segment", str(article_file), "--format", "json"])
    data = _json(capsys, ["translate", str(article_file), "--model", str(tiny_model), "--format", "json"])
    assert {"title", "sentences", "model"} <= set(data)
    assert len(data["sentences"]) == len(segmented["sentences"]) >= 5
    for got, seg in zip(data["sentences"], segmented["sentences"], strict=True):
        for key in ("index", "paragraph", "start", "end", "text"):
            assert got[key] == seg[key]
        assert set(got["flags"]) <= set(FLAGS)
        assert [d["flag"] for d in got["flag_details"]] == got["flags"]
        assert ARTICLE[got["start"] : got["end"]] == got["text"]
        assert isinstance(got["translation"], str) and got["translation"].strip()
    # Bullets come with the translation of their source sentence; facts index into "facts".
    assert 1 <= len(data["bullets"]) <= 5
    for bullet in data["bullets"]:
        sentence = data["sentences"][bullet["sentence"]]
        assert bullet["translation"] == sentence["translation"]
        assert all(data["facts"][i]["sentence"] == bullet["sentence"] for i in bullet["facts"])
    model = data["model"]
    assert model["name"] == tiny_model.name
    assert model["path"] == str(tiny_model)
    assert model["compute_type"] == "int8"
    assert model["beam_size"] >= 1


def test_beam_option_reaches_the_model_info(
    article_file: Path, tiny_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _json(
        capsys,
        ["translate", str(article_file), "--model", str(tiny_model), "--beam", "1", "--format", "json"],
    )
    assert data["model"]["beam_size"] == 1


def test_text_output_one_block_per_paragraph(
    article_file: Path, tiny_model: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "out.txt"
    assert main(["translate", str(article_file), "--model", str(tiny_model), "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "translating:" not in captured.err  # progress only on a terminal
    blocks = out.read_text("utf-8").strip().split("\n\n")
    assert len(blocks) == 3
    assert "Finansministeren" not in out.read_text("utf-8")  # translated, not copied


def test_markdown_output(article_file: Path, tiny_model: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["translate", str(article_file), "--model", str(tiny_model), "--format", "md"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("# ")


def test_unknown_model_exits_3(
    article_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["translate", str(article_file), "--model", str(tmp_path / "nope")]) == 3
    err = capsys.readouterr().err.strip()
    assert err.startswith("nordbrief: error:") and "\n" not in err


def test_no_model_installed_exits_3_naming_download(
    article_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["translate", str(article_file)]) == 3
    assert "nordbrief models download" in capsys.readouterr().err


def test_corrupt_model_exits_3_naming_verify(
    article_file: Path, tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(tiny_model, broken)
    (broken / "model.bin").write_bytes(b"not a model")
    assert main(["translate", str(article_file), "--model", str(broken)]) == 3
    err = capsys.readouterr().err
    assert "nordbrief models verify" in err and "Traceback" not in err


def test_bad_beam_exits_2(article_file: Path, tiny_model: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["translate", str(article_file), "--model", str(tiny_model), "--beam", "0"]) == 2


def test_missing_input_exits_2(tiny_model: Path, tmp_path: Path) -> None:
    assert main(["translate", str(tmp_path / "missing.txt"), "--model", str(tiny_model)]) == 2


def test_seed_article_via_console_script(seed_article: Path, tiny_model: Path) -> None:
    """The issue's done-when command, through a real process and stdin-free file input."""
    cmd = [sys.executable, "-m", "models.cli", "translate", str(seed_article), "--model", str(tiny_model)]
    out = subprocess.run(
        [*cmd, "--format", "json", "--timing"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    text = seed_article.read_text("utf-8-sig").replace("\r\n", "\n")
    assert data["sentences"]
    for s in data["sentences"]:
        assert text[s["start"] : s["end"]] == s["text"]
        assert s["translation"]
    assert "model load" in out.stderr and "translation" in out.stderr
