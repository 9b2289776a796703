"""The window's non-visual state machines, as plain classes (Qt-free, unit-tested on their own).

- ``ModelState``: where the translation model is (unknown -> loading -> ready | missing | error).
- ``AutosaveQueue``: at most one session write in flight; a newer snapshot taken meanwhile
  replaces any waiting one, so the file always ends at the latest state and never goes back.
- ``Generations``: which analysis (segment + summarize) result still matches the editor's text.
"""

from __future__ import annotations

from enum import StrEnum


class ModelState(StrEnum):
    """The translation model's state; a ``str`` so it prints (and serialises) as its value."""

    UNKNOWN = "unknown"  # not asked yet, or the default may have changed: load on demand
    LOADING = "loading"
    READY = "ready"
    MISSING = "missing"  # no usable model (none installed, or it cannot be used): offer help
    ERROR = "error"  # loading failed with a bug

    @property
    def usable(self) -> bool:
        """A translation request may go ahead (now, or once the load finishes)."""
        return self in (ModelState.UNKNOWN, ModelState.LOADING, ModelState.READY)

    @property
    def needs_load(self) -> bool:
        return self is ModelState.UNKNOWN


class AutosaveQueue:
    """The autosave rule: one write in flight, only the latest snapshot waiting behind it."""

    def __init__(self) -> None:
        self.in_flight = False
        self.pending: str | None = None

    def offer(self, snapshot: str) -> str | None:
        """A new snapshot: returns it when it should be written now, else keeps it (replacing an
        older waiting one) for ``written``."""
        if self.in_flight:
            self.pending = snapshot
            return None
        self.in_flight = True
        return snapshot

    def written(self, *, closing: bool = False) -> str | None:
        """The write in flight ended (saved or failed): the snapshot to write next, if any.
        While the window closes nothing more is started (the final save writes the latest)."""
        data, self.pending = self.pending, None
        if data is None or closing:
            self.in_flight = False
            return None
        return data

    @property
    def busy(self) -> bool:
        return self.in_flight or self.pending is not None


class Generations:
    """A counter of edits: an analysis started at generation ``g`` is stale once it moved on."""

    def __init__(self) -> None:
        self.current = 0

    def bump(self) -> int:
        """The text changed (typed, pasted, replaced by an opened file)."""
        self.current += 1
        return self.current

    def is_current(self, generation: int) -> bool:
        return generation == self.current
