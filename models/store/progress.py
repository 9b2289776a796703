"""What a download reports while it runs, and how sizes are written: one table for the CLI's
progress bar, ``models list`` and the window's banner and models dialog."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# The phases of a download or checkpoint import, in order, with the word a person reads.
PHASE_LABELS: dict[str, str] = {
    "resolve": "resolving",
    "download": "downloading",
    "verify": "verifying",
    "convert": "converting",
    "done": "done",
}


@dataclass
class DownloadProgress:
    """One progress report, for a CLI bar or a GUI banner alike.

    ``phase`` is one of ``PHASE_LABELS``; during ``"download"`` ``done``/``total`` count bytes
    over all files (``total`` None if unknown) and ``file`` names the file being fetched; during
    ``"verify"`` they count files.
    """

    model: str
    phase: str
    done: int = 0
    total: int | None = None
    file: str | None = None

    @property
    def label(self) -> str:
        return PHASE_LABELS.get(self.phase, self.phase)

    @property
    def fraction(self) -> float | None:
        """How far the byte download is (0..1), when that is known."""
        if self.phase != "download" or not self.total:
            return None
        return min(self.done / self.total, 1.0)


ProgressCallback = Callable[[DownloadProgress], None]


def format_size(size: int | float | None, unknown: str = "?") -> str:
    """Bytes in SI units as the catalog states them (1 MB = 10^6 bytes): "57 MB", "800 kB"."""
    if size is None or size < 0:
        return unknown
    return f"{size / 1e6:,.0f} MB" if size >= 1e6 else f"{size / 1e3:,.0f} kB"
