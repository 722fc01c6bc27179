"""Array helpers of the rank (pure: standard library and numpy).

`planner.engine.rank` evaluates self-host options as columns. The helpers here keep the
full-length work to a few passes: each option gets one reason code (the first check it
fails, in the rank's order), built from small per-model and per-host tables gathered once,
and the cost formulas then run on the survivors only. `cheapest_per_model` finds each
model's cheapest candidate (what the Pareto front is built from) with one pass when the
candidates arrive grouped by model. `quality_scores` is `planner.rows.quality_score` for
many models at once (the same floats).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import repeat
from operator import attrgetter

import numpy as np

from planner.costs import _EPS
from planner.records import Assumptions, CandidateModel

# Reason codes, in the order the rank checks them: an option's code is the first check it
# fails (the smallest code), OK when it passes every one. UNKNOWN (a model that did not pass
# the model checks) and MODE (owned/cloud not chosen) are left out without being counted.
UNKNOWN, NO_FIT, CLOSED, SHORT_CONTEXT, MODE, NOT_OWNED = 0, 1, 2, 3, 4, 5
WRONG_PLACE, BANNED, NO_THROUGHPUT, SLOW, OK = 6, 7, 8, 9, 10
REASONS: dict[int, str] = {
    NO_FIT: "self-host: does not fit in memory",
    CLOSED: "self-host: weights not open",
    SHORT_CONTEXT: "self-host: context shorter than required",
    NOT_OWNED: "owned: accelerator not owned (or too few)",
    WRONG_PLACE: "cloud: other cloud, region or pricing",
    BANNED: "cloud: provider excluded",
    NO_THROUGHPUT: "self-host: no throughput figure",
    SLOW: "self-host: misses the latency target",
}
TOO_FEW = "owned: too few accelerators for the load"


def gather_by_id(
    ids: np.ndarray, table: np.ndarray, values: np.ndarray, default: float | int
) -> np.ndarray:
    """`table[i]` for each value equal to `ids[i]` (`ids` sorted, unique), else `default`."""
    if len(ids) == 0 or len(values) == 0:
        return np.full(len(values), default, dtype=table.dtype)
    top = int(ids[-1])
    if ids[0] >= 0 and top < 4 * len(values) + 1_000_000:
        lut = np.full(top + 2, default, dtype=table.dtype)  # lut[top + 1] (and [-1]): default
        lut[ids] = table
        if values.min() < 0 or values.max() > top:
            values = np.clip(values, -1, top + 1)
        return lut[values]
    pos = np.minimum(np.searchsorted(ids, values), len(ids) - 1)
    return np.where(ids[pos] == values, table[pos], table.dtype.type(default))


def model_codes(hostable: np.ndarray, open_weights: np.ndarray) -> np.ndarray:
    """Per model: OK when self-hostable, else why not (weights first, then context)."""
    code = np.full(len(hostable), OK, dtype=np.uint8)
    code[~hostable] = SHORT_CONTEXT
    code[~hostable & ~open_weights] = CLOSED
    return code


def host_codes(
    hosts: Sequence[tuple[str, str, str, str, str]],
    *,
    cloud_ok: bool,
    clouds: set[str],
    regions: set[str],
    banned: set[str],
) -> np.ndarray:
    """Per host, as a cloud host: MODE (cloud not chosen), WRONG_PLACE, BANNED or OK."""
    code = np.full(len(hosts), OK, dtype=np.uint8)
    for i, (_, _, cloud, region, _) in enumerate(hosts):
        if not cloud_ok:
            code[i] = MODE
        elif (clouds and cloud not in clouds) or (regions and region not in regions):
            code[i] = WRONG_PLACE
        elif cloud in banned:
            code[i] = BANNED
    return code


def count_codes(code: np.ndarray) -> dict[str, int]:
    """{reason: options whose first failed check it is}, for the counted reasons."""
    counts = np.bincount(code, minlength=OK + 1)
    return {reason: int(counts[c]) for c, reason in REASONS.items() if counts[c]}


def instances_needed(
    total: np.ndarray,
    prefill: np.ndarray,
    stream: np.ndarray | float,
    *,
    out_tokens: float,
    prefill_tokens: float,
    peak_concurrency: float,
    requests_per_s: float,
    max_utilization: float,
) -> np.ndarray:
    """Instances per option, the same operations in the same order as
    `planner.costs.selfhost_instances` (bit-identical), on survivors (total > 0)."""
    seconds = out_tokens / total
    has_prefill = prefill != 0
    has_prefill &= ~np.isnan(prefill)
    if has_prefill.any():
        # x + 0.0 == x, so adding zero where there is no prefill figure changes nothing
        extra = np.zeros(len(total))
        np.divide(prefill_tokens, prefill, out=extra, where=has_prefill)
        seconds += extra
    need = np.true_divide(peak_concurrency * stream, total)
    seconds *= requests_per_s
    seconds /= max_utilization  # the average need
    np.copyto(need, seconds, where=seconds > need)
    big = need > 1.0
    need -= _EPS
    np.ceil(need, out=need)
    need[~big] = 1.0
    return need


def cheapest_per_model(model_id: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Indices of each model's cheapest candidate (the first in order among equal costs),
    sorted. One pass over runs when `model_id` is grouped (non-decreasing); models whose
    cost is NaN have none."""
    n = len(cost)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n > 1 and not bool(np.all(model_id[1:] >= model_id[:-1])):
        return _cheapest_general(model_id, cost)
    starts = np.concatenate(([0], np.flatnonzero(model_id[1:] != model_id[:-1]) + 1))
    ends = np.append(starts[1:], n)
    lowest = np.minimum.reduceat(cost, starts)
    at_min = np.flatnonzero(cost <= np.repeat(lowest, ends - starts))
    if len(at_min) == 0:
        return at_min
    pos = np.searchsorted(at_min, starts)  # the first candidate at the minimum of each run
    first = at_min[np.minimum(pos, len(at_min) - 1)]
    return first[(pos < len(at_min)) & (first < ends)]


def _cheapest_general(model_id: np.ndarray, cost: np.ndarray) -> np.ndarray:
    inverse = dense_ids(model_id)
    lowest = np.full(int(inverse.max()) + 1, np.inf)
    np.minimum.at(lowest, inverse, cost)
    at_min = np.flatnonzero(cost <= lowest[inverse])
    _, first = np.unique(inverse[at_min], return_index=True)
    return np.sort(at_min[first])


def dense_ids(values: np.ndarray) -> np.ndarray:
    """Small non-negative integers with the same equalities as `values` (ids)."""
    if len(values) and values.min() >= 0 and values.max() < 4 * len(values) + 1_000_000:
        lut = np.zeros(int(values.max()) + 1, dtype=bool)
        lut[values] = True
        dense = np.cumsum(lut) - 1
        return dense[values]
    return np.unique(values, return_inverse=True)[1]


def _shares(values: list, full: float) -> np.ndarray:
    # min(1, log10(1 + max(x, 0)) / log10(1 + full)), with math.log10 as rows._share does
    x = np.fromiter(values, dtype=np.float64, count=len(values))
    plus = (1.0 + np.maximum(x, 0.0)).tolist()
    logs = np.fromiter(map(math.log10, plus), dtype=np.float64, count=len(plus))
    share = logs / math.log10(1.0 + full)
    return np.where(share < 1.0, share, 1.0)  # min(1.0, share)


def quality_scores(models: Sequence[CandidateModel], assumptions: Assumptions) -> list[float]:
    """[quality_score(m, assumptions) for m in models], the same floats, in fewer calls."""
    scores: list[float] = [
        0.0 if q is None else float(q) for q in map(attrgetter("quality_index"), models)
    ]
    proxy = [i for i, m in enumerate(models) if m.quality_index is None]
    if not proxy:
        return scores
    a = assumptions
    sub = [models[i] for i in proxy]
    downloads = _shares([m.downloads for m in sub], a.proxy_downloads_full)
    likes = _shares([m.likes for m in sub], a.proxy_likes_full)
    size = _shares([m.params_total or 0 for m in sub], a.proxy_params_full)
    score = 100.0 * (
        a.proxy_weight_downloads * downloads
        + a.proxy_weight_likes * likes
        + a.proxy_weight_size * size
    )
    for i, s in zip(proxy, map(round, score.tolist(), repeat(3)), strict=True):
        scores[i] = s
    return scores
