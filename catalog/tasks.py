"""Celery glue for catalog services (one call to a service per task)."""

from __future__ import annotations

from celery import shared_task

from catalog.services.counts import catalog_counts_refresh
from catalog.services.hub import hub_sync
from catalog.services.hub_fetch import hub_model_fetch
from catalog.services.runs import FeedAlreadyRunning


class HubTransientError(Exception):
    """A sync that stopped on a transient Hub failure (429/5xx/network): retry it."""


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    # FeedAlreadyRunning: another run holds the feed, or a redelivered task finds its
    # killed predecessor still "running" until it goes stale; retry later either way.
    autoretry_for=(HubTransientError, FeedAlreadyRunning, ConnectionError),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def hub_sync_task(
    task: str | None = None,
    author: str | None = None,
    search: str | None = None,
    limit: int = 500,
    full: bool = False,
) -> int:
    """Run hub_sync; returns the FeedRun id. A run that failed on a transient page error
    is retried (it resumes from its cursor, so the retry does not redo finished pages)."""
    run = hub_sync(task=task, author=author, search=search, limit=limit, full=full)
    if run.status == run.Status.FAILED and run.cursor and _transient(run.errors):
        raise HubTransientError(run.errors[0] if run.errors else "hub sync failed")
    return run.pk


def _transient(errors: list[str]) -> bool:
    first = errors[0] if errors else ""
    return any(word in first for word in ("rate limited", "server error", "network error"))


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    rate_limit="30/m",
    soft_time_limit=90,
    time_limit=120,
)
def hub_model_fetch_task(repo_id: str) -> str:
    """One Hub model on demand (catalog.services.hub_fetch); rate-limited per worker."""
    return hub_model_fetch(repo_id=repo_id)


@shared_task(acks_late=True, soft_time_limit=600, time_limit=900)
def catalog_counts_refresh_task() -> int:
    """Recount the facets and totals (also after syncs that create models: feeds)."""
    return catalog_counts_refresh()
