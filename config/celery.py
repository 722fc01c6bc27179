"""The Celery app. Without CELERY_BROKER_URL, tasks run eagerly in-process.

Beat schedules are code: each app's `schedule.py` defines BEAT_SCHEDULE, merged here.
"""

from __future__ import annotations

import os
from importlib import import_module

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("model_atlas")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

from config.metrics import connect_celery_signals  # noqa: E402 - after the app exists

connect_celery_signals()

SCHEDULE_APPS = ("catalog", "benchmarks", "quality", "pricing", "planner")


def beat_schedule() -> dict[str, dict]:
    schedule: dict[str, dict] = {}
    for label in SCHEDULE_APPS:
        try:
            module = import_module(f"{label}.schedule")
        except ModuleNotFoundError as exc:
            if exc.name != f"{label}.schedule":
                raise
            continue
        schedule.update(module.BEAT_SCHEDULE)
    return schedule


@app.on_after_finalize.connect
def _install_beat_schedule(sender: Celery, **kwargs: object) -> None:
    sender.conf.beat_schedule = {**beat_schedule(), **(sender.conf.beat_schedule or {})}
