"""Monthly cost of one model × deployment (pure: standard library only).

Formulas, R = requests per month:
- API monthly USD = R × (in × (1 − cache) × p_in + in × cache × p_cached + out × p_out) / 1e6
  + R × images × p_image + R × audio minutes × p_audio_minute; batch input/output prices
  replace p_in/p_out when the workload allows batch and the offer has both (ARCHITECTURE).
- Self-hosted monthly USD = instances × hourly USD × hours per month, where instances =
  max(1, ⌈peak streams × stream tokens/s ÷ instance decode tokens/s⌉,
      ⌈R/s × instance-seconds per request ÷ max utilization⌉) and instance-seconds per
  request = out ÷ decode tokens/s total + in × (1 − cache) ÷ prefill tokens/s (when known).
"""

from __future__ import annotations

import math

from planner.records import ApiOffer, Assumptions, CostBreakdown, SelfHostOption, Workload

DEFAULT_ASSUMPTIONS = Assumptions()
SECONDS_PER_HOUR = 3600.0
_EPS = 1e-9


class MissingPriceError(ValueError):
    """The offer has no price for a unit the workload uses."""


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


def api_offer_missing_prices(workload: Workload, offer: ApiOffer) -> tuple[str, ...]:
    """The units the workload uses that the offer does not price."""
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


def monthly_api_usd(
    workload: Workload, offer: ApiOffer, requests: float, cache_share: float
) -> float:
    """monthly_api_cost(...).monthly_usd, the same operations without the breakdown (the
    rank's loop): `requests` per month, `cache_share` clipped to [0, 1]. Prices must be
    there (api_offer_missing_prices)."""
    batch = (
        workload.batch_ok
        and offer.usd_per_mtok_batch_input is not None
        and offer.usd_per_mtok_batch_output is not None
    )
    p_in = (offer.usd_per_mtok_batch_input if batch else offer.usd_per_mtok_input) or 0.0
    p_out = (offer.usd_per_mtok_batch_output if batch else offer.usd_per_mtok_output) or 0.0
    cached = offer.usd_per_mtok_cached_input
    p_cached = p_in if cached is None else (min(cached, p_in) if batch else cached)
    r, tokens_in = requests, workload.avg_input_tokens
    return (
        r * tokens_in * (1.0 - cache_share) * p_in / 1e6
        + r * tokens_in * cache_share * p_cached / 1e6
        + r * workload.avg_output_tokens * p_out / 1e6
        + r * workload.images_per_request * (offer.usd_per_image or 0.0)
        + r * workload.audio_minutes_per_request * (offer.usd_per_audio_minute or 0.0)
    )


def monthly_api_cost(
    workload: Workload, offer: ApiOffer, assumptions: Assumptions = DEFAULT_ASSUMPTIONS
) -> CostBreakdown:
    """API monthly USD (module docstring formula). Raises MissingPriceError."""
    missing = api_offer_missing_prices(workload, offer)
    if missing:
        raise MissingPriceError(f"offer {offer.id} has no price for {', '.join(missing)}")
    r = requests_per_month(workload, assumptions)
    cache = min(max(workload.cacheable_input_share, 0.0), 1.0)
    batch = (
        workload.batch_ok
        and offer.usd_per_mtok_batch_input is not None
        and offer.usd_per_mtok_batch_output is not None
    )
    p_in = (offer.usd_per_mtok_batch_input if batch else offer.usd_per_mtok_input) or 0.0
    p_out = (offer.usd_per_mtok_batch_output if batch else offer.usd_per_mtok_output) or 0.0
    notes = []
    if offer.usd_per_mtok_cached_input is None:
        p_cached = p_in
        if cache > 0:
            notes.append("no cache price: cached input billed at the input price")
    else:
        p_cached = (
            min(offer.usd_per_mtok_cached_input, p_in)
            if batch
            else (offer.usd_per_mtok_cached_input)
        )
    if batch:
        notes.append("batch prices used (the workload accepts async batch)")
    tokens_in = workload.avg_input_tokens
    input_usd = r * tokens_in * (1.0 - cache) * p_in / 1e6
    cached_usd = r * tokens_in * cache * p_cached / 1e6
    output_usd = r * workload.avg_output_tokens * p_out / 1e6
    image_usd = r * workload.images_per_request * (offer.usd_per_image or 0.0)
    audio_usd = r * workload.audio_minutes_per_request * (offer.usd_per_audio_minute or 0.0)
    return CostBreakdown(
        monthly_usd=input_usd + cached_usd + output_usd + image_usd + audio_usd,
        requests_per_month=r,
        input_usd=input_usd,
        cached_input_usd=cached_usd,
        output_usd=output_usd,
        image_usd=image_usd,
        audio_usd=audio_usd,
        batch_applied=batch,
        notes=tuple(notes),
    )


def _instance_seconds_per_request(workload: Workload, option: SelfHostOption) -> float:
    seconds = workload.avg_output_tokens / option.decode_tokens_per_s_total
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
    """Self-hosted monthly USD = instances × hourly USD × hours per month (module docstring)."""
    instances, _, _ = selfhost_instances(workload, option, assumptions)
    hours = assumptions.hours_per_month
    compute = instances * option.hourly_usd * hours
    notes = [f"throughput {option.throughput_source}"]
    if option.owned:
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
