"""Pricing website views: providers, accelerators (what runs on them, what an hour costs),
and the params-vs-price chart. Thin: parse input, call a selector, render."""

from __future__ import annotations

from typing import Any

import numpy as np
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from benchmarks import selectors as bench_selectors
from benchmarks.estimate import (
    PRECISIONS,
    AcceleratorArrays,
    ModelArrays,
    ModelDims,
    estimate_grid,
    estimate_throughput,
)
from benchmarks.models import Accelerator
from benchmarks.services.accelerators import accelerator_spec
from catalog.models import Model
from pricing import selectors
from pricing.models import InstancePrice, Offer, Provider, Unit

PAGE_SIZE = 50
ACCEL_PRECISIONS = ("bf16", "fp8", "int4-awq", "q4_k_m")
ACCEL_CONTEXT_TOKENS = 8192
ACCEL_MODEL_CAP = 5000  # most downloaded open-weights models with a size
ACCEL_MODELS_SHOWN = 15
ACCEL_COUNTS = (1, 2, 4, 8)
INSIGHTS_POINTS = 600
DIM_FIELDS = (
    "params_total",
    "params_active",
    "num_layers",
    "hidden_size",
    "num_heads",
    "num_kv_heads",
    "head_dim",
    "kv_lora_rank",
    "qk_rope_head_dim",
    "sliding_window",
    "context_tokens",
)


def _count_subquery(model, **filters: Any) -> Coalesce:
    rows = (
        model.objects.filter(provider=OuterRef("pk"), valid_to__isnull=True, **filters)
        .order_by()
        .values("provider")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def provider_list(request: HttpRequest) -> HttpResponse:
    """Every provider with its current offer and GPU price counts (1 query)."""
    providers = selectors.provider_list().annotate(
        offer_count=_count_subquery(Offer),
        linked_count=_count_subquery(Offer, model__isnull=False),
        instance_count=_count_subquery(InstancePrice),
    )
    kind = request.GET.get("kind", "")
    if kind in Provider.Kind.values:
        providers = providers.filter(kind=kind)
    return render(
        request,
        "pricing/provider_list.html",
        {"providers": list(providers), "kind": kind, "kinds": Provider.Kind.choices},
    )


def provider_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One provider's current offers, cheapest first, paginated (3 queries + 2 for GPUs)."""
    try:
        provider = selectors.provider_list().get(slug=slug)
    except Provider.DoesNotExist as exc:
        raise Http404(f"No provider {slug!r}.") from exc
    offers = selectors.offer_list(provider=slug).order_by(
        "unit", "usd_per_mtok_input", "model_name", "id"
    )
    page = Paginator(offers, PAGE_SIZE).get_page(request.GET.get("page"))
    gpu_prices = list(selectors.instance_price_list(provider=slug)[:PAGE_SIZE])
    return render(
        request,
        "pricing/provider_detail.html",
        {"provider": provider, "page": page, "gpu_prices": gpu_prices},
    )


def accelerator_list(request: HttpRequest) -> HttpResponse:
    """Every accelerator with its cheapest current GPU-hour on any cloud (1 query)."""
    cheapest = (
        InstancePrice.objects.current()
        .filter(accelerator=OuterRef("pk"), usd_per_hour_on_demand__isnull=False)
        .order_by("usd_per_hour_on_demand")
    )
    accelerators = bench_selectors.accelerator_list().annotate(
        cheapest_hour=Subquery(cheapest.values("usd_per_hour_on_demand")[:1]),
        cheapest_count=Subquery(cheapest.values("accelerator_count")[:1]),
    )
    groups: dict[str, list[Accelerator]] = {}
    for accel in accelerators:
        groups.setdefault(accel.get_kind_display(), []).append(accel)
    return render(request, "pricing/accelerator_list.html", {"groups": groups})


def _dims(row: dict[str, Any]) -> ModelDims:
    return ModelDims(**{f: row[f] for f in DIM_FIELDS})


def models_that_fit(*, accelerator: Accelerator, count: int) -> dict[str, Any]:
    """Catalog models (the ACCEL_MODEL_CAP most downloaded open-weights models with a size)
    that fit on `count` × `accelerator` at each precision, most downloaded first (1 query;
    one vectorized estimate over all of them)."""
    rows = list(
        Model.objects.filter(open_weights=True, params_total__isnull=False, params_total__gt=0)
        .order_by("-downloads", "id")
        .values("id", "repo_id", "downloads", "task__name", *DIM_FIELDS)[:ACCEL_MODEL_CAP]
    )
    if not rows:
        return {"sections": [], "considered": 0, "capped": False}
    dims = [_dims(r) for r in rows]
    spec = accelerator_spec(accelerator)
    grid = estimate_grid(
        ModelArrays.from_dims(dims),
        AcceleratorArrays.from_specs([spec]),
        ACCEL_PRECISIONS,
        context_tokens=ACCEL_CONTEXT_TOKENS,
        max_count=count,
    )
    sections = []
    for p_index, precision in enumerate(ACCEL_PRECISIONS):
        needed = grid.accelerators_needed[:, 0, p_index]
        fits = np.flatnonzero(needed > 0)  # rows are already most downloaded first
        shown = []
        for i in fits[:ACCEL_MODELS_SHOWN]:
            n = int(needed[i])
            speed = None
            if spec.bf16_tflops:
                speed = estimate_throughput(
                    dims[i], precision, spec, count=n
                ).decode_tokens_per_s_per_stream
            shown.append(
                {
                    "repo_id": rows[i]["repo_id"],
                    "task": rows[i]["task__name"],
                    "params_total": rows[i]["params_total"],
                    "count": n,
                    "total_gib": float(grid.total_bytes[i, p_index]) / 2**30,
                    "decode_tokens_per_s": speed,
                }
            )
        sections.append(
            {
                "precision": precision,
                "label": PRECISIONS[precision].label,
                "fit_count": int(fits.size),
                "models": shown,
            }
        )
    return {"sections": sections, "considered": len(rows), "capped": len(rows) == ACCEL_MODEL_CAP}


def accelerator_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """What runs on one accelerator (count selectable) and what an hour of it costs on
    each cloud (3 queries)."""
    try:
        accelerator = bench_selectors.accelerator_get(slug=slug)
    except Accelerator.DoesNotExist as exc:
        raise Http404(f"No accelerator {slug!r}.") from exc
    try:
        count = int(request.GET.get("count", "1"))
    except ValueError:
        count = 1
    if count not in ACCEL_COUNTS:
        count = 1
    if accelerator.kind in ("apple", "cpu"):
        count = 1
    fit = models_that_fit(accelerator=accelerator, count=count)
    prices = list(selectors.instance_price_list(accelerator_id=accelerator.id)[:PAGE_SIZE])
    for price in prices:
        price.usd_per_device_hour = (
            price.usd_per_hour_on_demand / price.accelerator_count
            if price.usd_per_hour_on_demand is not None
            else None
        )
    return render(
        request,
        "pricing/accelerator_detail.html",
        {
            "accelerator": accelerator,
            "count": count,
            "counts": ACCEL_COUNTS if accelerator.kind not in ("apple", "cpu") else (1,),
            "context_tokens": ACCEL_CONTEXT_TOKENS,
            "fit": fit,
            "model_cap": ACCEL_MODEL_CAP,
            "gpu_prices": prices,
        },
    )


def insights(request: HttpRequest) -> HttpResponse:
    """Parameters vs cheapest input price: one point per catalog model with both (1 query,
    at most INSIGHTS_POINTS points), optionally for one task."""
    models = Model.objects.filter(params_total__isnull=False, params_total__gt=0)
    task = request.GET.get("task", "")
    if task:
        models = models.filter(task__slug=task)
    rows = selectors.cheapest_offer_per_model(models=models).filter(
        cheapest_usd_per_mtok_input__gt=0
    )[:INSIGHTS_POINTS]
    points = [
        {
            "x": m.params_total / 1e9,
            "y": float(m.cheapest_usd_per_mtok_input),
            "label": m.repo_id,
            "open": m.open_weights,
        }
        for m in rows
    ]
    tasks = (
        Offer.objects.current()
        .filter(unit=Unit.TOKEN, model__task__isnull=False, model__params_total__isnull=False)
        .values_list("model__task__slug", "model__task__name")
        .distinct()
        .order_by("model__task__name")
    )
    return render(
        request,
        "pricing/insights.html",
        {
            "chart": {"points": points},
            "point_count": len(points),
            "cap": INSIGHTS_POINTS,
            "task": task,
            "tasks": list(tasks),
        },
    )
