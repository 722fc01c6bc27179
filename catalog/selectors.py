"""Catalog reads shared by the website, the API and the planner."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from catalog.models import Feed, FeedRun, Model, Task


def model_list() -> QuerySet[Model]:
    return Model.objects.select_related("organization", "task").order_by("-downloads", "id")


def model_get(*, repo_id: str) -> Model:
    return model_list().get(repo_id=repo_id)


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
