"""Stage 3, checks: why an option is left out (pure: standard library and numpy).

Each self-host option gets one reason code, the first check it fails in the rank's order
(`option_codes`, on a block of a `SelfHostTable`), built from small per-model and
per-host tables gathered once, with branch-free updates. Each API offer of a passing model
is left out by the first check it fails, in this order, and counted under that reason
(`offer_checks`): provider excluded, context shorter than required (the offer's own limit
when it states one, else the model's), no price for a unit the workload uses, misses the
latency target (a figure that is not known does not fail it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from planner.engine.columns import ApiOfferTable, SelfHostTable
from planner.records import (
    KIND_FREE_TIER,
    KINDS_NOT_PAYG,
    KINDS_RESELLER,
    ApiOffer,
    Constraints,
    Workload,
)
from pricing.costing import CostBreakdown, OfferPricing, Usage
from pricing.costing.floats import float_usage, request_breakdown

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


def _fail(code: np.ndarray, mask: np.ndarray, reason: int) -> None:
    """code = min(code, reason) where mask (branch-free: masked ufuncs are slow)."""
    np.minimum(code, OK - (OK - reason) * mask.view(np.uint8), out=code)


class MissingPriceError(ValueError):
    """The offer has no price for a unit the workload uses."""


def api_usage(workload: Workload, cache_share: float) -> Usage:
    """One request of the workload as the cost engine's usage (cache share clipped)."""
    return float_usage(
        input_tokens=workload.avg_input_tokens, output_tokens=workload.avg_output_tokens,
        cache_share=cache_share, images=workload.images_per_request,
        audio_minutes=workload.audio_minutes_per_request, batch=workload.batch_ok,
    )  # fmt: skip


def breakdowns(usage: Usage, pricings: Sequence[OfferPricing]) -> list[CostBreakdown]:
    """request_breakdown(usage, p) for each p, worked out once per distinct OfferPricing
    object (offers with equal price rows share one)."""
    memo: dict[int, CostBreakdown] = {}
    out = []
    for p in pricings:
        got = memo.get(id(p))
        if got is None:
            got = memo[id(p)] = request_breakdown(usage, p)
        out.append(got)
    return out


def workload_usage(workload: Workload) -> Usage:
    """api_usage at the workload's own cache share (clipped to 0..1)."""
    return api_usage(workload, min(max(workload.cacheable_input_share, 0.0), 1.0))


def api_offer_missing_prices(workload: Workload, offer: ApiOffer) -> tuple[str, ...]:
    """The units the workload uses that the offer does not price: what the one cost
    function reports missing on the offer's price rows (`pricing.costing.price_request`,
    as `POST /api/estimate/cost/` leaves such offers out), else on its summary columns."""
    if offer.pricing is not None:
        return request_breakdown(workload_usage(workload), offer.pricing).missing
    missing = []
    if workload.avg_input_tokens > 0 and offer.usd_per_mtok_input is None:
        missing.append("input tokens")
    if workload.avg_output_tokens > 0 and offer.usd_per_mtok_output is None:
        missing.append("output tokens")
    if workload.images_per_request > 0 and offer.usd_per_image is None:
        missing.append("images")
    if workload.audio_minutes_per_request > 0 and offer.usd_per_audio_minute is None:
        missing.append("audio minutes")
    return tuple(missing)


def latency_ok(workload: Workload, ttft_s: float | None, stream: float | None) -> bool | None:
    """True/False against the target; None when there is no target or the figure is unknown."""
    checks = []
    if workload.max_ttft_s is not None:
        checks.append(None if ttft_s is None else ttft_s <= workload.max_ttft_s)
    if workload.min_stream_tokens_per_s is not None:
        checks.append(None if stream is None else stream >= workload.min_stream_tokens_per_s)
    if False in checks:
        return False
    if not checks or None in checks:
        return None
    return True


def counts_out(counts: dict[str, int], out: Callable[[str, int], None]) -> None:
    for reason in _SELFHOST_REASONS:
        if counts.get(reason):
            out(reason, counts[reason])


_SELFHOST_REASONS = (  # the order the reasons are reported in
    REASONS[NO_FIT], REASONS[CLOSED], REASONS[SHORT_CONTEXT], REASONS[NOT_OWNED], TOO_FEW,
    REASONS[WRONG_PLACE], REASONS[BANNED], REASONS[NO_THROUGHPUT], REASONS[SLOW],
)  # fmt: skip


def selfhost_checks(
    t: SelfHostTable, *, workload: Workload, owned_ok: bool, cloud_ok: bool, clouds: set[str],
    regions: set[str], banned: set[str], owned: Sequence[tuple[str, int]], spot: bool,
) -> Checks:  # fmt: skip
    """The per-host tables of the option checks (host_codes, accelerators owned)."""
    owned_counts: dict[str, int] = {}
    for slug, count in owned:
        owned_counts[slug] = owned_counts.get(slug, 0) + count
    return Checks(
        places=host_codes(
            t.hosts, cloud_ok=cloud_ok, clouds=clouds, regions=regions, banned=banned
        ),
        owned_n=np.array([owned_counts.get(h[0], 0) for h in t.hosts], dtype=np.int64),
        owned_ok=owned_ok, spot=spot, max_ttft_s=workload.max_ttft_s,
        min_stream_tokens_per_s=workload.min_stream_tokens_per_s,
    )  # fmt: skip


def option_codes(
    t: SelfHostTable, cut: slice, models: ModelLookup, checks: Checks
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(reason code per option of the block `cut`, positions of the owned options in the
    block, how many instances of each the user owns; None when none is owned)."""
    host = t.host[cut]
    code = checks.places[host]  # as a cloud option
    _fail(code, t.spot[cut] != checks.spot, WRONG_PLACE)
    mine = np.flatnonzero(t.owned[cut])
    available = None
    if len(mine):
        available = checks.owned_n[host[mine]] // np.maximum(t.device_count[cut][mine], 1)
        code[mine] = np.where(available < 1, NOT_OWNED, OK) if checks.owned_ok else MODE
    np.minimum(code, models.codes(t.model_id[cut]), out=code)
    _fail(code, ~t.fits[cut], NO_FIT)
    _fail(code, ~(t.decode_tokens_per_s_total[cut] > 0), NO_THROUGHPUT)
    if checks.max_ttft_s is not None:
        _fail(code, t.ttft_s[cut] > checks.max_ttft_s, SLOW)
    if checks.min_stream_tokens_per_s is not None:
        _fail(code, t.stream_tokens_per_s[cut] < checks.min_stream_tokens_per_s, SLOW)
    return code, mine, available


def offer_checks(
    workload: Workload,
    offers: ApiOfferTable,
    model_ids: np.ndarray,
    model_ctx_ok: np.ndarray,
    *,
    banned: set[str],
    min_context_tokens: int | None,
    out: Callable[[str, int], None],
    sellers: Constraints | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(positions of the offers that pass, in order; each offer's index into `model_ids`;
    positions of the free-tier offers that pass every other check). `model_ids` are the
    passing models' ids, sorted and unique; `model_ctx_ok` says, in the same order, whether
    each model's context is long enough. `sellers` (constraints): which kinds of seller
    are let in (None: every one)."""
    n = len(offers)
    pos = np.minimum(np.searchsorted(model_ids, offers.model_id), len(model_ids) - 1)
    alive = model_ids[pos] == offers.model_id  # other models: left out, not counted

    def drop(reason: str, failed: np.ndarray) -> None:
        nonlocal alive
        hit = alive & failed
        if k := int(np.count_nonzero(hit)):
            out(reason, k)
            alive = alive & ~hit

    free = np.zeros(n, dtype=bool)
    if sellers is not None and offers.provider_kinds + offers.provider_reviewed:
        kinds = offers.kinds()
        if not sellers.include_unreviewed:
            drop("api: provider not reviewed yet", offers.unreviewed())
        drop("api: not a pay-as-you-go offer (subscription, tool or local runtime)",
             np.isin(kinds, list(KINDS_NOT_PAYG)))  # fmt: skip
        if not sellers.include_resellers:
            drop("api: gateway or reseller", np.isin(kinds, list(KINDS_RESELLER)))
        if not sellers.include_free_tiers:
            free = alive & (kinds == KIND_FREE_TIER)

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
    if offers.pricing is not None:  # offers with price rows: what the cost function says
        at = np.flatnonzero(alive)
        stored = offers.pricing[at].tolist()
        has = [k for k, p in enumerate(stored) if p is not None]
        found = breakdowns(workload_usage(w), [stored[k] for k in has])
        missing[at[has]] = [bool(b.missing) for b in found]
    drop("api: no price for a unit the workload uses", missing)
    slow = np.zeros(n, dtype=bool)
    if w.max_ttft_s is not None:
        ttft = offers.ttft_s
        slow |= ~np.isnan(ttft) & ~(ttft <= w.max_ttft_s)
    if w.min_stream_tokens_per_s is not None:
        stream = offers.stream_tokens_per_s
        slow |= ~np.isnan(stream) & ~(stream >= w.min_stream_tokens_per_s)
    drop("api: misses the latency target", slow)
    free_left = alive & free
    if k := int(np.count_nonzero(free_left)):
        out("api: free tier (listed apart, to try for free)", k)
        alive = alive & ~free_left
    return np.flatnonzero(alive), pos, np.flatnonzero(free_left)
