"""Pricing website views: providers, accelerators (what runs on them, what an hour costs),
and the params-vs-price chart. Thin: parse input, call a selector, render."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from benchmarks import selectors as bench_selectors
from benchmarks.models import Accelerator
from catalog.models import Model
from pricing import selectors, subscription_web
from pricing.models import InstancePrice, Offer, Provider, Unit
from pricing.offer_pricing import reference_costs_for_rows
from pricing.web_context import unit_tables

PAGE_SIZE = 50
INSIGHTS_POINTS = 600


def provider_list(request: HttpRequest) -> HttpResponse:
    """Providers grouped by kind, with search (name, slug, alias), sort by models priced
    or by the cheapest current input price of a chosen model (1 query + 1 for the model)."""
    form = provider_list_form(request.GET)
    providers = selectors.provider_directory(
        q=form["q"], kind=form["kind"], sort=form["sort"], model_repo_id=form["model"]
    )
    if form["sort"] == "price":  # one ranking across kinds: who sells this model cheapest
        groups = [("price", f"Cheapest for {form['model']}", providers)] if providers else []
    else:
        groups = selectors.providers_by_kind(providers)
    return render(
        request,
        "pricing/provider_list.html",
        {
            "groups": groups,
            "provider_count": len(providers),
            "kind": form["kind"],
            "kinds": Provider.Kind.choices,
            "q": form["q"],
            "sort": form["sort"],
            "sorts": selectors.PROVIDER_SORTS,
            "model_repo_id": form["model"],
        },
    )


def provider_list_form(data) -> dict[str, str]:
    """The providers page's GET parameters, cleaned (unknown values fall back)."""
    kind = data.get("kind", "")
    sort = data.get("sort", "")
    model = (data.get("model") or "").strip()[:200]
    if sort not in selectors.PROVIDER_SORTS:
        sort = "price" if model else "models"
    if sort == "price" and not model:
        sort = "models"
    return {
        "q": (data.get("q") or "").strip()[:100],
        "kind": kind if kind in Provider.Kind.values else "",
        "sort": sort,
        "model": model,
    }


def provider_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One provider's current offers, one row per model × variant, one table per unit
    (6 queries with its price rows + 1 for the seat plans; 1 more while a sync's new
    rows wait for their grouping)."""
    try:
        provider = selectors.provider_list().get(slug=slug)
    except Provider.DoesNotExist as exc:
        raise Http404(f"No provider {slug!r}.") from exc
    # the stored grouping: a count and the page's rows, whatever the provider's size
    groups = selectors.provider_offer_groups(provider=provider)
    page = Paginator(groups, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    # the one cost function's USD for 1M tokens 3:1 (one query for the page's price rows)
    reference_costs_for_rows([g.offer for g in page.object_list])
    gpu_prices = list(selectors.instance_price_list(provider=slug)[:PAGE_SIZE])
    return render(
        request,
        "pricing/provider_detail.html",
        {
            "provider": provider, "page": page, "offer_tables": unit_tables(page.object_list),
            "offer_count": len(groups), "gpu_prices": gpu_prices,
            **subscription_web.provider_context(provider=provider),
        },
    )  # fmt: skip


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


def insights(request: HttpRequest) -> HttpResponse:
    """Parameters vs cheapest input price: one point per catalog model with both (1 query,
    at most INSIGHTS_POINTS points), optionally for one task."""
    models = Model.objects.filter(params_total__isnull=False, params_total__gt=0)
    task = request.GET.get("task", "")
    if task:
        models = models.filter(task__slug=task)
    rows = selectors.cheapest_offer_per_model(models=models).filter(
        offer_min_usd_per_mtok_input__gt=0
    )[:INSIGHTS_POINTS]
    points = [
        {
            "x": m.params_total / 1e9,
            "y": float(m.offer_min_usd_per_mtok_input),
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
