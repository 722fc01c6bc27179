"""Array helpers of the rank (pure: standard library and numpy).

`planner.engine.rank` evaluates self-host options as columns, a block of options at a time
(`rank_options`: the temporaries stay in the CPU cache). Each option gets one reason code
(the first check it fails, in the rank's order), built from small per-model and per-host
tables gathered once, with branch-free updates; the cost formulas then run on the
survivors only and write straight into the candidate arrays. `cheapest_per_model` finds
each model's cheapest candidate (what the Pareto front is built from) with one pass when
the candidates arrive grouped by model. `quality_scores` is `planner.rows.quality_score`
for many models at once (the same floats); `quality_scores_columns` the same on columns.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING

import numpy as np

from planner.costs import _EPS
from planner.records import Assumptions, CandidateModel

if TYPE_CHECKING:
    from planner.tables import SelfHostTable

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


class ModelLookup:
    """Per-model values by model id: the reason code (UNKNOWN for a model that is not
    there) and the quality score. `ids` sorted and unique; `n_values` sizes the choice
    between a table indexed by id (dense ids) and a binary search."""

    def __init__(self, ids: np.ndarray, code: np.ndarray, score: np.ndarray, n_values: int) -> None:
        self.ids, self.code, self.score = ids, code, score
        self.top = int(ids[-1]) if len(ids) else -1
        self.dense = len(ids) > 0 and ids[0] >= 0 and self.top < 4 * n_values + 1_000_000
        if self.dense:  # entry top + 1 (and -1) holds the default
            self.code_lut = np.full(self.top + 2, UNKNOWN, dtype=np.uint8)
            self.code_lut[ids] = code
            self.score_lut = np.zeros(self.top + 2)
            self.score_lut[ids] = score

    def _place(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        if self.dense:
            if len(values) and (values.min() < 0 or values.max() > self.top):
                values = np.clip(values, -1, self.top + 1)
            return values, None
        pos = np.minimum(np.searchsorted(self.ids, values), len(self.ids) - 1)
        return pos, self.ids[pos] == values

    def codes(self, values: np.ndarray) -> np.ndarray:
        if len(self.ids) == 0:
            return np.full(len(values), UNKNOWN, dtype=np.uint8)
        at, found = self._place(values)
        if found is None:
            return self.code_lut[at]
        return np.where(found, self.code[at], np.uint8(UNKNOWN))

    def scores(self, values: np.ndarray) -> np.ndarray:
        """Quality scores of models that are there (every value one of `ids`)."""
        if self.dense:
            return self.score_lut[values]
        return self.score[np.searchsorted(self.ids, values)]


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


@dataclass(frozen=True)
class Checks:
    """The per-option checks besides the model's: hardware choice and latency target."""

    places: np.ndarray  # per host: its code as a cloud option (host_codes)
    owned_n: np.ndarray  # per host: how many of its accelerator the user owns
    owned_ok: bool
    spot: bool
    max_ttft_s: float | None
    min_stream_tokens_per_s: float | None


@dataclass(frozen=True)
class Sizing:
    """The workload figures of the instance count (planner.costs.selfhost_instances)."""

    out_tokens: float
    prefill_tokens: float
    peak_concurrency: float
    requests_per_s: float
    max_utilization: float
    hours_per_month: float


@dataclass(frozen=True)
class Candidates:
    """Ranked candidates as arrays: the `head` ones (API offers) first, then the self-host
    options left after every check, in table order (`index`: their row in the table)."""

    model_id: np.ndarray
    quality: np.ndarray
    cost: np.ndarray
    index: np.ndarray
    cheapest: np.ndarray  # candidates holding each model's cheapest self-host option
    counts: dict[str, int]  # {reason: options left out for it}


BLOCK = 1 << 16  # options per block: a block's temporaries stay in the CPU cache


def rank_options(
    t: SelfHostTable,
    models: ModelLookup,
    checks: Checks,
    sizing: Sizing,
    head: tuple[np.ndarray, np.ndarray, np.ndarray],
    block: int = BLOCK,
) -> Candidates:
    """Check and cost every option of `t`, a block at a time (the same figures as one
    pass over the whole table; blocks keep the temporaries small), after the `head`
    candidates (model id, quality, cost)."""
    n, n_head = len(t), len(head[0])
    model_out = np.empty(n_head + n, dtype=np.int64)  # pages past the end are never touched
    quality_out, cost_out = np.empty(n_head + n), np.empty(n_head + n)
    index_out = np.empty(n, dtype=np.int64)
    for out, values in zip((model_out, quality_out, cost_out), head, strict=True):
        out[:n_head] = values
    tally = dict.fromkeys(REASONS, 0)
    too_few = 0
    cheapest = []
    at = n_head  # next candidate
    min_stream = checks.min_stream_tokens_per_s
    for start in range(0, n, block):
        cut = slice(start, min(start + block, n))
        host = t.host[cut]
        code = checks.places[host]  # as a cloud option
        _fail(code, t.spot[cut] != checks.spot, WRONG_PLACE)
        mine = np.flatnonzero(t.owned[cut])
        if len(mine):
            available = checks.owned_n[host[mine]] // np.maximum(t.device_count[cut][mine], 1)
            code[mine] = np.where(available < 1, NOT_OWNED, OK) if checks.owned_ok else MODE
        model_id = t.model_id[cut]
        np.minimum(code, models.codes(model_id), out=code)
        _fail(code, ~t.fits[cut], NO_FIT)
        total = t.decode_tokens_per_s_total[cut]
        _fail(code, ~(total > 0), NO_THROUGHPUT)
        if checks.max_ttft_s is not None:
            _fail(code, t.ttft_s[cut] > checks.max_ttft_s, SLOW)
        if min_stream is not None:
            _fail(code, t.stream_tokens_per_s[cut] < min_stream, SLOW)
        for c in REASONS:
            tally[c] += np.count_nonzero(code == c)
        keep = np.flatnonzero(code == OK)
        instances = instances_needed(
            total[keep],
            t.prefill_tokens_per_s[cut][keep],
            min_stream if min_stream else t.stream_tokens_per_s[cut][keep],
            sizing,
        )
        if len(mine):  # owned options left: enough accelerators for the load?
            limit = np.full(cut.stop - start, np.inf)
            limit[mine] = available
            enough = np.flatnonzero(instances <= limit[keep])
            if len(enough) < len(keep):  # (indices: boolean masks index slowly)
                too_few += len(keep) - len(enough)
                keep, instances = keep[enough], instances[enough]
        m = len(keep)
        done = slice(at, at + m)
        np.multiply(instances, t.hourly_usd[cut][keep], out=cost_out[done])
        cost_out[done] *= sizing.hours_per_month
        ids = model_out[done] = model_id[keep]
        quality_out[done] = models.scores(ids)
        np.add(keep, start, out=index_out[at - n_head : at - n_head + m])
        cheapest.append(cheapest_per_model(ids, cost_out[done]) + at)
        at += m
    counts = {reason: int(tally[c]) for c, reason in REASONS.items() if tally[c]}
    if too_few:
        counts[TOO_FEW] = too_few
    return Candidates(
        model_out[:at], quality_out[:at], cost_out[:at], index_out[: at - n_head],
        np.concatenate(cheapest), counts,
    )  # fmt: skip


def _fail(code: np.ndarray, mask: np.ndarray, reason: int) -> None:
    """code = min(code, reason) where mask (branch-free: masked ufuncs are slow)."""
    np.minimum(code, OK - (OK - reason) * mask.view(np.uint8), out=code)


def instances_needed(
    total: np.ndarray, prefill: np.ndarray, stream: np.ndarray | float, sizing: Sizing
) -> np.ndarray:
    """Instances per option, the same operations in the same order as
    `planner.costs.selfhost_instances` (bit-identical), on survivors (total > 0). `stream`
    (an array) is overwritten."""
    seconds = sizing.out_tokens / total
    if not np.isnan(prefill).all():
        has_prefill = prefill != 0
        has_prefill &= prefill == prefill  # not NaN
        if has_prefill.all():
            seconds += sizing.prefill_tokens / prefill
        elif has_prefill.any():
            # x + 0.0 == x, so adding zero where there is no prefill figure changes nothing
            extra = np.zeros(len(total))
            np.divide(sizing.prefill_tokens, prefill, out=extra, where=has_prefill)
            seconds += extra
    if isinstance(stream, np.ndarray):  # a temporary of the caller's: reused
        need = np.multiply(stream, sizing.peak_concurrency, out=stream)
        need /= total
    else:
        need = np.true_divide(sizing.peak_concurrency * stream, total)
    seconds *= sizing.requests_per_s
    seconds /= sizing.max_utilization  # the average need
    # need = where(avg > need, avg, need): the larger, or need where avg is NaN (a sum
    # is NaN when a term is)
    if math.isnan(float(seconds.sum())):
        need = np.where(seconds > need, seconds, need)
    else:
        np.maximum(need, seconds, out=need)
    # where(need > 1, ceil(need - eps), 1.0): ceil(need - eps) <= 1 when need <= 1; fmax
    # takes 1.0 over NaN
    need -= _EPS
    np.ceil(need, out=need)
    return np.fmax(need, 1.0, out=need)


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
    with np.errstate(invalid="ignore"):  # NaN costs: the model has no cheapest
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


def _shares(values: list | np.ndarray, full: float) -> np.ndarray:
    # min(1, log10(1 + max(x, 0)) / log10(1 + full)), with math.log10 as rows._share does
    if isinstance(values, np.ndarray):
        x = values.astype(np.float64)
    else:
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
    score = a.proxy_ceiling * (
        a.proxy_weight_downloads * downloads
        + a.proxy_weight_likes * likes
        + a.proxy_weight_size * size
    )
    for i, value in zip(proxy, round_3(score), strict=True):
        scores[i] = value
    return scores


def quality_scores_columns(
    quality_index: np.ndarray, downloads: np.ndarray, likes: np.ndarray,
    params_total: np.ndarray, assumptions: Assumptions,
) -> np.ndarray:  # fmt: skip
    """quality_scores on columns (NaN: None), the same floats: the measured index, else the
    proxy from downloads, likes and params_total (NaN counts as 0)."""
    scores = quality_index.astype(np.float64)  # a copy
    proxy = np.flatnonzero(np.isnan(scores))
    if len(proxy) == 0:
        return scores
    a = assumptions
    params = params_total[proxy]
    score = a.proxy_ceiling * (
        a.proxy_weight_downloads * _shares(downloads[proxy], a.proxy_downloads_full)
        + a.proxy_weight_likes * _shares(likes[proxy], a.proxy_likes_full)
        + a.proxy_weight_size
        * _shares(np.where(np.isnan(params), 0.0, params), a.proxy_params_full)
    )
    scores[proxy] = round_3(score)
    return scores


def round_3(x: np.ndarray) -> list[float]:
    """[round(v, 3) for v in x]: Python's round is correctly rounded (the double nearest
    the decimal); rint(x * 1000) / 1000 is the same double unless x * 1000 lies near a
    half (the product's error is far smaller than the margin), where Python rounds."""
    p = x * 1000.0
    out = (np.rint(p) / 1000.0).tolist()
    with np.errstate(invalid="ignore"):
        unsure = np.abs(p - np.floor(p) - 0.5) < 1e-6
    unsure |= ~(np.abs(x) < 1e9)  # large or not finite
    for i in np.flatnonzero(unsure).tolist():
        out[i] = round(float(x[i]), 3)
    return out
