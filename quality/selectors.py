"""Quality reads shared by the website, the API and (later) the planner."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Max, OuterRef, QuerySet, Subquery

from quality.models import Leaderboard, LeaderboardSnapshot, QualityIndex, Score


def leaderboard_list() -> QuerySet[Leaderboard]:
    """Every leaderboard with its newest data date and the size of that snapshot."""
    newest = LeaderboardSnapshot.objects.filter(leaderboard=OuterRef("pk")).order_by("-data_date")
    return Leaderboard.objects.annotate(
        latest_date=Max("snapshots__data_date"),
        latest_snapshot_id=Subquery(newest.values("id")[:1]),
        snapshot_count=Count("snapshots", distinct=True),
    ).order_by("source", "slug")


def leaderboard_get(*, slug: str) -> Leaderboard:
    return leaderboard_list().get(slug=slug)


def snapshot_current(*, leaderboard: Leaderboard, as_of: date | None = None):
    """The newest snapshot (dated on or before `as_of`), or None."""
    qs = LeaderboardSnapshot.objects.filter(leaderboard=leaderboard)
    if as_of is not None:
        qs = qs.as_of(as_of)
    return qs.order_by("-data_date").first()


def leaderboard_scores(
    *,
    leaderboard: Leaderboard,
    as_of: date | None = None,
    metric: str | None = None,
    category: str = "",
) -> QuerySet[Score]:
    """One board's scores as of a date (default: newest snapshot), best first."""
    snap = snapshot_current(leaderboard=leaderboard, as_of=as_of)
    if snap is None:
        return Score.objects.none()
    order = "-value" if leaderboard.higher_is_better else "value"
    return (
        Score.objects.filter(snapshot=snap, metric=metric or leaderboard.metric, category=category)
        .select_related("model", "snapshot__leaderboard")
        .order_by(order, "id")
    )


def score_list_for_model(*, model_id: int, as_of: date | None = None) -> QuerySet[Score]:
    """A model's scores on every board (all snapshots up to `as_of`), newest first."""
    qs = Score.objects.filter(model_id=model_id)
    if as_of is not None:
        qs = qs.as_of(as_of)
    return qs.select_related("model", "snapshot__leaderboard").order_by(
        "snapshot__leaderboard__slug", "-snapshot__data_date", "metric", "category", "setting"
    )


def score_list_current_for_model(*, model_id: int) -> list[Score]:
    """A model's scores from each board's newest snapshot only (model page table)."""
    rows = list(score_list_for_model(model_id=model_id))
    newest: dict[int, date] = {}
    for s in rows:
        board = s.snapshot.leaderboard_id
        if board not in newest or s.snapshot.data_date > newest[board]:
            newest[board] = s.snapshot.data_date
    return [s for s in rows if s.snapshot.data_date == newest[s.snapshot.leaderboard_id]]


def quality_index_for_models(*, model_ids: list[int]) -> QuerySet[QualityIndex]:
    return QualityIndex.objects.filter(model_id__in=model_ids).order_by("model_id", "task")


def quality_index_rows(*, task: str | None = None) -> QuerySet:
    """(model id, task, index) rows for "quality vs price" and the planner."""
    qs = QualityIndex.objects.all()
    if task:
        qs = qs.filter(task=task)
    return qs.order_by("task", "-value", "model_id").values_list("model_id", "task", "value")
