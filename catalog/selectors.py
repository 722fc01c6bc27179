"""Catalog reads shared by the website, the API and the planner.

Each returns fully prefetched data, so templates and serializers never query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import (
    BigIntegerField,
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from catalog.facts.similar import series_stem, size_band, size_for_band
from catalog.models import CatalogCount, Feed, FeedRun, Model, Organization, Task


def model_list() -> QuerySet[Model]:
    return Model.objects.select_related("organization", "task").order_by("-downloads", "id")


def model_detail_list() -> QuerySet[Model]:
    """model_list plus what a model's own page shows (its base model)."""
    return model_list().select_related("base_model")


def model_get(*, repo_id: str) -> Model:
    return model_detail_list().get(repo_id=repo_id)


def organization_list() -> QuerySet[Organization]:
    return Organization.objects.order_by("slug")


def task_list_with_counts() -> QuerySet[Task]:
    """Tasks with their model counts: the maintained count (CatalogCount) where there is
    one, else counted on the task's index (COALESCE evaluates that only when needed: for
    a task with no maintained row, or before the first refresh). One lazy query."""
    maintained = CatalogCount.objects.filter(kind=CatalogCount.Kind.TASK, key=OuterRef("slug"))
    live = (
        Model.objects.filter(task_id=OuterRef("pk"))
        .order_by()
        .values("task_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Task.objects.annotate(
        model_count=Coalesce(
            Subquery(maintained.values("count")[:1]),
            Subquery(live),
            Value(0),
            output_field=BigIntegerField(),
        )
    ).order_by("-model_count", "slug")


def _maintained(kinds: Sequence[str], limit: int | None = None) -> list[CatalogCount] | None:
    """The maintained count rows of `kinds` plus the totals (one query; with `limit`, the
    `limit` largest of each kind); None before the first refresh (no total row)."""
    qs = CatalogCount.objects.filter(kind__in=[CatalogCount.Kind.TOTAL, *kinds])
    if limit is not None:  # each kind is ranked at refresh; the 3 totals rank 1-3
        qs = qs.filter(rank__lte=max(limit, 3))
    rows = list(qs.order_by("kind", "rank"))
    models_total = [r for r in rows if r.kind == "total" and r.key == CatalogCount.TOTAL_MODELS]
    return rows if models_total else None


def _totals(rows: list[CatalogCount]) -> dict[str, object]:
    totals = {r.key: r for r in rows if r.kind == CatalogCount.Kind.TOTAL}
    counts = {key: row.count for key, row in totals.items()}
    return {
        "models": counts[CatalogCount.TOTAL_MODELS],
        "tasks": counts.get(CatalogCount.TOTAL_TASKS, 0),
        "organizations": counts.get(CatalogCount.TOTAL_ORGANIZATIONS, 0),
        "as_of": totals[CatalogCount.TOTAL_MODELS].updated_at,
    }


def catalog_overview() -> tuple[dict[str, object], dict[str, int]]:
    """The home page's totals (with `as_of`: None when counted just now) and the model
    count per task slug: 1 query from the maintained counts, 5 before the first refresh."""
    rows = _maintained([CatalogCount.Kind.TASK])
    if rows is not None:
        tasks = {r.key: r.count for r in rows if r.kind == CatalogCount.Kind.TASK}
        return _totals(rows), tasks
    return _live_stats(), dict(task_list_with_counts().values_list("slug", "model_count"))


def catalog_total() -> tuple[int | None, datetime | None]:
    """(models in the catalog, as of when) from the maintained counts (1 query);
    (None, None) before the first refresh."""
    row = (
        CatalogCount.objects.filter(kind=CatalogCount.Kind.TOTAL, key=CatalogCount.TOTAL_MODELS)
        .values_list("count", "updated_at")
        .first()
    )
    return row if row is not None else (None, None)


def _live_stats() -> dict[str, object]:
    return {
        "models": Model.objects.count(),
        "tasks": Task.objects.count(),
        "organizations": Model.objects.values("organization").distinct().count(),
        "as_of": None,
    }


def feed_list() -> QuerySet[Feed]:
    return Feed.objects.select_related("last_good_run").order_by("kind", "slug")


def feed_run_stale_after_s(feed: Feed) -> float:
    """Seconds without a write after which a feed's "running" run is taken as dead
    (the Hub sync commits every page; other feeds write only at the start and end)."""
    if feed.kind == Feed.Kind.HUB:
        return settings.HUB_RUN_STALE_AFTER_S
    return settings.FEED_RUN_STALE_AFTER_S


@dataclass(frozen=True, slots=True)
class StuckRun:
    feed: str
    run_id: int
    started_at: datetime
    idle_s: float  # seconds since the run last wrote anything
    limit_s: float


def feed_runs_stuck(*, now: datetime | None = None) -> list[StuckRun]:
    """Runs still "running" past their feed's limit: a killed worker's, until the next
    sync of that feed fails them (catalog.services.runs.feed_runs_fail_stale). 1 query."""
    now = now or timezone.now()
    stuck = []
    running = FeedRun.objects.filter(status=FeedRun.Status.RUNNING).select_related("feed")
    for run in running.order_by("started_at"):
        idle = (now - run.updated_at).total_seconds()
        limit = feed_run_stale_after_s(run.feed)
        if idle > limit:
            stuck.append(StuckRun(run.feed.slug, run.pk, run.started_at, round(idle, 1), limit))
    return stuck


def feed_run_list(*, feed: Feed | None = None) -> QuerySet[FeedRun]:
    qs = FeedRun.objects.select_related("feed").order_by("-started_at")
    return qs.filter(feed=feed) if feed is not None else qs


SORTS: dict[str, tuple[str, list[str]]] = {
    # key: (label, ordering); each ordering is served by an index on Model.
    "downloads": ("Most downloaded", ["-downloads", "id"]),
    "likes": ("Most liked", ["-likes", "id"]),
    "updated": ("Recently updated", ["-hub_modified_at", "id"]),
    "params": ("Largest", ["-params_total", "id"]),
    "params_asc": ("Smallest", ["params_total", "id"]),
    "context": ("Longest context", ["-context_tokens", "id"]),
    "name": ("Name", ["repo_id"]),
}
DEFAULT_SORT = "downloads"
NULLABLE_SORT_FIELDS = {"params_total", "context_tokens", "hub_modified_at"}


@dataclass(frozen=True, slots=True)
class Facet:
    value: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class Facets:
    tasks: list[Facet]
    organizations: list[Facet]
    licenses: list[Facet]
    libraries: list[Facet]
    total_models: int | None = None  # maintained total; None: not counted here
    as_of: datetime | None = None  # when the counts were refreshed; None: counted live


def model_list_sorted(*, sort: str | None) -> QuerySet[Model]:
    """The catalog in one of `SORTS`' orders; models missing the sort value go last."""
    _, ordering = SORTS.get(sort or DEFAULT_SORT, SORTS[DEFAULT_SORT])
    first, rest = ordering[0], ordering[1:]
    name = first.lstrip("-")
    if name in NULLABLE_SORT_FIELDS:
        expr = (
            F(name).desc(nulls_last=True) if first.startswith("-") else F(name).asc(nulls_last=True)
        )
        return model_list().order_by(expr, *rest)
    return model_list().order_by(*ordering)


def catalog_facets(*, limit: int = 40) -> Facets:
    """Facet values with their catalog-wide counts and the catalog's total: from the
    maintained counts (1 indexed query) once refreshed, else counted live (5 queries
    that scan the models, no total: only before the first refresh)."""
    rows = _maintained(["task", "organization", "license", "library"], limit)
    if rows is not None:
        by_kind: dict[str, list[Facet]] = {kind: [] for kind in CatalogCount.Kind.values}
        for r in rows:
            by_kind[r.kind].append(Facet(r.key, r.label, r.count))
        totals = _totals(rows)
        return Facets(
            tasks=by_kind["task"],
            organizations=by_kind["organization"],
            licenses=by_kind["license"],
            libraries=by_kind["library"],
            total_models=totals["models"],
            as_of=totals["as_of"],
        )
    tasks = [
        Facet(t.slug, t.name, t.model_count)
        for t in Task.objects.annotate(model_count=Count("models"))
        .filter(model_count__gt=0)
        .order_by("-model_count", "slug")[:limit]
    ]
    orgs = [
        Facet(o.slug, o.name, o.model_count)
        for o in Organization.objects.annotate(model_count=Count("models"))
        .filter(model_count__gt=0)
        .order_by("-model_count", "slug")[:limit]
    ]
    return Facets(
        tasks=tasks,
        organizations=orgs,
        licenses=_field_facets("license", limit),
        libraries=_field_facets("library", limit),
    )


def _field_facets(field: str, limit: int) -> list[Facet]:
    rows = (
        Model.objects.exclude(**{field: ""})
        .values(field)
        .annotate(n=Count("id"))
        .order_by("-n", field)[:limit]
    )
    return [Facet(r[field], r[field], r["n"]) for r in rows]


SIMILAR_WINDOW = 300  # the most downloaded models of the size band model_similar reads first


def model_similar(*, model: Model, limit: int = 6) -> list[Model]:
    """Models of the same task and a similar size (÷2 to ×2 the parameters; the size the
    name states when none is recorded), those of the same series first
    (catalog.facts.similar.series_stem: "llama-3.1"), then the most downloaded. Without
    any size, the series alone decides; without a task, or with neither a size nor a
    series, nothing is similar. Each carries `similar_match` ("series and size", "size",
    "series").

    With a size and a series: the ids and names of the band's SIMILAR_WINDOW most
    downloaded models (a LIMIT walk of the (task, downloads) index), the series matched
    on those names here, then the chosen models read whole: 2 queries. At a million
    models one query ranking the whole band by series first read and sorted every model
    of the band (PostgreSQL cannot estimate a substring match, so it never chose the
    index walk). Only when the window is full and holds fewer than `limit` of the
    series does the series query run over the whole band (3–4 queries); the result is
    the same either way, since the window is a prefix of the same ordering."""
    if model.task_id is None:
        return []
    stem = series_stem(model.repo_id)
    size = size_for_band(model.params_total, model.repo_id)
    series = Q(name__icontains=stem) if stem else None
    rows = (
        model_list()
        .filter(task_id=model.task_id, is_test_repo=False)
        .exclude(id=model.id)
        .order_by("-downloads", "id")
    )
    if not size:
        return _tagged(list(rows.filter(series)[:limit]), "series") if series else []
    low, high = size_band(size)
    rows = rows.filter(params_total__gte=low, params_total__lte=high)
    if series is None:
        return _tagged(list(rows[:limit]), "size")
    window = list(rows.values_list("id", "name")[:SIMILAR_WINDOW])
    needle = stem.upper()  # as the database's icontains compares: UPPER(name) LIKE UPPER(..)
    same = [i for i, name in window if needle in name.upper()][:limit]
    other = [i for i, name in window if needle not in name.upper()]
    complete = len(window) < SIMILAR_WINDOW  # the window holds the whole band
    if len(same) < limit and not complete:
        same = list(rows.filter(series).values_list("id", flat=True)[:limit])
    wanted = limit - len(same)
    if wanted > len(other) and not complete:
        other = list(rows.exclude(series).values_list("id", flat=True)[:wanted])
    chosen = same + other[:wanted]
    found = {m.id: m for m in model_list().filter(id__in=chosen)}
    return [
        *_tagged([found[i] for i in same if i in found], "series and size"),
        *_tagged([found[i] for i in other[:wanted] if i in found], "size"),
    ]


def _tagged(models: list[Model], match: str) -> list[Model]:
    for m in models:
        m.similar_match = match
    return models


def model_list_by_repo_ids(*, repo_ids: Sequence[str]) -> list[Model]:
    """The models named, in the order given; unknown ids are dropped (one query)."""
    found = {m.repo_id: m for m in model_list().filter(repo_id__in=list(repo_ids))}
    return [found[r] for r in repo_ids if r in found]


def model_list_popular(*, limit: int = 40) -> list[Model]:
    return list(model_list().order_by("-downloads", "id")[:limit])


def model_list_for_tasks(*, task_slugs: Sequence[str], limit: int = 8) -> list[Model]:
    return list(
        model_list().filter(task__slug__in=list(task_slugs)).order_by("-downloads", "id")[:limit]
    )


def model_list_matching(*, text: str, limit: int = 8) -> list[Model]:
    q = Q(repo_id__icontains=text) | Q(name__icontains=text) | Q(model_type__icontains=text)
    return list(model_list().filter(q).order_by("-downloads", "id")[:limit])


def model_list_foundation(*, task_slug: str, limit: int = 6) -> list[Model]:
    return list(
        model_list()
        .filter(task__slug=task_slug, base_model_repo_id="")
        .order_by("-downloads", "id")[:limit]
    )


def model_list_finetuned(*, task_slug: str, limit: int = 6) -> list[Model]:
    return list(
        model_list()
        .filter(task__slug=task_slug)
        .exclude(base_model_repo_id="")
        .order_by("-downloads", "id")[:limit]
    )


@dataclass(frozen=True, slots=True)
class FeedStatus:
    feed: Feed
    last_run: FeedRun | None
    last_good_run: FeedRun | None


def feed_status_list() -> list[FeedStatus]:
    """Every feed with its newest run and its last good run (2 queries)."""
    newest = FeedRun.objects.filter(feed=OuterRef("pk")).order_by("-started_at", "-id")
    feeds = list(feed_list().annotate(last_run_id=Subquery(newest.values("id")[:1])))
    runs = FeedRun.objects.in_bulk([f.last_run_id for f in feeds if f.last_run_id])
    return [FeedStatus(f, runs.get(f.last_run_id), f.last_good_run) for f in feeds]
