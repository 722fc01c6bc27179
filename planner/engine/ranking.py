"""Stage 5, ranking: the candidates left, in order (pure: standard library and numpy).

`Ranked` holds every candidate that passed the checks as arrays, in candidate order (API
offers, then self-host options): `ordered` gives the rows shown (within budget first, then
quality, then cost, then candidate order; with a per-model cap), `pareto` the cost-vs-
quality front (each model's cheapest candidate, kept when better than every cheaper one).
`api_candidates` and `selfhost_candidates` run the checks and costs of the two kinds of
option; of several listings of one provider for one model, only the cheapest for the
workload is ranked (`cheapest_listing`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from planner.engine.arrays import cheapest_per_model
from planner.engine.candidates import PassingModels
from planner.engine.checks import (
    ModelLookup,
    counts_out,
    model_codes,
    offer_checks,
    selfhost_checks,
)
from planner.engine.columns import ApiOfferTable, SelfHostTable
from planner.engine.costs import (
    Candidates,
    cost_options,
    monthly_api_usd_columns,
    sizing_of,
)
from planner.engine.options import Passing, records_prefilter
from planner.records import (
    KINDS_PREFERRED,
    MODE_CLOUD,
    MODE_OWNED,
    PREFERRED_PRICE_MARGIN,
    Assumptions,
    Constraints,
    HardwareChoice,
    Workload,
)


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
    order_cost: np.ndarray | None = None  # the cost rows are ordered by (None: `cost`)

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
        by = self.cost if self.order_cost is None else self.order_cost
        inside = np.flatnonzero(~over)
        keys = (-self.quality[inside], by[inside])
        first = self._capped(inside, keys, limit, per_model, seen)
        if len(first) >= limit:
            return first
        outside = np.flatnonzero(over)
        keys = (-self.quality[outside], by[outside])
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


SAME_PROVIDER = "api: the same provider's cheaper listing is ranked"


def api_candidates(
    workload: Workload,
    offers: ApiOfferTable,
    model_ids: np.ndarray,
    model_ctx_ok: np.ndarray,
    *,
    banned: set[str],
    min_context_tokens: int | None,
    requests: float,
    cache_share: float,
    out: Callable[[str, int], None],
    sellers: Constraints | None = None,
    free: list | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(positions of the offers left, in order; their index into `model_ids`; their
    monthly USD): checks, then costs, then one listing per (model, provider).
    `model_ids` are the passing models' ids, sorted and unique; `model_ctx_ok` says, in
    the same order, whether each model's context is long enough. With `sellers` (the
    constraints) free tiers are left out unless let in, and so are offers priced at zero
    (a free tier by another name): their positions are appended to `free`."""
    if len(offers) == 0 or len(model_ids) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.float64)
    index, pos, free_index = offer_checks(
        workload, offers, model_ids, model_ctx_ok, banned=banned,
        min_context_tokens=min_context_tokens, out=out, sellers=sellers,
    )  # fmt: skip
    cost = monthly_api_usd_columns(workload, offers, index, requests, cache_share)
    if sellers is not None and not sellers.include_free_tiers and requests > 0:
        zero = cost <= 0
        if k := int(np.count_nonzero(zero)):
            out("api: free tier (listed apart, to try for free)", k)
            free_index = np.sort(np.concatenate((free_index, index[zero])))
            index, cost = index[~zero], cost[~zero]
    if free is not None:
        free.extend(free_index.tolist())
    keep = cheapest_listing(offers, index, cost)
    if dropped := len(index) - len(keep):
        out(SAME_PROVIDER, dropped)
    return index[keep], pos[index[keep]], cost[keep]


def preferred_order_cost(offers: ApiOfferTable, index: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """The cost the rank orders API offers by: a first-party lab's or a hyperscaler's
    offer within PREFERRED_PRICE_MARGIN (5%) of another's price ranks before it."""
    if not offers.provider_kinds or len(index) == 0:
        return cost
    preferred = np.isin(offers.kinds()[index], list(KINDS_PREFERRED))
    return np.where(preferred, cost / (1.0 + PREFERRED_PRICE_MARGIN), cost)


def cheapest_listing(offers: ApiOfferTable, index: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Positions (into `index`, in order) of each (model, provider slug)'s cheapest offer;
    the first in order among equals. Several feeds often price the same provider's model
    (OpenRouter's own API, models.dev and genai-prices all list OpenRouter), sometimes with
    dated variants of the model: one row per provider is what a user can buy."""
    n = len(index)
    if n < 2:
        return np.arange(n)
    slugs: dict[str, int] = {}
    slug_of = np.array([slugs.setdefault(slug, len(slugs)) for slug, _ in offers.providers])
    provider = slug_of[offers.provider[index]]
    model = offers.model_id[index]
    order = np.lexsort((np.arange(n), cost, provider, model))
    m, p = model[order], provider[order]
    first = np.ones(n, dtype=bool)
    first[1:] = (m[1:] != m[:-1]) | (p[1:] != p[:-1])
    return np.sort(order[first])


def selfhost_candidates(
    workload: Workload,
    hardware: HardwareChoice,
    passing: Passing,
    models: PassingModels,
    banned: set[str],
    options: Iterable,
    assumptions: Assumptions,
    out: Callable[[str, int], None],
    head: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> tuple[SelfHostTable | None, Candidates | None]:
    """(table, the `head` candidates then the options left after the checks, in order,
    with their monthly cost); (None, None) when no option is left to check."""
    owned_ok, cloud_ok = hardware.allows(MODE_OWNED), hardware.allows(MODE_CLOUD)
    if not (owned_ok or cloud_ok) or not passing:
        return None, None
    counts: dict[str, int] = {}
    if isinstance(options, SelfHostTable):
        t = options
    else:
        t = SelfHostTable.from_options(records_prefilter(options, passing, counts))
    if len(t) == 0:
        counts_out(counts, out)
        return None, None
    checks = selfhost_checks(
        t, workload=workload, owned_ok=owned_ok, cloud_ok=cloud_ok, clouds=set(hardware.clouds),
        regions=set(hardware.regions), banned=banned, owned=hardware.owned, spot=hardware.spot,
    )  # fmt: skip
    lookup = ModelLookup(
        models.ids, model_codes(models.hostable, models.open_weights), models.score, len(t)
    )
    left = cost_options(t, lookup, checks, sizing_of(workload, assumptions), head)
    for reason, n in left.counts.items():
        counts[reason] = counts.get(reason, 0) + n
    counts_out(counts, out)
    return t, left
