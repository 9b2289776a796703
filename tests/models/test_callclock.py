"""The engine's call clock: what a CTranslate2 call costs, learned from timed calls (the Stop
bound at beam > 1 plans calls with it)."""

from __future__ import annotations

import math

import pytest

from models.translation.callclock import MIN_ROW_SHARE, CallClock


def _feed(clock: CallClock, fixed: float, per_row: float, widths: list[int], steps: int = 30) -> None:
    for rows in widths:
        clock.observe(steps, rows, steps * (fixed + per_row * rows))


def test_nothing_is_known_before_a_call_was_timed() -> None:
    assert math.isinf(CallClock().seconds(20, 1))


def test_calls_of_one_width_are_matched_exactly_and_shaped_by_the_prior() -> None:
    clock = CallClock()
    clock.observe(40, 1, 0.8)
    assert clock.seconds(40, 1) == pytest.approx(0.8)
    assert clock.seconds(20, 1) == pytest.approx(0.4)  # per decoding step
    assert clock.per_row / clock.fixed == pytest.approx(clock.row_share_prior)


def test_calls_of_several_widths_recover_the_machines_line() -> None:
    """Measured on an idle 2-core machine (base model, beam 2): ~14 ms per step plus under 1 ms
    per row; the old fixed shape predicted a 15-row call at 10x a 1-row call."""
    clock = CallClock()
    _feed(clock, 0.014, 0.0007, [1, 15, 3, 6, 12, 5, 1, 8])
    assert clock.fixed == pytest.approx(0.014, rel=0.05)
    assert clock.per_row == pytest.approx(0.0007, rel=0.2)
    assert clock.seconds(34, 15) / clock.seconds(34, 1) < 2.0


def test_the_clock_follows_a_machine_that_gets_busier() -> None:
    clock = CallClock()
    _feed(clock, 0.010, 0.002, [1, 4, 8, 2, 6])
    _feed(clock, 0.030, 0.006, [3, 7, 1, 5, 8, 2, 6, 4])  # three times slower now
    assert clock.seconds(30, 5) == pytest.approx(30 * (0.030 + 0.006 * 5), rel=0.1)


def test_rows_are_never_free() -> None:
    """Noise that makes wide calls look cheaper than narrow ones must not let a cap be met by
    adding rows without limit."""
    clock = CallClock()
    clock.observe(30, 1, 0.9)
    clock.observe(30, 10, 0.6)
    assert clock.per_row >= MIN_ROW_SHARE * clock.fixed > 0
    assert clock.seconds(30, 40) > clock.seconds(30, 1)


def test_nonsense_timings_are_ignored() -> None:
    clock = CallClock()
    clock.observe(30, 1, 0.0)
    clock.observe(30, 0, 1.0)
    assert math.isinf(clock.seconds(30, 1))
