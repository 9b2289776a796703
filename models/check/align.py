"""Length-based alignment (Gale & Church 1993) of paragraphs and sentences for ``nordbrief check``.

Translations keep the order of the original, and a sentence's length in characters predicts its
translation's length well; so a dynamic programme over the moves 1-1, 1-0, 0-1, 2-1 and 1-2, each
costed by how unlikely the length difference is (a normal model) plus a prior for the move, finds
the most probable alignment. Equal counts are taken as 1-1 (a careful translation keeps them).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

# Prior probabilities of the moves (Gale & Church's figures, 1-0 and 0-1 split evenly).
_PRIORS: dict[tuple[int, int], float] = {
    (1, 1): 0.89,
    (1, 0): 0.0099 / 2,
    (0, 1): 0.0099 / 2,
    (2, 1): 0.089 / 2,
    (1, 2): 0.089 / 2,
}
# English text runs about as long as Norwegian in characters; variance per character from G&C.
RATIO = 1.05
VARIANCE = 6.8

Block = tuple[list[int], list[int]]


def _match_cost(ls: int, lt: int) -> float:
    if ls == 0 and lt == 0:
        return 0.0
    mean = (ls + lt / RATIO) / 2
    z = (RATIO * ls - lt) / math.sqrt(VARIANCE * max(mean, 1.0))
    prob = math.erfc(abs(z) / math.sqrt(2))  # two-tailed P(|Z| >= |z|)
    return -math.log(max(prob, 1e-12))


def align_lengths(src: Sequence[int], tgt: Sequence[int]) -> list[Block]:
    """Best monotone alignment of two length lists: blocks of (source indices, target indices)."""
    n, m = len(src), len(tgt)
    if n == m:
        return [([i], [i]) for i in range(n)]
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if cost[i][j] == inf:
                continue
            for (di, dj), prior in _PRIORS.items():
                ni, nj = i + di, j + dj
                if ni > n or nj > m:
                    continue
                ls = sum(src[i:ni])
                lt = sum(tgt[j:nj])
                c = cost[i][j] - math.log(prior) + _match_cost(ls, lt)
                if c < cost[ni][nj]:
                    cost[ni][nj] = c
                    back[ni][nj] = (di, dj)
    blocks: list[Block] = []
    i, j = n, m
    while i > 0 or j > 0:
        step = back[i][j]
        if step is None:  # unreachable: every cell is reachable through 1-0/0-1 moves
            break
        di, dj = step
        blocks.append((list(range(i - di, i)), list(range(j - dj, j))))
        i, j = i - di, j - dj
    blocks.reverse()
    return blocks
