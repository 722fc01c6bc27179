"""`/plan/<slug>/reprice/`: the saved plan re-run on today's prices, what changed (thin)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from planner.reprice_service import plan_reprice


def plan_reprice_view(request: HttpRequest, slug: str) -> HttpResponse:
    result = plan_reprice(slug=slug)
    return render(
        request,
        "planner/plan_reprice.html",
        {"plan": result.plan, "reprice": result, "diff": result.diff},
    )
