"""A workload's monthly cost for one model: every current API offer (the one cost function,
pricing.costing.price_request, on each offer that prices everything the workload uses) and
self-hosting on every current GPU instance price the model fits on (benchmarks' estimator).

A read (no writes): the API's `POST /api/estimate/cost/` calls `workload_cost_estimate`.

Self-hosted: the model must fit (benchmarks.estimate.accelerators_needed at the workload's
context and concurrency) on the instance's accelerators; the instance's estimated decode
tokens/s at that concurrency serves the workload's output tokens per second at
`utilization`; instances = ceil(needed / served); monthly = $/hour × 24 × days × instances.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet

from benchmarks.estimate import (
    DEFAULT_EFFICIENCY,
    UnknownPrecision,
    accelerators_needed,
    estimate_memory,
    estimate_throughput,
)
from benchmarks.services import accelerator_spec, model_dims
from catalog.models import Model
from config.errors import AtlasError, NotFound
from pricing.costing import Usage, price_request
from pricing.models import InstancePrice, Offer
from pricing.offer_pricing import offer_pricing_of

CENT = Decimal("0.01")
# CostEstimateIn's per-request usage fields beyond input/output tokens (pricing.costing.Usage)
USAGE_FIELDS = (
    "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens", "reasoning_tokens",
    "audio_input_tokens", "audio_output_tokens", "image_input_tokens", "image_output_tokens",
    "images", "image_size", "image_quality", "input_images", "audio_seconds", "video_seconds",
    "video_resolution", "characters", "pages", "pixels", "web_searches", "search_context",
    "service_tier", "region", "at",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Workload:
    requests_per_day: int
    input_tokens: int
    output_tokens: int
    cache_hit_share: Decimal = Decimal(0)
    batch_ok: bool = False
    days: int = 30
    accelerator: str | None = None  # slug: only instances with this accelerator
    accelerator_count: int | None = None
    precision: str = "bf16"
    concurrency: int = 8
    utilization: float = 0.5
    usage: Usage | None = None  # the rest of the per-request usage (pricing.costing.Usage)

    @classmethod
    def from_values(cls, values: dict) -> Workload:
        """From CostEstimateIn's validated data without "model": the usage fields
        (USAGE_FIELDS) become `usage`, the rest are the workload's own."""
        values = dict(values)
        usage = Usage(**{f: values.pop(f) for f in USAGE_FIELDS if f in values})
        return cls(**values, usage=usage)


@dataclass
class CostEstimate:
    model: Model
    workload: Workload
    api: list[dict] = field(default_factory=list)
    self_hosted: list[dict] = field(default_factory=list)
    self_hosted_note: str = ""


def usage_of(workload: Workload) -> Usage:
    """The per-request usage of a workload: its `usage` with the cache-hit share applied
    (cache reads = input tokens × share, exactly) when no cache reads are given."""
    usage = workload.usage or Usage()
    usage = replace(usage, input_tokens=workload.input_tokens,
                    output_tokens=workload.output_tokens, batch=workload.batch_ok)  # fmt: skip
    if workload.cache_hit_share and not usage.cache_read_tokens:
        usage = replace(usage, cache_read_tokens=workload.input_tokens * workload.cache_hit_share)
    return usage


def _api_rows(model: Model, workload: Workload) -> list[dict]:
    return api_cost_rows(Offer.objects.current().filter(model=model), workload)


def api_cost_rows(offers: QuerySet[Offer], workload: Workload) -> list[dict]:
    """The estimate's API rows for `offers` (cheapest first): the one cost function on
    each offer's price rows for the workload's usage × requests per day × days, for the
    offers that price everything the usage uses (`CostBreakdown.complete`). 3 queries."""
    usage = usage_of(workload)
    requests = Decimal(workload.requests_per_day) * workload.days
    offers = offers.select_related("provider", "feed").prefetch_related("price_rows")
    rows = []
    for offer in offers:
        cost = price_request(usage, offer_pricing_of(offer), requests)
        if not cost.complete:
            continue  # the offer does not price everything the workload uses
        rows.append({
            "offer_id": offer.id, "provider": offer.provider.slug,
            "provider_name": offer.provider.name, "feed": offer.feed.slug,
            "model_name": offer.model_name, "unit": offer.unit,
            "usd_per_mtok_input": offer.usd_per_mtok_input,
            "usd_per_mtok_output": offer.usd_per_mtok_output,
            "batch": workload.batch_ok,
            "monthly_usd": cost.total.quantize(CENT, ROUND_HALF_UP),
            "monthly_usd_exact": _text(cost.total),
            "usd_per_request": _text(cost.total / requests) if requests else "0",
            "components": {k: _text(v) for k, v in cost.by_component().items()},
        })  # fmt: skip
    rows.sort(key=lambda r: (r["monthly_usd"], r["provider"], r["offer_id"]))
    return rows


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _self_hosted_rows(model: Model, workload: Workload, *, limit: int) -> tuple[list[dict], str]:
    dims = model_dims(model)
    if dims is None:
        return [], "The model has no parameter count: no self-hosted estimate."
    context = workload.input_tokens + workload.output_tokens
    memory = estimate_memory(dims, workload.precision, context, batch=workload.concurrency)
    prices = InstancePrice.objects.current().filter(
        accelerator__isnull=False, usd_per_hour_on_demand__isnull=False
    )
    if workload.accelerator:
        prices = prices.filter(accelerator__slug=workload.accelerator)
    if workload.accelerator_count:
        prices = prices.filter(accelerator_count=workload.accelerator_count)
    prices = prices.select_related("provider", "accelerator").order_by(
        "usd_per_hour_on_demand", "id"
    )
    needed_tps = workload.requests_per_day * workload.output_tokens / 86400
    rows, cache = [], {}
    for price in prices.iterator(chunk_size=500):
        accel, count = price.accelerator, price.accelerator_count
        if count != int(count):
            continue  # fractional GPUs: the estimator splits whole devices only
        count = int(count)
        key = (accel.id, count)
        if key not in cache:
            spec = accelerator_spec(accel)
            n = accelerators_needed(memory, spec, max_count=count)
            speed = None
            if n is not None:
                speed = estimate_throughput(
                    dims, workload.precision, spec, count=n, concurrency=workload.concurrency,
                    prompt_tokens=workload.input_tokens, output_tokens=workload.output_tokens,
                    efficiency=DEFAULT_EFFICIENCY,
                ).decode_tokens_per_s_total  # fmt: skip
            cache[key] = (n, speed)
        n, speed = cache[key]
        if n is None or not speed:
            continue
        instances = max(1, math.ceil(needed_tps / (speed * workload.utilization)))
        hours = 24 * workload.days
        monthly = price.usd_per_hour_on_demand * hours * instances
        rows.append({
            "instance_price_id": price.id, "provider": price.provider.slug,
            "region": price.region, "instance_type": price.instance_type,
            "accelerator": accel.slug, "accelerator_count": count, "accelerators_used": n,
            "usd_per_hour": price.usd_per_hour_on_demand,
            "decode_tokens_per_s": round(speed, 1), "instances": instances,
            "monthly_usd": monthly.quantize(CENT),
        })  # fmt: skip
    rows.sort(key=lambda r: (r["monthly_usd"], r["provider"], r["instance_price_id"]))
    note = "" if rows else "No current instance price has accelerators the model fits on."
    return rows[:limit], note


def workload_cost_estimate(*, repo_id: str, workload: Workload, limit: int = 50) -> CostEstimate:
    """API cost per current token offer (cheapest first) and self-hosted cost on the
    `limit` cheapest fitting instance prices. Raises NotFound for an unknown model and
    AtlasError (400) for an unknown precision."""
    model = Model.objects.filter(repo_id=repo_id).first()
    if model is None:
        raise NotFound(f"No model {repo_id!r} in the catalog.", fields={"model": [repo_id]})
    estimate = CostEstimate(model=model, workload=workload, api=_api_rows(model, workload))
    try:
        estimate.self_hosted, estimate.self_hosted_note = _self_hosted_rows(
            model, workload, limit=limit
        )
    except UnknownPrecision as exc:
        raise AtlasError(str(exc), code="invalid", fields={"precision": [str(exc)]}) from exc
    return estimate
