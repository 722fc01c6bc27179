"""Celery beat entries of the planner (merged by config/celery.py)."""

from __future__ import annotations

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Never-viewed plans older than PLAN_EXPIRE_DAYS (never pinned, demo or users' plans).
    "planner-plans-expire-daily": {
        "task": "planner.tasks.plans_expire_task",
        "schedule": crontab(hour=4, minute=41),
    },
}
