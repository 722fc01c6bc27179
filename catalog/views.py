"""Catalog website views (thin: parse input, call a selector, render)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from catalog import selectors
from catalog.models import Model


def model_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.model_list(), 50).get_page(request.GET.get("page"))
    return render(request, "catalog/model_list.html", {"page": page})


def model_detail(request: HttpRequest, repo_id: str) -> HttpResponse:
    try:
        model = selectors.model_get(repo_id=repo_id)
    except Model.DoesNotExist as exc:
        raise Http404(f"No model {repo_id!r} in the catalog.") from exc
    return render(request, "catalog/model_detail.html", {"model": model})
