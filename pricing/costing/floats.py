"""The one cost function for callers that hold float prices and usages (the planner).

Floats are read through `repr` (the shortest decimal that round-trips: 0.1 -> "0.1"),
so a float column priced here gives the same exact figure the Decimal path gives for
the same printed number. Per-request results are cached per (usage, offer).
"""

from __future__ import annotations

import math
from decimal import Decimal

from pricing.costing.engine import price_request
from pricing.costing.offers import columns_components
from pricing.costing.records import CostBreakdown, OfferPricing, Usage


def dec(value: float | int | None) -> Decimal | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def float_usage(
    *, input_tokens: float, output_tokens: float, cache_share: float = 0.0,
    images: float = 0.0, audio_minutes: float = 0.0, batch: bool = False,
) -> Usage:  # fmt: skip
    """A per-request usage from float averages: cache reads = input × cache share (exact)."""
    tokens_in = dec(input_tokens) or Decimal(0)
    share = dec(min(max(cache_share, 0.0), 1.0)) or Decimal(0)
    return Usage(
        input_tokens=tokens_in, output_tokens=dec(output_tokens) or Decimal(0),
        cache_read_tokens=tokens_in * share, images=dec(images) or Decimal(0),
        audio_seconds=(dec(audio_minutes) or Decimal(0)) * 60, batch=batch,
    )  # fmt: skip


def float_pricing(
    *, input: float | None = None, output: float | None = None,
    cached_input: float | None = None, batch_input: float | None = None,
    batch_output: float | None = None, image: float | None = None,
    audio_minute: float | None = None,
) -> OfferPricing:  # fmt: skip
    """The rows implied by an offer's float summary prices (per 1M tokens / per unit)."""
    columns = {
        "usd_per_mtok_input": dec(input), "usd_per_mtok_output": dec(output),
        "usd_per_mtok_cache_read": dec(cached_input), "usd_per_mtok_batch_input": dec(batch_input),
        "usd_per_mtok_batch_output": dec(batch_output), "usd_per_image": dec(image),
        "usd_per_audio_minute": dec(audio_minute),
    }  # fmt: skip
    return OfferPricing(columns_components(columns))


def request_breakdown(usage: Usage, offer: OfferPricing) -> CostBreakdown:
    """price_request for one request, cached on the offer per usage."""
    cache = offer.__dict__.setdefault("_requests", {})
    got = cache.get(usage)
    if got is None:
        if len(cache) > 64:
            cache.clear()
        cache[usage] = got = price_request(usage, offer)
    return got


def monthly_usd(usage: Usage, offer: OfferPricing, requests: float) -> float:
    """USD for `requests` requests as a float: float(exact USD per request) × requests
    (the scalar and column forms of the planner both use exactly this)."""
    return float(request_breakdown(usage, offer).total) * requests
