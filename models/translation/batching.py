"""Which sentences decode together: length-sorted batches cut where a measured cost model says
they decode fastest (README "Translation")."""

from __future__ import annotations

from collections.abc import Sequence

# Cost of one decoding step of a batch, in rows: CTranslate2 on 2 cores, beam 2, int8, measured
# on the base and big shapes (step time ~ 10 ms + 2.1 ms x rows for base, 28 ms + 4.9 ms x rows
# for big: README "Translation"). Padding a batch to its longest sentence costs rows x steps, so
# merging two length groups pays only when the padding it adds is below this fixed cost.
STEP_COST_ROWS = 5.0


def call_units(longest: int, rows: int, step_cost_rows: float = STEP_COST_ROWS) -> float:
    """The cost model's price of one CTranslate2 call, in row-steps: ``longest x (fixed + rows)``."""
    return max(1, longest) * (step_cost_rows + rows)


def plan_batches(
    lengths: Sequence[int],
    *,
    max_tokens: int,
    step_cost_rows: float = STEP_COST_ROWS,
) -> list[list[int]]:
    """Cut parts into CTranslate2 calls that decode fastest; returns lists of indices.

    Decoding a batch takes about ``longest x (step_cost_rows + rows)`` row-steps (every row is
    padded to the longest, and each step has a fixed cost independent of the rows), so the parts
    are sorted by length and split into contiguous groups by dynamic programming, each group at
    most ``max_tokens`` padded tokens (rows x longest). Few, wide batches of similar length win;
    a short sentence is not dragged through a long one's decoding steps. The plan does not
    depend on whether anyone may stop the run: a Stop never waits for a call (the engine leaves
    an unwanted call to finish in CTranslate2's worker), so a cancellable run batches as wide as
    the CLI's.
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    n = len(order)
    best = [0.0] + [float("inf")] * n  # best[k]: cost of the first k sorted parts
    cut = [0] * (n + 1)
    for end in range(1, n + 1):
        longest = max(1, lengths[order[end - 1]])  # sorted: the group's last part is its longest
        for start in range(end - 1, -1, -1):
            rows = end - start
            if rows > 1 and rows * longest > max_tokens:
                break
            cost = best[start] + call_units(longest, rows, step_cost_rows)
            if cost < best[end]:
                best[end], cut[end] = cost, start
    groups: list[list[int]] = []
    end = n
    while end > 0:
        groups.append([order[k] for k in range(cut[end], end)])
        end = cut[end]
    # Earliest document position first, so results stream out in order as early as they can.
    return sorted(groups, key=min)
