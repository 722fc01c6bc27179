"""Quality website views (thin: parse input, call a selector, render)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Min, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from quality import selectors
from quality.models import Leaderboard, QualityIndex

QVP_MAX_POINTS = 500
QVP_TASK_DEFAULT = "chat"  # the task a quality page opens on


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


def index_list(request: HttpRequest) -> HttpResponse:
    """`/leaderboards/index/?task=chat`: the task's quality index, best first, each value
    with its 95% interval, the boards behind it and the move made by the order."""
    tasks = selectors.quality_index_tasks()
    task = request.GET.get("task") or (
        QVP_TASK_DEFAULT if QVP_TASK_DEFAULT in tasks else (tasks[0] if tasks else "")
    )
    page = Paginator(selectors.quality_index_list(task=task), 50).get_page(request.GET.get("page"))
    return render(request, "quality/index_list.html", {"task": task, "tasks": tasks, "page": page})


def pareto_front(points: list[tuple[float, float]]) -> set[int]:
    """Indexes of the points no other point beats on both axes: price (x, lower is better)
    and quality (y, higher is better). Sorted by price then quality, a point is on the
    front when its quality exceeds every cheaper point's."""
    order = sorted(range(len(points)), key=lambda i: (points[i][0], -points[i][1]))
    front: set[int] = set()
    best = float("-inf")
    for i in order:
        if points[i][1] > best:
            front.add(i)
            best = points[i][1]
    return front


def quality_vs_price(request: HttpRequest) -> HttpResponse:
    """`/leaderboards/quality-vs-price/?task=chat`: the task's quality index (y) against the
    model's cheapest current input price per 1M tokens (x), Pareto front marked (2 queries).

    Prices are read through the ORM's reverse relation `Model.offers` by name, so quality
    still imports nothing of pricing (layering: quality -> catalog only)."""
    tasks = selectors.quality_index_tasks()
    task = request.GET.get("task") or (
        QVP_TASK_DEFAULT if QVP_TASK_DEFAULT in tasks else (tasks[0] if tasks else "")
    )
    current_token_price = Q(
        model__offers__valid_to__isnull=True,
        model__offers__unit="token",
        model__offers__usd_per_mtok_input__gt=0,
    )
    rows = list(
        QualityIndex.objects.filter(task=task)
        .annotate(cheapest=Min("model__offers__usd_per_mtok_input", filter=current_token_price))
        .filter(cheapest__isnull=False)
        .select_related("model")
        .order_by("cheapest", "-value", "model_id")[:QVP_MAX_POINTS]
    )
    front = pareto_front([(float(r.cheapest), r.value) for r in rows])
    points = [
        {"x": float(r.cheapest), "y": round(r.value, 2), "label": r.model.repo_id}
        for i, r in enumerate(rows)
        if i not in front
    ]
    front_points = [
        {"x": float(r.cheapest), "y": round(r.value, 2), "label": r.model.repo_id}
        for i, r in enumerate(rows)
        if i in front
    ]
    front_rows = [r for i, r in enumerate(rows) if i in front]
    return render(
        request,
        "quality/quality_vs_price.html",
        {
            "task": task,
            "tasks": tasks,
            "chart": {"points": points, "front": front_points},
            "front_rows": front_rows,
            "point_count": len(rows),
        },
    )
