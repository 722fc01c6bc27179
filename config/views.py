"""Site-wide views (home). Thin: they call selectors and render."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from catalog import page_hooks, selectors
from catalog.guides import GUIDES, TILES


def home(request: HttpRequest) -> HttpResponse:
    counts = selectors.task_counts()
    tiles = [(tile, sum(counts.get(s, 0) for s in tile.task_slugs)) for tile in TILES]
    context = {
        "stats": selectors.catalog_stats(),
        "tiles": tiles,
        "popular": selectors.model_list_popular(limit=8),
        "guides": GUIDES[:4],
        **page_hooks.context_for("home"),
    }
    return render(request, "home.html", context)
