"""Celery glue: one service call per task."""

from __future__ import annotations

from celery import shared_task

from quality.feeds.boards import SOURCES
from quality.services import leaderboard_sync, quality_index_refresh


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=600, time_limit=900)
def leaderboard_sync_task(source: str, file: str | None = None) -> int:
    return leaderboard_sync(source=source, file=file).id


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=1800, time_limit=2400)
def leaderboards_sync_all_task() -> int:
    """Weekly: every source from its configured path, then the index."""
    for source in SOURCES:
        leaderboard_sync(source=source)
    return quality_index_refresh()
