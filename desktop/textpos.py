"""Code-point offsets (the engine's) <-> UTF-16 positions (Qt's).

Python strings index by code point; QTextDocument positions count UTF-16 units, so every
character outside the Basic Multilingual Plane (emoji, some CJK) shifts later positions by one.
Qt-free so it can be tested without a display.
"""

from __future__ import annotations

import re
from bisect import bisect_right

# Characters outside the BMP; found by the regex engine (a Python loop over a 1 MB paste took
# 0.4 s on the GUI thread).
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class OffsetMap:
    """Fast two-way conversion for one text: astral characters are rare, so store only them."""

    def __init__(self, text: str) -> None:
        self.text = text
        # Code-point indices of characters that take two UTF-16 units.
        self._astral = [m.start() for m in _ASTRAL.finditer(text)]
        # Their UTF-16 positions (first unit), for the reverse direction.
        self._astral_u16 = [i + n for n, i in enumerate(self._astral)]

    def to_utf16(self, offset: int) -> int:
        """UTF-16 position of code-point ``offset`` (``len(text)`` allowed)."""
        offset = max(0, min(offset, len(self.text)))
        return offset + bisect_right(self._astral, offset - 1)

    def to_codepoint(self, pos: int) -> int:
        """Code-point offset of UTF-16 position ``pos``; a position inside a pair maps to its char."""
        pos = max(0, pos)
        n = bisect_right(self._astral_u16, pos - 1)
        # If pos is the second unit of a pair, n counted that pair but it is not complete.
        if n and self._astral_u16[n - 1] == pos - 1:
            return pos - (n - 1) - 1
        return min(pos - n, len(self.text))


def utf16_len(text: str) -> int:
    return len(text) + sum(1 for _ in _ASTRAL.finditer(text))


def cp_to_utf16(text: str, offset: int) -> int:
    return OffsetMap(text).to_utf16(offset)


def utf16_to_cp(text: str, pos: int) -> int:
    return OffsetMap(text).to_codepoint(pos)
