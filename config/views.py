"""Site-wide views (home). Thin: they call selectors and render."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from catalog import selectors


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"stats": selectors.catalog_stats()})
