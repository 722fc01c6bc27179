"""Celery glue: one task per feed sync (retries only transient fetch errors)."""

from __future__ import annotations

from celery import shared_task

from pricing.services.feeds import feed_sync
from pricing.services.fetch import FeedTransientError


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(FeedTransientError,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=900,
    time_limit=1200,
)
def feed_sync_task(feed_slug: str) -> int:
    """Sync one pricing feed; returns the FeedRun id. A parse error is permanent (the
    failed run is recorded, no retry); a network error / 5xx / timeout is retried."""
    return feed_sync(feed_slug=feed_slug, raise_transient=True).id
