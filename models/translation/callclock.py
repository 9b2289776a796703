"""What a CTranslate2 call costs on this machine right now, learned from the calls the engine
times: the Stop bound at beam > 1 (``Translator.max_call_seconds``).

A call of ``rows`` sentences padded to ``steps`` source tokens takes about
``steps x (fixed + per_row x rows)`` seconds: each decoding step has a fixed part (the layers'
weights are read once per step whatever the batch) and a part that grows with the rows. Both
parts are fitted to the last calls (least squares on the per-step time, older calls forgotten
geometrically), so the model follows a machine that gets busier or quieter. Until calls of
different widths have been seen, the fit leans on a prior shape: the row share measured for the
throughput planner (``batching.STEP_COST_ROWS``: a step's fixed part costs about 5 rows).

Why two parameters: a single seconds-per-unit scale on a fixed shape was wrong one way or the
other depending on the machine's load. With the shape ``1 + beam x rows`` a 15-row call was
predicted to cost 10x a 1-row call while it measured 1.7x on an idle 2-core machine, so
cancellable runs were cut into calls of 1-5 sentences and translated 1.5-2x slower than the CLI;
with the planner's shape (5 + rows) wide calls had been under-estimated 2-3x under contention.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from models.translation.batching import STEP_COST_ROWS

# Weight of the newest call against the one before it; 0.7 keeps about the last 3-4 calls.
FORGET = 0.7
# The prior shape counts as this many calls' worth of evidence.
PRIOR_WEIGHT = 1.0
# A row is never free (its beams' attention and output layer): at least this share of the fixed
# part, so a cap can never be met by adding rows of the same length without limit.
MIN_ROW_SHARE = 0.02


@dataclass
class CallClock:
    """Online fit of ``seconds / steps = fixed + per_row x rows`` over recent calls."""

    forget: float = FORGET
    row_share_prior: float = 1.0 / STEP_COST_ROWS
    # Weighted sums over observations of (r = rows, t = seconds per step): w, w r, w r^2, w t, w r t.
    _sums: list[float] = field(default_factory=lambda: [0.0] * 5)
    fixed: float | None = None  # seconds per step, None until a call was timed
    per_row: float = 0.0

    def observe(self, steps: int, rows: int, seconds: float) -> None:
        """Add one timed call (``steps``: its longest source in tokens)."""
        if seconds <= 0 or rows < 1:
            return
        t = seconds / max(1, steps)
        s = self._sums
        for k in range(5):
            s[k] *= self.forget
        r = float(rows)
        s[0] += 1.0
        s[1] += r
        s[2] += r * r
        s[3] += t
        s[4] += r * t
        self._fit()

    def _fit(self) -> None:
        w, wr, wrr, wt, wrt = self._sums
        k = self.row_share_prior
        # Minimise sum w (t - fixed - per_row r)^2 + mu (per_row - k fixed)^2: the prior term is
        # in the same units as a residual, so mu weighs like PRIOR_WEIGHT calls. With calls of
        # one width only, the data fix fixed + per_row r and the prior fixes their ratio.
        mu = PRIOR_WEIGHT
        a11 = w + mu * k * k
        a12 = wr - mu * k
        a22 = wrr + mu
        det = a11 * a22 - a12 * a12
        if det <= 0 or not math.isfinite(det):
            return
        fixed = (wt * a22 - wrt * a12) / det
        per_row = (a11 * wrt - a12 * wt) / det
        if fixed <= 0:  # all the cost in the rows: refit through the origin
            fixed = 0.0
            per_row = wrt / wrr if wrr > 0 else 0.0
        if per_row < MIN_ROW_SHARE * fixed:  # t = fixed (1 + m r): one-parameter fit
            m = MIN_ROW_SHARE
            fixed = (wt + m * wrt) / (w + 2 * m * wr + m * m * wrr)
            per_row = m * fixed
        if fixed <= 0 and per_row <= 0:
            return
        self.fixed, self.per_row = fixed, per_row

    def seconds(self, steps: int, rows: int) -> float:
        """Predicted seconds of a call; infinite until a call was timed (nothing may be batched
        before the engine knows what a call costs here)."""
        if self.fixed is None:
            return math.inf
        return max(1, steps) * (self.fixed + self.per_row * rows)
