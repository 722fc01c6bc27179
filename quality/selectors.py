"""Quality reads shared by the website, the API and (later) the planner."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery

from catalog.models import Model
from quality.index import TASKS, required_components
from quality.index.spec import QUALITY_TASKS_FOR_CATALOG_TASK
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
    """A model's scores from each board's newest snapshot only (model page table). The
    model is not joined: the caller has it, and building it again per score row (a wide
    row, dozens of scores) was a good part of the section's time."""
    rows = list(
        Score.objects.filter(model_id=model_id)
        .select_related("snapshot__leaderboard")
        .order_by(
            "snapshot__leaderboard__slug", "-snapshot__data_date", "metric", "category", "setting"
        )
    )
    newest: dict[int, date] = {}
    for s in rows:
        board = s.snapshot.leaderboard_id
        if board not in newest or s.snapshot.data_date > newest[board]:
            newest[board] = s.snapshot.data_date
    return [s for s in rows if s.snapshot.data_date == newest[s.snapshot.leaderboard_id]]


def quality_index_for_models(*, model_ids: list[int]) -> QuerySet[QualityIndex]:
    return QualityIndex.objects.filter(model_id__in=model_ids).order_by("model_id", "task")


def quality_index_list(*, task: str | None = None) -> QuerySet[QualityIndex]:
    """Index rows best first, with their 95% interval (low, high) and model."""
    qs = QualityIndex.objects.select_related("model").annotate(
        low=F("value") - F("uncertainty"), high=F("value") + F("uncertainty")
    )
    if task:
        qs = qs.filter(task=task)
    return qs.order_by("task", "-value", "model_id")


def quality_index_tasks() -> list[str]:
    return list(QualityIndex.objects.order_by("task").values_list("task", flat=True).distinct())


@dataclass(frozen=True, slots=True)
class TaskQuality:
    """A model's quality on one task: measured (an index row) or unknown, never 0."""

    task: str
    status: str  # "measured" | "unknown"
    value: float | None = None
    uncertainty: float | None = None
    adjustment: float = 0.0
    sources: list = field(default_factory=list)
    computed_at: datetime | None = None
    note: str = ""

    @property
    def moved(self) -> bool:
        """Whether the dominance order moved the value visibly (0.05 points or more)."""
        return abs(self.adjustment) >= 0.05

    @property
    def low(self) -> float | None:
        return None if self.uncertainty is None else self.value - self.uncertainty

    @property
    def high(self) -> float | None:
        return None if self.uncertainty is None else self.value + self.uncertainty


def model_quality(*, model: Model, scored_boards: Iterable[str] | None = None) -> list[TaskQuality]:
    """The model's index on every task it has one, then "unknown" for the other quality
    tasks of its catalog task, saying why: scores that do not enter the index (an
    incomplete run), a closed model with no public score, or no score at all.
    `scored_boards`: slugs of the boards the model has scores on (read when None).
    1 query, 2 without `scored_boards`; `model.task` must be loaded."""
    rows = list(QualityIndex.objects.filter(model=model).order_by("task"))
    out = [
        TaskQuality(
            task=r.task,
            status="measured",
            value=r.value,
            uncertainty=r.uncertainty,
            adjustment=r.adjustment,
            sources=r.sources,
            computed_at=r.computed_at,
        )
        for r in rows
    ]
    measured = {r.task for r in rows}
    slug = model.task.slug if model.task_id else ""
    todo = [t for t in QUALITY_TASKS_FOR_CATALOG_TASK.get(slug, ()) if t not in measured]
    if todo and scored_boards is None:
        scored_boards = Score.objects.filter(model=model).values_list(
            "snapshot__leaderboard__slug", flat=True
        )
    scored = set(scored_boards or ())
    out.extend(
        TaskQuality(task=task, status="unknown", note=_unknown_note(model, task, scored))
        for task in todo
    )
    return out


def _unknown_note(model: Model, task: str, scored: set[str]) -> str:
    spec = TASKS[task]
    boards = sorted({c.board for c in (*spec.fit, *spec.order_views())} & scored)
    if boards:
        return (
            f"Its scores on {', '.join(boards)} do not enter the {task} index (for example a "
            "run that skipped part of the benchmark): quality unknown."
        )
    if not model.open_weights:
        return (
            f"Closed model with no score on a public leaderboard we track for {task}: "
            "quality unknown."
        )
    return f"No leaderboard we track has scored this model for {task}: quality unknown."


def quality_index_rows(*, task: str | None = None) -> QuerySet:
    """(model id, task, index) rows for "quality vs price" and the planner."""
    qs = QualityIndex.objects.all()
    if task:
        qs = qs.filter(task=task)
    return qs.order_by("task", "-value", "model_id").values_list("model_id", "task", "value")


def snapshots_current() -> dict[int, tuple[str, date]]:
    """Each board's newest snapshot: snapshot id -> (board slug, data date). One query."""
    out: dict[int, tuple[str, date]] = {}
    seen: set[int] = set()
    for snap_id, board_id, slug, day in LeaderboardSnapshot.objects.order_by(
        "leaderboard_id", "-data_date"
    ).values_list("id", "leaderboard_id", "leaderboard__slug", "data_date"):
        if board_id not in seen:
            seen.add(board_id)
            out[snap_id] = (slug, day)
    return out


@dataclass(frozen=True, slots=True)
class IndexScoreRows:
    """What the index refresh reads: the rows of the views it uses, (snapshot_id, metric,
    category, model_id, value, ci_low, ci_high, samples), and each snapshot's (board,
    data date). quality.index.columns_from_db_rows turns them into columns."""

    rows: list[tuple]
    snapshots: dict[int, tuple[str, date]]


def index_score_rows() -> IndexScoreRows:
    """The scores quality.index reads: the views of its TASKS in each board's newest
    snapshot. Two queries (the snapshots, then the scores)."""
    current = snapshots_current()
    by_board: dict[str, list[int]] = {}
    for snap_id, (slug, _) in current.items():
        by_board.setdefault(slug, []).append(snap_id)
    wanted = Q(pk__in=[])
    for c in required_components():
        if c.board in by_board:
            wanted |= Q(snapshot_id__in=by_board[c.board], metric=c.metric, category=c.category)
    rows = list(
        Score.objects.filter(wanted).values_list(
            "snapshot_id", "metric", "category", "model_id", "value", "ci_low", "ci_high",
            "samples",
        )
    )  # fmt: skip
    return IndexScoreRows(rows, current)
