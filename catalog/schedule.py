"""Celery beat entries of the catalog (merged by config/celery.py)."""

from __future__ import annotations

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Daily refresh of the most-downloaded models of the main tasks; unchanged models
    # cost one fingerprint comparison each.
    "catalog-hub-sync-daily": {
        "task": "catalog.tasks.hub_sync_task",
        "schedule": crontab(hour=3, minute=17),
        "kwargs": {"limit": 5000},
    },
    # The maintained facet counts and totals the pages read (catalog.services.counts).
    "catalog-counts-refresh": {
        "task": "catalog.tasks.catalog_counts_refresh_task",
        "schedule": crontab(minute="*/15"),
    },
}
