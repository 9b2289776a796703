"""Code points <-> UTF-16: the conversion every highlight depends on."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from desktop.textpos import OffsetMap, cp_to_utf16, utf16_len, utf16_to_cp


def _u16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_emoji_shift_positions_after_them() -> None:
    text = "Hei 😀 på deg. 𝔘𝔫𝔦 ok."
    m = OffsetMap(text)
    start = text.index("ok")
    assert m.to_utf16(start) == _u16(text[:start]) == start + 4  # four astral chars before "ok"
    assert m.to_codepoint(m.to_utf16(start)) == start
    assert utf16_len(text) == _u16(text)


def test_position_inside_a_surrogate_pair_maps_to_that_character() -> None:
    text = "a😀b"
    assert utf16_to_cp(text, 2) == 1  # second unit of the emoji
    assert cp_to_utf16(text, 2) == 3


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_round_trip_for_every_offset(text: str) -> None:
    m = OffsetMap(text)
    for i in range(len(text) + 1):
        u = m.to_utf16(i)
        assert u == _u16(text[:i])
        assert m.to_codepoint(u) == i
