"""Celery beat entries for benchmarks (plain data: beat reads it before apps load)."""

from __future__ import annotations

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "benchmarks-model-requirements-refresh": {
        "task": "benchmarks.tasks.model_requirements_refresh_task",
        "schedule": crontab(minute=23, hour=5),
    },
}
