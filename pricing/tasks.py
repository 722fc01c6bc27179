"""Celery glue: one task per feed sync (retries only transient fetch errors)."""

from __future__ import annotations

from celery import shared_task

from catalog.services.runs import FeedAlreadyRunning
from pricing.services.feeds import feed_sync
from pricing.services.fetch import FeedTransientError
from pricing.services.model_prices import model_prices_refresh
from pricing.services.provider_pages import provider_pages_refresh


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    # FeedAlreadyRunning: another run holds the feed, or a redelivered task (its worker
    # was killed) finds the killed run still "running" until it goes stale
    # (FEED_RUN_STALE_AFTER_S): retry later either way.
    autoretry_for=(FeedTransientError, FeedAlreadyRunning),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=900,
    time_limit=1200,
)
def feed_sync_task(feed_slug: str) -> int:
    """Sync one pricing feed; returns the FeedRun id. A parse error is permanent (the
    failed run is recorded, no retry); a network error / 5xx / timeout is retried, and
    so is a feed held by another (or a killed, not yet stale) run."""
    return feed_sync(feed_slug=feed_slug, raise_transient=True).id


@shared_task(acks_late=True, soft_time_limit=900, time_limit=1200)
def model_prices_refresh_task() -> int:
    """Recompute each model's cheapest-price columns (feed syncs do it too; this catches
    offers linked to a model later, e.g. by an alias review), and the provider pages'
    grouping (a link moves an offer into its model's group)."""
    written = model_prices_refresh()
    return written + provider_pages_refresh()
