"""Site-wide views (home, favicon). Thin: they call selectors and render."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from catalog import page_hooks, selectors
from catalog.guides import GUIDES, TILES

FAVICON_MAX_AGE_S = 7 * 24 * 3600


def home(request: HttpRequest) -> HttpResponse:
    stats, counts = selectors.catalog_overview()
    tiles = [(tile, sum(counts.get(s, 0) for s in tile.task_slugs)) for tile in TILES]
    # A task tile with no models would link to an empty list; tiles without tasks (a search)
    # always show.
    tiles = [(tile, n) for tile, n in tiles if n or not tile.task_slugs]
    context = {
        "stats": stats,
        "tiles": tiles,
        "popular": selectors.model_list_popular(limit=8),
        "guides": GUIDES[:4],
        **page_hooks.context_for("home"),
    }
    return render(request, "home.html", context)


@cache
def _favicon_bytes() -> bytes:
    return (settings.BASE_DIR / "static" / "favicon.ico").read_bytes()


def favicon(request: HttpRequest) -> HttpResponse:
    """`/favicon.ico`: browsers ask for it at the root whatever the page links to."""
    response = HttpResponse(_favicon_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = f"public, max-age={FAVICON_MAX_AGE_S}"
    return response
