"""The window's state machines, on their own: no Qt, no display, no threads."""

from __future__ import annotations

import json

from desktop.state import AutosaveQueue, Generations, ModelState


def test_model_state_is_an_enum_that_reads_as_its_value() -> None:
    assert ModelState.READY == "ready" and json.dumps(ModelState.MISSING) == '"missing"'
    assert {s for s in ModelState if s.usable} == {ModelState.UNKNOWN, ModelState.LOADING, ModelState.READY}
    assert [s for s in ModelState if s.needs_load] == [ModelState.UNKNOWN]


def test_autosave_writes_one_at_a_time_and_only_the_latest_waits() -> None:
    q = AutosaveQueue()
    assert not q.busy
    assert q.offer("v1") == "v1"  # nothing in flight: write now
    assert q.busy
    assert q.offer("v2") is None  # waits behind v1 ...
    assert q.offer("v3") is None  # ... and is replaced by the newer one
    assert q.written() == "v3"  # v1 done: the latest goes next, v2 is never written
    assert q.busy and q.pending is None
    assert q.written() is None  # v3 done, nothing waiting
    assert not q.busy
    assert q.offer("v4") == "v4"


def test_autosave_starts_nothing_more_while_closing() -> None:
    """The window's final save writes the latest state itself, after the workers stopped."""
    q = AutosaveQueue()
    q.offer("v1")
    q.offer("v2")
    assert q.written(closing=True) is None
    assert not q.busy


def test_generations_tell_a_stale_analysis_from_the_current_one() -> None:
    g = Generations()
    started = g.current
    assert g.is_current(started)
    g.bump()  # the user typed while the analysis ran
    assert not g.is_current(started)
    assert g.is_current(g.current)
