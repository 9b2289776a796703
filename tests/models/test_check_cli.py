"""``nordbrief summarize`` and ``nordbrief check`` through the CLI entry point (JSON contracts)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.cli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_summarize_json_contract(capsys: pytest.CaptureFixture[str], seed_article: Path) -> None:
    code, out, _ = _run(capsys, "summarize", str(seed_article), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert len(data["bullets"]) == 5
    text = seed_article.read_text("utf-8")
    for b in data["bullets"]:
        # The original keys stay; compression added its own (keys are added, never renamed).
        assert set(b) == {"text", "sentence", "score", "translation", "facts"} | {
            "compressed",
            "spans",
            "flags",
            "flag_details",
        }
        sentence = data["sentences"][b["sentence"]]
        assert "".join(text[s:e] for s, e in b["spans"]) == b["text"]
        assert b["compressed"] == (b["text"] != sentence["text"])
        assert all(data["facts"][i]["sentence"] == b["sentence"] for i in b["facts"])
    for f in data["facts"]:
        assert set(f) == {"sentence", "kind", "text", "value", "start", "end"}
        assert f["kind"] in ("number", "date", "name")


def test_summarize_options_and_formats(capsys: pytest.CaptureFixture[str], seed_article: Path) -> None:
    code, out, _ = _run(
        capsys, "summarize", str(seed_article), "--bullets", "3", "--order", "importance", "--format", "json"
    )
    assert code == 0
    scores = [b["score"] for b in json.loads(out)["bullets"]]
    assert len(scores) == 3
    code, out, _ = _run(capsys, "summarize", str(seed_article))
    assert code == 0 and out.count("\n* ") == 5


def test_summarize_markdown_is_the_export_renderer(
    capsys: pytest.CaptureFixture[str], seed_article: Path
) -> None:
    """``summarize --format md`` is models.export's Markdown: same sections, one item per bullet."""
    from models import export

    code, out, _ = _run(capsys, "summarize", str(seed_article), "--format", "json")
    bullets = json.loads(out)["bullets"]
    code, md, _ = _run(capsys, "summarize", str(seed_article), "--format", "md")
    assert code == 0
    lines = md.splitlines()
    assert lines[0].startswith("# ") and len(lines[0]) > 2
    assert "## Key facts" in lines and "## Provenance" in lines
    # Nothing was translated, so no machine-translation notice and no "not translated" note.
    assert export.MT_NOTICE not in md and export.NOT_TRANSLATED not in md
    section = lines[lines.index("## Key facts") + 1 : lines.index("## Provenance")]
    items = [line for line in section if line.startswith("- ")]
    assert len(items) == len(bullets) == 5
    for item, b in zip(items, bullets, strict=True):
        assert " ".join(b["text"].split()) in item  # the Norwegian bullet text
        assert f"sentence {b['sentence']}" in item  # 0-based, as in the JSON


@pytest.mark.parametrize("n", ["0", "11", "-3"])
def test_summarize_rejects_bullet_count(
    capsys: pytest.CaptureFixture[str], seed_article: Path, n: str
) -> None:
    code, _, err = _run(capsys, "summarize", str(seed_article), "--bullets", n)
    assert code == 2
    assert "between 1 and 10" in err and "Traceback" not in err


def test_check_json_on_human_translation(capsys: pytest.CaptureFixture[str], seed_article: Path) -> None:
    english = seed_article.with_name("syria-is-attacks.en.txt")
    code, out, _ = _run(capsys, "check", str(seed_article), str(english), "--format", "json")
    assert code == 0
    pairs = json.loads(out)["pairs"]
    assert len(pairs) == 25
    for p in pairs:
        assert {"paragraph", "source", "translation", "source_text", "translation_text", "flags"} <= set(p)
        assert not {"number_missing", "number_changed", "name_missing"} & set(p["flags"])
    assert [p["source"] for p in pairs] == [[i] for i in range(25)]


def test_check_flags_a_corrupted_copy_and_still_exits_zero(
    capsys: pytest.CaptureFixture[str], seed_article: Path, tmp_path: Path
) -> None:
    english = seed_article.with_name("syria-is-attacks.en.txt").read_text("utf-8")
    bad = tmp_path / "bad.en.txt"
    bad.write_text(
        english.replace("27 soldiers", "72 soldiers").replace("Hayat Tahrir al-Sham, ", ""), "utf-8"
    )
    code, out, _ = _run(capsys, "check", str(seed_article), str(bad), "--format", "json")
    assert code == 0
    flagged = [(p["source"], p["flags"]) for p in json.loads(out)["pairs"] if p["flags"]]
    assert flagged == [([9], ["name_missing"]), ([14], ["number_changed"])]
    code, out, _ = _run(capsys, "check", str(seed_article), str(bad))
    assert code == 0 and "number_changed" in out and "2 flagged" in out


def test_check_missing_file_is_a_user_error(capsys: pytest.CaptureFixture[str], seed_article: Path) -> None:
    code, _, err = _run(capsys, "check", str(seed_article), "/nonexistent/x.txt")
    assert code == 2 and "Traceback" not in err


def test_fail_on_flags_exits_6_on_an_alarm_only(
    capsys: pytest.CaptureFixture[str], seed_article: Path, tmp_path: Path
) -> None:
    english = seed_article.with_name("syria-is-attacks.en.txt")
    code, out, _ = _run(capsys, "check", str(seed_article), str(english), "--fail-on-flags")
    assert code == 0 and "0 with an alarm" in out
    bad = tmp_path / "bad.en.txt"
    bad.write_text(english.read_text("utf-8").replace("27 soldiers", "72 soldiers"), "utf-8")
    code, out, _ = _run(capsys, "check", str(seed_article), str(bad), "--fail-on-flags", "--format", "json")
    assert code == 6
    details = [d for p in json.loads(out)["pairs"] for d in p["flag_details"]]
    assert [(d["flag"], d["severity"]) for d in details] == [("number_changed", "alarm")]
    # Plain check keeps exit 0 on the same input.
    assert _run(capsys, "check", str(seed_article), str(bad))[0] == 0


def test_unit_conversion_alone_does_not_fail(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    nb = tmp_path / "nb.txt"
    en = tmp_path / "en.txt"
    nb.write_text("Grisen på 250 kg drepte bonden i Wales.\n", "utf-8")
    en.write_text("The 550 pound hog killed the farmer in Wales.\n", "utf-8")
    code, out, _ = _run(capsys, "check", str(nb), str(en), "--fail-on-flags", "--format", "json")
    assert code == 0
    assert [p["flags"] for p in json.loads(out)["pairs"]] == [["unit_converted"]]
