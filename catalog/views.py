"""Catalog website views (thin: parse input, call a selector, render).

Round-2 sections (offers, price history, requirements, benchmark runs, scores) arrive
through `catalog.page_hooks`, so this module never imports the apps above catalog.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers

from catalog import guide_figures, page_hooks, selectors
from catalog.facts import fact_labels, layer_kind_counts
from catalog.facts.headline import headline_facts
from catalog.filters import GATED_CHOICES, MODALITY_CHOICES, OPEN_CHOICES, ModelFilter
from catalog.guides import GUIDES, GUIDES_BY_SLUG
from catalog.models import Model
from catalog.paging import CappedPaginator
from catalog.services.hub_fetch import ModelNotOnHub, model_get_or_fetch
from config.errors import AtlasError

PAGE_SIZE = 50
CONTEXT_CHOICES = [
    ("", "Any length"),
    ("8192", "8k tokens or more"),
    ("32768", "32k or more"),
    ("131072", "128k or more"),
    ("1000000", "1M or more"),
]
COMPARE_MAX = 4


def _active_filter_chips(request: HttpRequest, filterset: ModelFilter) -> list[tuple[str, str]]:
    """(label, URL without that filter) for each filter in use: the removable chips."""
    chips = []
    for name, value in filterset.active.items():
        query = request.GET.copy()
        query.pop(name, None)
        query.pop("page", None)
        label = filterset.filters[name].label or name
        chips.append((f"{label}: {request.GET.get(name, value)}", f"?{query.urlencode()}"))
    return chips


# Website sorts that need prices or quality: catalog cannot annotate those without importing
# the apps above it, so they map to ModelFilter's `ordering` (which the API helper defines).
FILTER_SORTS: dict[str, tuple[str, str]] = {
    "cheapest": ("Cheapest API price", "cheapest"),
    "quality": ("Highest quality", "-quality"),
}
# The hook-supplied filter controls and the ModelFilter parameters each one submits.
ROUND2_CONTROLS = {
    "price_filter": ("price_min", "price_max", "has_offers"),
    "gpu_filter": ("fits", "fits_count", "fits_precision"),
    "quality_filter": ("quality_min",),
}


def filter_orderings() -> set[str]:
    ordering = ModelFilter.base_filters.get("ordering")
    return {key for key, _ in ordering.extra.get("choices", [])} if ordering else set()


def _filter_sorts() -> dict[str, tuple[str, str]]:
    available = filter_orderings()
    return {k: v for k, v in FILTER_SORTS.items() if v[1] in available}


def model_list(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort") or selectors.DEFAULT_SORT
    filter_sorts = _filter_sorts()
    data = request.GET
    if sort in filter_sorts:
        data = request.GET.copy()
        data["ordering"] = filter_sorts[sort][1]
        queryset = selectors.model_list()
    else:
        queryset = selectors.model_list_sorted(sort=sort)
    filterset = ModelFilter(data, queryset=queryset)
    # htmx swaps in the rows fragment; a history restore (cache miss on Back) needs the page.
    rows_only = request.htmx and not request.htmx.boosted
    rows_only = rows_only and not request.htmx.history_restore_request
    facets = None if rows_only else selectors.catalog_facets()
    # The whole catalog: its maintained total; a filtered list (the price and quality sorts
    # list only the models that have one), or before the first refresh: counted up to a cap.
    total, as_of = None, None
    if not filterset.active and sort not in filter_sorts:
        total, as_of = (facets.total_models, facets.as_of) if facets else selectors.catalog_total()
    paginator = CappedPaginator(filterset.qs, PAGE_SIZE, total=total)
    page = paginator.get_page(request.GET.get("page"))
    sorts = {k: label for k, (label, _) in selectors.SORTS.items()}
    sorts.update({k: label for k, (label, _) in filter_sorts.items()})
    context = {
        "filterset": filterset,
        "page": page,
        # The default sort submits "" so it stays out of shared URLs.
        "sorts": [
            ("" if key == selectors.DEFAULT_SORT else key, label, key == sort)
            for key, label in sorts.items()
        ],
        "chips": _active_filter_chips(request, filterset),
        "counts_as_of": as_of,
        "context_choices": CONTEXT_CHOICES,
        "open_choices": OPEN_CHOICES,
        "gated_choices": GATED_CHOICES,
        "modality_choices": MODALITY_CHOICES,
        **page_hooks.context_for("model_list", models=page.object_list),
    }
    # Hooks may badge the listed models: "row_badges_<name>" = {model id: [{"text", "tone"}]},
    # shown in key order.
    badge_maps = [v for k, v in sorted(context.items()) if k.startswith("row_badges")]
    for model in page.object_list:
        model.badges = [b for badges in badge_maps for b in badges.get(model.id, [])]
    # A control shows only once ModelFilter has its parameters (they would be ignored).
    for key, params in ROUND2_CONTROLS.items():
        if key in context and not all(p in ModelFilter.base_filters for p in params):
            del context[key]
    if rows_only:
        response = render(request, "catalog/partials/model_rows.html", context)
    else:
        context["facets"] = facets
        response = render(request, "catalog/model_list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def model_detail(request: HttpRequest, repo_id: str) -> HttpResponse:
    try:
        model = selectors.model_get(repo_id=repo_id)
    except Model.DoesNotExist:
        # Not in the catalog: a repo id is fetched from the Hub (catalog.services.hub_fetch).
        try:
            model = selectors.model_get(repo_id=model_get_or_fetch(repo_id=repo_id).repo_id)
        except ModelNotOnHub as exc:
            raise Http404(exc.message) from exc
        except AtlasError as exc:  # throttled, Hub unavailable, still fetching
            context = {"repo_id": repo_id, "message": exc.message}
            return render(request, "catalog/model_unavailable.html", context, status=exc.status)
    facts = fact_labels(model.facts_provenance)
    hooked = page_hooks.context_for("model_detail", model=model)
    context = {
        "model": model,
        "facts": facts,
        "head_facts": headline_facts(model, facts, offer_context=hooked.get("offer_context_max")),
        "layer_kind_counts": layer_kind_counts(model.layer_kinds),
        "similar": selectors.model_similar(model=model),
        "dtype_chart": {
            "labels": list(model.params_by_dtype),
            "values": list(model.params_by_dtype.values()),
        },
        **hooked,
    }
    return render(request, "catalog/model_detail.html", context)


def _repo_ids(raw: str) -> list[str]:
    ids: list[str] = []
    for part in raw.split(","):
        part = part.strip()
        if part and part not in ids:
            ids.append(part)
    return ids


def compare(request: HttpRequest) -> HttpResponse:
    """`/compare/?models=a/b,c/d`: 2–4 models side by side.

    The picker submits `add=<repo_id>`; a column's remove link drops one. Both redirect
    to the canonical `?models=` URL so the page can be shared.
    """
    repo_ids = _repo_ids(request.GET.get("models", ""))
    add, remove = request.GET.get("add", "").strip(), request.GET.get("remove", "").strip()
    if "add" in request.GET or "remove" in request.GET:
        if add and add not in repo_ids:
            repo_ids.append(add)
        repo_ids = [r for r in repo_ids if r != remove][:COMPARE_MAX]
        url = reverse("catalog:compare")
        return redirect(f"{url}?models={','.join(repo_ids)}" if repo_ids else url)
    models = selectors.model_list_by_repo_ids(repo_ids=repo_ids[:COMPARE_MAX])
    found = {m.repo_id for m in models}
    context = {
        "models": models,
        "missing": [r for r in repo_ids if r not in found],
        "models_param": ",".join(m.repo_id for m in models),
        "can_add": len(models) < COMPARE_MAX,
        "suggestions": selectors.model_list_popular(limit=40),
        **page_hooks.context_for("compare", models=models),
    }
    return render(request, "catalog/compare.html", context)


def compare_suggest(request: HttpRequest) -> HttpResponse:
    """The picker's typeahead: `<option>`s for the models matching `add` (htmx fragment)."""
    text = request.GET.get("add", "").strip()
    models = (
        selectors.model_list_matching(text=text, limit=20)
        if len(text) >= 2
        else selectors.model_list_popular(limit=40)
    )
    return render(request, "catalog/partials/compare_suggestions.html", {"suggestions": models})


def feed_status(request: HttpRequest) -> HttpResponse:
    """`/feeds/`: every feed, its last run (status, counts, errors) and last good run."""
    return render(request, "catalog/feed_status.html", {"feeds": selectors.feed_status_list()})


def guide_list(request: HttpRequest) -> HttpResponse:
    return render(request, "guides/index.html", {"guides": GUIDES})


def guide_detail(request: HttpRequest, slug: str) -> HttpResponse:
    guide = GUIDES_BY_SLUG.get(slug)
    if guide is None:
        raise Http404(f"No guide {slug!r}.")
    if guide.match_text:
        models = selectors.model_list_matching(text=guide.match_text)
    elif guide.task_slugs:
        models = selectors.model_list_for_tasks(task_slugs=guide.task_slugs)
    else:
        models = selectors.model_list_popular(limit=8)
    context = {
        "guide": guide,
        "models": models,
        "related": [GUIDES_BY_SLUG[s] for s in guide.related],
        "catalog_url": f"{reverse('catalog:model-list')}?{guide.catalog_query}".rstrip("?"),
        # Figures the knowledge guides quote: the catalog's own and, through the "guide"
        # hooks, pricing's, benchmarks' and quality's (no query for the other guides).
        **guide_figures.guide_figures(slug=guide.slug),
        **page_hooks.context_for("guide", guide=guide.slug),
    }
    if guide.slug == "foundation-vs-fine-tuned":
        context["foundation"] = selectors.model_list_foundation(task_slug="text-generation")
        context["finetuned"] = selectors.model_list_finetuned(task_slug="text-generation")
    return render(request, f"guides/{guide.slug}.html", context)
