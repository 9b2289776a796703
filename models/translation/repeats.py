"""The last line of the repetition guard: degenerate loops ("the the the the") collapsed to one
occurrence in what CTranslate2 produced."""

from __future__ import annotations


def collapse_repeats(tokens: list[str], max_unit: int = 8) -> list[str]:
    """Cut degenerate loops: a unit of 2..max_unit tokens repeated 3+ times in a row, or one token
    repeated 4+ times, is kept once. Ordinary text ("very very", "1 000 000") is left alone."""
    while True:
        shorter = _collapse_once(tokens, max_unit)
        if len(shorter) == len(tokens):
            return shorter
        tokens = shorter  # cutting one loop can expose another ("a b a b" after "b b b b")


def _collapse_once(tokens: list[str], max_unit: int) -> list[str]:
    out: list[str] = []
    i = 0
    n = len(tokens)
    while i < n:
        collapsed = False
        for unit in range(1, max_unit + 1):
            need = 4 if unit == 1 else 3
            if i + unit * need > n:
                break
            chunk = tokens[i : i + unit]
            reps = 1
            while tokens[i + reps * unit : i + (reps + 1) * unit] == chunk:
                reps += 1
            if reps >= need:
                out.extend(chunk)
                i += reps * unit
                collapsed = True
                break
        if not collapsed:
            out.append(tokens[i])
            i += 1
    return out
