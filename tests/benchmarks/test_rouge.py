"""benchmarks.rouge: the metric, the same-length cut, and fitting that never sees the scored article."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.rouge import (
    Grid,
    Paired,
    cut_words,
    leave_one_out,
    leave_one_source_out,
    rouge_l,
    rouge_n,
    split_halves,
    tokens,
)


def test_metric_on_hand_counted_examples() -> None:
    cand = tokens("Politiet arresterte 450 mennesker i Santiago")
    ref = tokens("Over 450 mennesker ble arrestert i Santiago")
    # Unigrams in common: 450, mennesker, i, santiago -> P = 4/6, R = 4/7.
    assert rouge_n(cand, ref, 1) == pytest.approx(2 * (4 / 6) * (4 / 7) / (4 / 6 + 4 / 7))
    # Bigrams in common: "450 mennesker", "i santiago" -> P = 2/5, R = 2/6.
    assert rouge_n(cand, ref, 2) == pytest.approx(2 * (2 / 5) * (2 / 6) / (2 / 5 + 2 / 6))
    # LCS: 450 mennesker i santiago (4).
    assert rouge_l(cand, ref) == pytest.approx(rouge_n(cand, ref, 1))
    assert rouge_n([], ref, 1) == 0.0


def test_same_length_cut_counts_metric_tokens() -> None:
    text = "Minst 26 regimesoldater ble drept, ifølge SOHR. Over 370.000 er drept."
    assert cut_words(text, 3) == "Minst 26 regimesoldater"
    assert len(tokens(cut_words(text, 9))) == 9
    assert cut_words(text, 100) == text and cut_words(text, 0) == ""


def _row(margin: float) -> Paired:
    return Paired((margin, margin, margin), (0.0, 0.0, 0.0), (0.0, 0.0, 0.0), 100)


def _grid() -> Grid:
    """Setting 1 is best in total only because of article 0; setting 0 is best elsewhere."""
    n = 6
    good = [_row(1.0) for _ in range(n)]
    lucky = [_row(30.0)] + [_row(0.0) for _ in range(n - 1)]
    return Grid([{}, {"x": 1.0}], ["steady", "lucky"], [good, lucky], skipped=0)


def test_fit_on_everything_takes_the_lucky_setting() -> None:
    grid = _grid()
    assert grid.fit(range(6)) == 1
    assert grid.fit(range(1, 6)) == 0


def test_leave_one_out_never_sees_the_scored_article() -> None:
    held, picks = leave_one_out(_grid())
    # Article 0 is scored with the setting fitted without it (steady: +1), not its lucky +30.
    assert [r.ours[0] for r in held] == [1.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    assert picks == {"steady": 1, "lucky": 5}


def test_split_halves_and_sources_score_unseen_articles_only() -> None:
    grid = _grid()
    seen = set()
    for half in split_halves(grid, rounds=50):
        # Fitted with article 0: lucky, scored on articles where it gives 0. Fitted without it:
        # steady, +1 everywhere. The lucky +30 is never scored by a fit that saw it.
        assert half[0] == half[1] == half[2] and half[0] in (0.0, 1.0)
        seen.add(half[0])
    assert seen == {0.0, 1.0}
    held = leave_one_source_out(grid, ["a", "a", "b", "b", "c", "c"])
    assert held[0].ours[0] == 1.0 and len(held) == 6


def test_seed_requirement_filters_settings(shared: Path) -> None:
    """Settings whose seed bullets lose a casualty figure are never eligible for a fit."""
    from benchmarks.rouge import Bench, build_grid, load_norsumm

    bench = Bench(load_norsumm()[:3])
    assert bench.seed_ok({})
    assert not bench.seed_ok({"w_fact": 0.0})
    grid = build_grid(bench, [("none", {"w_fact": 0.0}), ("default", {}), ("more", {"w_fact": 1.2})])
    assert grid.labels[0] == "default" and "none" not in grid.labels and grid.skipped == 1
    assert len(grid.table[0]) == 3
