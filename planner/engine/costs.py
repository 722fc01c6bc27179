"""Stage 4, costs: the monthly cost of each option left after the checks (pure).

Formulas, R = requests per month:
- API monthly USD = R × the one cost function's USD for one request
  (pricing.costing.price_request: cache reads, long-context tiers, batch prices or half
  price, images, audio; exact Decimal, then a float).
- Self-hosted, billed always-on: monthly USD = instances × hourly USD × hours per month,
  where instances = max(1, ⌈peak streams × stream rate ÷ instance rate⌉,
  ⌈R/s × instance-seconds per request ÷ max utilization⌉) and instance-seconds per
  request = out ÷ instance rate + in × (1 − cache) ÷ prefill tokens/s (when known). "out"
  is the request's work in the task's unit (`output_units`): output tokens, images
  (text-to-image) or seconds of audio (speech-to-text), the rates in that unit per second.
- Self-hosted, billed per second of use: monthly USD = (R × instance-seconds per request
  + days × start-up seconds per day) × hourly USD ÷ 3600: the instance runs only while
  there is work, started once a day to drain the day's queue (Assumptions.
  startup_s_per_day, billed each time); instances = max(1, ⌈peak streams × stream rate ÷
  instance rate⌉) at the busiest moment.

The scalar formulas (`monthly_api_cost`, `monthly_selfhost_cost`) price the shown rows;
the column forms (`monthly_api_usd_columns`, `instances_needed`, `cost_options`) run the
same operations in the same order on arrays, so the same floats.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from planner.engine.arrays import cheapest_per_model
from planner.engine.checks import (
    OK,
    REASONS,
    TOO_FEW,
    Checks,
    MissingPriceError,
    ModelLookup,
    api_offer_missing_prices,
    api_usage,
    breakdowns,
    option_codes,
)
from planner.engine.columns import ApiOfferTable, SelfHostTable
from planner.records import (
    TASK_IMAGE,
    TASK_SPEECH,
    ApiOffer,
    Assumptions,
    CostBreakdown,
    SelfHostOption,
    Workload,
)
from pricing.costing import OfferPricing
from pricing.costing.floats import float_pricing, monthly_usd, request_breakdown

DEFAULT_ASSUMPTIONS = Assumptions()
SECONDS_PER_HOUR = 3600.0
_EPS = 1e-9


def requests_per_month(workload: Workload, assumptions: Assumptions = DEFAULT_ASSUMPTIONS) -> float:
    if workload.requests_per_month is not None:
        return workload.requests_per_month
    return workload.requests_per_day * assumptions.days_per_month


def owned_power_hourly_usd(
    *, tdp_watts: float, count: int, usd_per_kwh: float, utilization: float = 1.0
) -> float:
    """Hourly running cost of owned accelerators: tdp_watts × count × utilization / 1000 × USD/kWh.

    This is SelfHostOption.hourly_usd for owned hardware (the purchase is already paid).
    """
    return tdp_watts * count * utilization / 1000.0 * usd_per_kwh


@lru_cache(maxsize=65536)
def _pricing(prices: tuple[float | None, ...]) -> OfferPricing:
    keys = ("input", "output", "cached_input", "batch_input", "batch_output", "image",
            "audio_minute")  # fmt: skip
    return float_pricing(**dict(zip(keys, prices, strict=True)))


def offer_pricing(offer: ApiOffer) -> OfferPricing:
    """The offer's price rows for the one cost function (pricing.costing): its stored rows
    (`offer.pricing`), else the rows its summary prices imply."""
    if offer.pricing is not None:
        return offer.pricing
    return _pricing((
        offer.usd_per_mtok_input, offer.usd_per_mtok_output, offer.usd_per_mtok_cached_input,
        offer.usd_per_mtok_batch_input, offer.usd_per_mtok_batch_output, offer.usd_per_image,
        offer.usd_per_audio_minute,
    ))  # fmt: skip


def owned_hourly_usd(
    *, tdp_watts: float, count: int, usd_per_kwh: float, utilization: float,
    purchase_usd: float | None, assumptions: Assumptions = DEFAULT_ASSUMPTIONS,
) -> float:  # fmt: skip
    """Owned hardware per hour: power, plus the purchase (per accelerator × count) spread
    over `assumptions.amortize_months` months of `hours_per_month` when a price is known."""
    power = owned_power_hourly_usd(
        tdp_watts=tdp_watts, count=count, usd_per_kwh=usd_per_kwh, utilization=utilization
    )
    if not purchase_usd:
        return power
    months = max(assumptions.amortize_months, 1.0)
    return power + purchase_usd * count / (months * assumptions.hours_per_month)


def monthly_api_usd(
    workload: Workload, offer: ApiOffer, requests: float, cache_share: float
) -> float:
    """monthly_api_cost(...).monthly_usd without the breakdown (the rank's loop): the one
    cost function's exact USD per request, as a float, × `requests` per month."""
    return monthly_usd(api_usage(workload, cache_share), offer_pricing(offer), requests)


def monthly_api_cost(
    workload: Workload, offer: ApiOffer, assumptions: Assumptions = DEFAULT_ASSUMPTIONS
) -> CostBreakdown:
    """API monthly USD from the one cost function (pricing.costing.price_request) on the
    offer's price rows: long-context tiers, cache reads, batch (batch prices, else half
    price), per-request fees, images, audio. Raises MissingPriceError."""
    missing = api_offer_missing_prices(workload, offer)
    if missing:
        raise MissingPriceError(f"offer {offer.id} has no price for {', '.join(missing)}")
    r = requests_per_month(workload, assumptions)
    cache = min(max(workload.cacheable_input_share, 0.0), 1.0)
    pricing = offer_pricing(offer)
    one = request_breakdown(api_usage(workload, cache), pricing)
    parts = dict.fromkeys(("input", "cached", "output", "image", "audio", "fees"), 0.0)
    for line in one.lines:
        parts[_PART.get(line.component, "fees")] += float(line.usd) * r
    notes = []
    if cache > 0 and not pricing.index.get(("cache_read", "text", "")):
        notes.append("no cache price: cached input billed at the input price")
    if workload.batch_ok:
        notes.append("batch prices used (the workload accepts async batch)")
    return CostBreakdown(
        monthly_usd=float(one.total) * r, requests_per_month=r, input_usd=parts["input"],
        cached_input_usd=parts["cached"], output_usd=parts["output"],
        image_usd=parts["image"], audio_usd=parts["audio"], fees_usd=parts["fees"],
        batch_applied=workload.batch_ok, notes=tuple(notes),
    )  # fmt: skip


# cost engine component -> CostBreakdown part (anything else: "fees": per-request fees,
# web searches, characters, pages, pixels, video seconds)
_PART = {
    "input": "input", "cache_write": "input", "cache_read": "cached", "output": "output",
    "reasoning": "output", "image": "image", "input_image": "image", "audio_second": "audio",
    "audio_minute": "audio",
}  # fmt: skip


def output_units(workload: Workload) -> float:
    """A request's work in the task's unit: images (text-to-image), seconds of audio
    (speech-to-text), else output tokens."""
    if workload.task == TASK_IMAGE:
        return workload.images_per_request
    if workload.task == TASK_SPEECH:
        return workload.audio_minutes_per_request * 60.0
    return workload.avg_output_tokens


def _instance_seconds_per_request(workload: Workload, option: SelfHostOption) -> float:
    seconds = output_units(workload) / option.decode_tokens_per_s_total
    if option.prefill_tokens_per_s:
        cache = min(max(workload.cacheable_input_share, 0.0), 1.0)
        seconds += workload.avg_input_tokens * (1.0 - cache) / option.prefill_tokens_per_s
    return seconds


def selfhost_instances(
    workload: Workload, option: SelfHostOption, assumptions: Assumptions = DEFAULT_ASSUMPTIONS
) -> tuple[int, float, float]:
    """(instances, instances needed for the peak streams, for the average load): see module doc.

    The two "needed" figures are fractional, so capacity headroom = instances ÷ max − 1.
    """
    total = option.decode_tokens_per_s_total
    stream = workload.min_stream_tokens_per_s or option.stream_tokens_per_s
    peak_need = workload.peak_concurrency * stream / total
    per_s = requests_per_month(workload, assumptions) / (
        assumptions.days_per_month * 24.0 * SECONDS_PER_HOUR
    )
    avg_need = per_s * _instance_seconds_per_request(workload, option) / assumptions.max_utilization
    instances = max(1, math.ceil(peak_need - _EPS), math.ceil(avg_need - _EPS))
    return instances, peak_need, avg_need


def monthly_selfhost_cost(
    workload: Workload, option: SelfHostOption, assumptions: Assumptions = DEFAULT_ASSUMPTIONS
) -> CostBreakdown:
    """Self-hosted monthly USD, always-on or per second of use (module docstring)."""
    instances, peak_need, _ = selfhost_instances(workload, option, assumptions)
    hours = assumptions.hours_per_month
    compute = instances * option.hourly_usd * hours
    notes = [f"throughput {option.throughput_source}"]
    if option.per_second:
        r = requests_per_month(workload, assumptions)
        seconds = _instance_seconds_per_request(workload, option)
        startup = assumptions.days_per_month * assumptions.startup_s_per_day
        compute = (r * seconds + startup) * option.hourly_usd / SECONDS_PER_HOUR
        hours = (r * seconds + startup) / SECONDS_PER_HOUR
        instances = max(1, math.ceil(peak_need - _EPS))
        notes.append(
            "billed per second of use: the instance runs only while there is work, "
            f"started once a day ({assumptions.startup_s_per_day:g} s of start-up billed)"
        )
    elif not option.owned:
        notes.append("billed always-on: every hour of the month")
    if option.owned and option.purchase_usd:
        source = f", {option.purchase_source}" if option.purchase_source else ""
        notes.append(
            f"owned hardware: power plus the purchase (${option.purchase_usd:,.0f} per "
            f"accelerator{source}) amortised over {assumptions.amortize_months:g} months"
        )
    elif option.owned:
        notes.append("owned hardware: power only, the purchase is already paid")
    return CostBreakdown(
        monthly_usd=compute,
        requests_per_month=requests_per_month(workload, assumptions),
        compute_usd=compute,
        instances=instances,
        hourly_usd=option.hourly_usd,
        hours=hours,
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class Sizing:
    """The workload figures of the instance count (planner.engine.costs.selfhost_instances)."""

    out_tokens: float  # the request's work in the task's unit (output_units)
    prefill_tokens: float
    peak_concurrency: float
    requests_per_s: float
    max_utilization: float
    hours_per_month: float
    requests_per_month: float = 0.0
    startup_s: float = 0.0  # per month, billed per second of use (days × start-up/day)


def instances_needed(
    total: np.ndarray, prefill: np.ndarray, stream: np.ndarray | float, sizing: Sizing
) -> np.ndarray:
    """Instances per option, the same operations in the same order as
    `planner.engine.costs.selfhost_instances` (bit-identical), on survivors (total > 0). `stream`
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


def _price(x: float) -> float | None:
    return None if x != x else x  # NaN: no price


def pricing_column(offers: ApiOfferTable, index: np.ndarray) -> list[OfferPricing]:
    """The OfferPricing of the offers at `index`: their price rows (`offers.pricing`),
    else (per offer) the rows their summary prices imply."""
    stored = [None] * len(index) if offers.pricing is None else offers.pricing[index].tolist()
    if None not in stored:
        return stored
    at = [k for k, p in enumerate(stored) if p is None]
    columns = [getattr(offers, f)[index[at]].tolist() for f in (
        "usd_per_mtok_input", "usd_per_mtok_output", "usd_per_mtok_cached_input",
        "usd_per_mtok_batch_input", "usd_per_mtok_batch_output", "usd_per_image",
        "usd_per_audio_minute",
    )]  # fmt: skip
    for k, prices in zip(at, zip(*columns, strict=True), strict=True):
        stored[k] = _pricing(tuple(map(_price, prices)))
    return stored


def monthly_api_usd_columns(
    workload: Workload, offers: ApiOfferTable, index: np.ndarray, requests: float,
    cache_share: float,
) -> np.ndarray:  # fmt: skip
    """planner.costs.monthly_api_usd for the offers at `index`: the one cost function's
    USD per request (cached per usage on each OfferPricing) × `requests`, the same floats."""
    found = breakdowns(api_usage(workload, cache_share), pricing_column(offers, index))
    # float(exact USD per request) × requests: pricing.costing.floats.monthly_usd
    return np.fromiter((float(b.total) * requests for b in found), dtype=np.float64,
                       count=len(index))  # fmt: skip


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


def sizing_of(workload: Workload, assumptions: Assumptions) -> Sizing:
    """The workload figures of the instance count."""
    return Sizing(
        out_tokens=output_units(workload),
        prefill_tokens=workload.avg_input_tokens
        * (1.0 - min(max(workload.cacheable_input_share, 0), 1)),
        peak_concurrency=workload.peak_concurrency,
        requests_per_s=requests_per_month(workload, assumptions)
        / (assumptions.days_per_month * 24.0 * SECONDS_PER_HOUR),
        max_utilization=assumptions.max_utilization,
        hours_per_month=assumptions.hours_per_month,
        requests_per_month=requests_per_month(workload, assumptions),
        startup_s=assumptions.days_per_month * assumptions.startup_s_per_day,
    )


def per_second_usd(
    total: np.ndarray, prefill: np.ndarray, hourly: np.ndarray, sizing: Sizing
) -> np.ndarray:
    """Monthly USD billed per second of use: (R × instance-seconds per request + start-up
    seconds) × hourly USD ÷ 3600, the same operations in the same order as
    `monthly_selfhost_cost`."""
    seconds = sizing.out_tokens / total
    has = (prefill != 0) & (prefill == prefill)  # a prefill figure (not 0, not NaN)
    if has.any():
        extra = np.zeros(len(total))
        np.divide(sizing.prefill_tokens, prefill, out=extra, where=has)
        seconds += extra  # x + 0.0 == x where there is no prefill figure
    return (sizing.requests_per_month * seconds + sizing.startup_s) * hourly / SECONDS_PER_HOUR


def cost_options(
    t: SelfHostTable,
    models: ModelLookup,
    checks: Checks,
    sizing: Sizing,
    head: tuple[np.ndarray, np.ndarray, np.ndarray],
    block: int = BLOCK,
) -> Candidates:
    """Check (checks.option_codes) and cost every option of `t`, a block at a time (the
    same figures as one pass over the whole table; blocks keep the temporaries small),
    after the `head` candidates (model id, quality, cost)."""
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
        code, mine, available = option_codes(t, cut, models, checks)
        for c in REASONS:
            tally[c] += np.count_nonzero(code == c)
        keep = np.flatnonzero(code == OK)
        instances = instances_needed(
            t.decode_tokens_per_s_total[cut][keep],
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
        if t.per_second is not None and (billed := t.per_second[cut][keep]).any():
            j = np.flatnonzero(billed)
            rows = keep[j]
            cost_out[done][j] = per_second_usd(
                t.decode_tokens_per_s_total[cut][rows], t.prefill_tokens_per_s[cut][rows],
                t.hourly_usd[cut][rows], sizing,
            )  # fmt: skip
        ids = model_out[done] = t.model_id[cut][keep]
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
