"""The ranked candidates of a plan and their order (pure: standard library and numpy).

`Ranked` holds every candidate that passed the checks as arrays, in candidate order (API
offers, then self-host options): `ordered` gives the rows shown (within budget first, then
quality, then cost, then candidate order; with a per-model cap), `pareto` the cost-vs-
quality front (each model's cheapest candidate, kept when better than every cheaper one).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from planner.rank_table import cheapest_per_model


@dataclass
class Ranked:
    """Every ranked candidate as arrays, in candidate order (API offers, then self-host).

    `subject(i)` builds the offer or option record of candidate i (only for shown rows).
    Candidates from `tail` on may arrive grouped by model (self-host options model-major).
    """

    model_id: np.ndarray
    quality: np.ndarray
    cost: np.ndarray
    subject: Callable[[int], object]
    cap: float
    tail: int = 0
    cheapest: np.ndarray | None = None  # from `tail` on: each model's cheapest is among them

    @property
    def count(self) -> int:
        return len(self.cost)

    @cached_property
    def over(self) -> np.ndarray:
        return self.cost > self.cap

    @cached_property
    def within(self) -> int:
        return self.count - int(np.count_nonzero(self.over))

    def ordered(self, limit: int, per_model: int = 0) -> list[int]:
        """Indices of the rows, best first: within budget, then quality (high first), then
        cost, then candidate order; when nothing is within a budget, the cheapest. With
        `per_model`, at most that many rows of any one model (its first ones in order)."""
        n = self.count
        if n == 0:
            return []
        seen: dict[int, int] = {}  # model id -> rows taken (with per_model)
        if self.cap != math.inf and self.within == 0:
            keys = (self.cost, -self.quality)
            return self._capped(np.arange(n), keys, limit, per_model, seen)
        over = self.over
        inside = np.flatnonzero(~over)
        keys = (-self.quality[inside], self.cost[inside])
        first = self._capped(inside, keys, limit, per_model, seen)
        if len(first) >= limit:
            return first
        outside = np.flatnonzero(over)
        keys = (-self.quality[outside], self.cost[outside])
        return first + self._capped(outside, keys, limit - len(first), per_model, seen)

    def _capped(
        self, index: np.ndarray, keys: tuple[np.ndarray, np.ndarray], k: int, per_model: int,
        seen: dict[int, int],
    ) -> list[int]:  # fmt: skip
        """top_k, skipping the entries of a model that already has `per_model` rows (counts
        kept in `seen` across calls). Looks at the first k × per_model entries in order,
        then four times more while too many were skipped."""
        if per_model <= 0:
            return top_k(index, keys, k)
        out: list[int] = []
        take = k * per_model
        while True:
            top = top_k(index, keys, min(take, len(index)))
            out, counts = [], dict(seen)
            for i, model in zip(top, self.model_id[top].tolist(), strict=True):
                if counts.get(model, 0) < per_model:
                    counts[model] = counts.get(model, 0) + 1
                    out.append(i)
                    if len(out) == k:
                        break
            if len(out) == k or take >= len(index):
                seen.update(counts)
                return out
            take *= 4

    def pareto(self) -> list[int]:
        """Cheapest first; on the front when better than every cheaper point. Only a
        model's cheapest candidate (first in order among equals) can be on the front."""
        if self.count == 0:
            return []
        tail, rest = self.tail, self.cheapest
        if rest is None:
            rest = cheapest_per_model(self.model_id[tail:], self.cost[tail:]) + tail
        points = np.concatenate((np.arange(tail), rest))  # each model's cheapest is here
        points = points[cheapest_per_model(self.model_id[points], self.cost[points])]
        order = points[np.lexsort((points, -self.quality[points], self.cost[points]))]
        q = self.quality[order]
        before = np.maximum.accumulate(np.concatenate(([-np.inf], q[:-1])))
        return order[q > before].tolist()


def top_k(index: np.ndarray, keys: tuple[np.ndarray, np.ndarray], k: int) -> list[int]:
    """The k entries of `index` smallest by (keys[0], keys[1], index), in that order.

    Exact: everything at or below the k-th smallest primary key is kept, then sorted.
    """
    if k <= 0 or len(index) == 0:
        return []
    primary, secondary = keys
    if len(index) > k:
        cut = np.partition(primary, k - 1)[k - 1]
        keep = primary <= cut
        index, primary, secondary = index[keep], primary[keep], secondary[keep]
    order = np.lexsort((index, secondary, primary))[:k]
    return index[order].tolist()
