"""A workload's monthly cost for one model: every current API offer (pricing.cost) and
self-hosting on every current GPU instance price the model fits on (benchmarks' estimator).

A read (no writes): the API's `POST /api/estimate/cost/` calls `workload_cost_estimate`.

Self-hosted: the model must fit (benchmarks.estimate.accelerators_needed at the workload's
context and concurrency) on the instance's accelerators; the instance's estimated decode
tokens/s at that concurrency serves the workload's output tokens per second at
`utilization`; instances = ceil(needed / served); monthly = $/hour × 24 × days × instances.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

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
from pricing.cost import ApiWorkload, PriceTier, TokenPrices, monthly_api_cost
from pricing.models import InstancePrice, Offer, Unit

CENT = Decimal("0.01")


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


@dataclass
class CostEstimate:
    model: Model
    workload: Workload
    api: list[dict] = field(default_factory=list)
    self_hosted: list[dict] = field(default_factory=list)
    self_hosted_note: str = ""


def _token_prices(offer: Offer) -> TokenPrices:
    tiers = []
    for tier in offer.tiers or []:
        try:
            tiers.append(
                PriceTier(
                    above_tokens=int(tier["above_tokens"]),
                    usd_per_mtok_input=_dec(tier.get("usd_per_mtok_input")),
                    usd_per_mtok_output=_dec(tier.get("usd_per_mtok_output")),
                    usd_per_mtok_cache_read=_dec(tier.get("usd_per_mtok_cache_read")),
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    return TokenPrices(
        usd_per_mtok_input=offer.usd_per_mtok_input,
        usd_per_mtok_output=offer.usd_per_mtok_output or Decimal(0),
        usd_per_mtok_cache_read=offer.usd_per_mtok_cache_read,
        usd_per_mtok_batch_input=offer.usd_per_mtok_batch_input,
        usd_per_mtok_batch_output=offer.usd_per_mtok_batch_output,
        tiers=tuple(tiers),
    )


def _dec(value: object) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _api_rows(model: Model, workload: Workload) -> list[dict]:
    api_workload = ApiWorkload(
        requests_per_day=workload.requests_per_day,
        input_tokens=workload.input_tokens,
        output_tokens=workload.output_tokens,
        cache_hit_share=workload.cache_hit_share,
        batch_share=Decimal(1) if workload.batch_ok else Decimal(0),
        days=workload.days,
    )
    offers = (
        Offer.objects.current()
        .filter(model=model, unit=Unit.TOKEN, usd_per_mtok_input__isnull=False)
        .select_related("provider", "feed")
    )
    rows = []
    for offer in offers:
        monthly = monthly_api_cost(_token_prices(offer), api_workload)
        rows.append({
            "offer_id": offer.id, "provider": offer.provider.slug,
            "provider_name": offer.provider.name, "feed": offer.feed.slug,
            "model_name": offer.model_name,
            "usd_per_mtok_input": offer.usd_per_mtok_input,
            "usd_per_mtok_output": offer.usd_per_mtok_output,
            "batch": workload.batch_ok,
            "monthly_usd": monthly.quantize(CENT),
        })  # fmt: skip
    rows.sort(key=lambda r: (r["monthly_usd"], r["provider"], r["offer_id"]))
    return rows


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
