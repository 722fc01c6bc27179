"""Catalog reads shared by the website, the API and the planner.

Each returns fully prefetched data, so templates and serializers never query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery

from catalog.models import Feed, FeedRun, Model, Organization, Task


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
    return Task.objects.annotate(model_count=Count("models")).order_by("-model_count", "slug")


def catalog_stats() -> dict[str, int]:
    return {
        "models": Model.objects.count(),
        "tasks": Task.objects.count(),
        "organizations": Model.objects.values("organization").distinct().count(),
    }


def feed_list() -> QuerySet[Feed]:
    return Feed.objects.select_related("last_good_run").order_by("kind", "slug")


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
    """Facet values with their catalog-wide counts (4 queries, whatever the catalog size)."""
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


def model_similar(*, model: Model, limit: int = 6) -> list[Model]:
    """Models with the same task and a similar size (0.5×–2× the parameters), most popular first.

    Without a task, nothing is similar; without a size, the task alone decides.
    """
    if model.task_id is None:
        return []
    qs = model_list().filter(task_id=model.task_id).exclude(id=model.id)
    if model.params_total:
        qs = qs.filter(
            params_total__gte=model.params_total // 2, params_total__lte=model.params_total * 2
        )
    return list(qs.order_by("-downloads", "id")[:limit])


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


def task_counts() -> dict[str, int]:
    """Model count per task slug (one query)."""
    return dict(task_list_with_counts().values_list("slug", "model_count"))


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
