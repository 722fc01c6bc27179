"""Quality website views (thin: parse input, call a selector, render)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from quality import selectors
from quality.models import Leaderboard


def leaderboard_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "quality/leaderboard_list.html", {"leaderboards": selectors.leaderboard_list()}
    )


def leaderboard_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        board = selectors.leaderboard_get(slug=slug)
    except Leaderboard.DoesNotExist as exc:
        raise Http404(f"No leaderboard {slug!r}.") from exc
    category = request.GET.get("category", "")
    scores = selectors.leaderboard_scores(leaderboard=board, category=category)
    page = Paginator(scores, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "quality/leaderboard_detail.html",
        {"board": board, "page": page, "category": category},
    )
