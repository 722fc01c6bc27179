"""API offers checked and costed as columns (pure: standard library and numpy).

`planner.engine.rank` hands the offers here as an `ApiOfferTable`. Each offer of a model
that passed the model checks is left out by the first check it fails, in this order, and
counted under that reason: provider excluded, context shorter than required (the offer's
own limit when it states one, else the model's), no price for a unit the workload uses,
misses the latency target (a figure that is not known does not fail it). The monthly cost
of the others is `planner.costs.monthly_api_usd` on arrays: the same operations in the
same order, so the same floats. Of several listings of one provider for one model, only
the cheapest for the workload is ranked (`cheapest_listing`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from planner.records import Workload
from planner.tables import ApiOfferTable

SAME_PROVIDER = "api: the same provider's cheaper listing is ranked"


def rank_offers(
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
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(positions of the offers left, in order; their index into `model_ids`; their
    monthly USD). `model_ids` are the passing models' ids, sorted and unique;
    `model_ctx_ok` says, in the same order, whether each model's context is long enough.
    """
    n = len(offers)
    if n == 0 or len(model_ids) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.float64)
    pos = np.minimum(np.searchsorted(model_ids, offers.model_id), len(model_ids) - 1)
    alive = model_ids[pos] == offers.model_id  # other models: left out, not counted

    def drop(reason: str, failed: np.ndarray) -> None:
        nonlocal alive
        hit = alive & failed
        if k := int(np.count_nonzero(hit)):
            out(reason, k)
            alive = alive & ~hit

    if banned:
        is_banned = np.array([slug in banned for slug, _ in offers.providers], dtype=bool)
        drop("api: provider excluded", is_banned[offers.provider])
    ctx = offers.context_tokens
    stated = ~np.isnan(ctx)
    own_ok = stated if min_context_tokens is None else stated & (ctx >= min_context_tokens)
    drop("api: context shorter than required", ~np.where(stated, own_ok, model_ctx_ok[pos]))
    w = workload
    missing = np.zeros(n, dtype=bool)
    for used, price in (
        (w.avg_input_tokens > 0, offers.usd_per_mtok_input),
        (w.avg_output_tokens > 0, offers.usd_per_mtok_output),
        (w.images_per_request > 0, offers.usd_per_image),
        (w.audio_minutes_per_request > 0, offers.usd_per_audio_minute),
    ):
        if used:
            missing |= np.isnan(price)
    drop("api: no price for a unit the workload uses", missing)
    slow = np.zeros(n, dtype=bool)
    if w.max_ttft_s is not None:
        ttft = offers.ttft_s
        slow |= ~np.isnan(ttft) & ~(ttft <= w.max_ttft_s)
    if w.min_stream_tokens_per_s is not None:
        stream = offers.stream_tokens_per_s
        slow |= ~np.isnan(stream) & ~(stream >= w.min_stream_tokens_per_s)
    drop("api: misses the latency target", slow)
    index = np.flatnonzero(alive)
    cost = monthly_api_usd_columns(w, offers, index, requests, cache_share)
    keep = cheapest_listing(offers, index, cost)
    if dropped := len(index) - len(keep):
        out(SAME_PROVIDER, dropped)
    return index[keep], pos[index[keep]], cost[keep]


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


def _zero_nan(x: np.ndarray) -> np.ndarray:
    """`price or 0.0` of the scalar formula (None, here NaN, counts as 0)."""
    return np.where(np.isnan(x), 0.0, x)


def monthly_api_usd_columns(
    workload: Workload, offers: ApiOfferTable, index: np.ndarray, requests: float,
    cache_share: float,
) -> np.ndarray:  # fmt: skip
    """planner.costs.monthly_api_usd for the offers at `index` (prices there must be)."""
    b_in, b_out = offers.usd_per_mtok_batch_input[index], offers.usd_per_mtok_batch_output[index]
    batch = (
        np.zeros(len(index), dtype=bool)
        if not workload.batch_ok
        else ~np.isnan(b_in) & ~np.isnan(b_out)
    )
    p_in = _zero_nan(np.where(batch, b_in, offers.usd_per_mtok_input[index]))
    p_out = _zero_nan(np.where(batch, b_out, offers.usd_per_mtok_output[index]))
    cached = offers.usd_per_mtok_cached_input[index]
    with np.errstate(invalid="ignore"):
        p_cached = np.where(
            np.isnan(cached), p_in, np.where(batch, np.minimum(cached, p_in), cached)
        )
    r, tokens_in = requests, workload.avg_input_tokens
    return (
        r * tokens_in * (1.0 - cache_share) * p_in / 1e6
        + r * tokens_in * cache_share * p_cached / 1e6
        + r * workload.avg_output_tokens * p_out / 1e6
        + r * workload.images_per_request * _zero_nan(offers.usd_per_image[index])
        + r * workload.audio_minutes_per_request * _zero_nan(offers.usd_per_audio_minute[index])
    )
