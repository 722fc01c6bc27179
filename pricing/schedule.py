"""Celery beat entries for the pricing feeds: API prices hourly, GPU prices daily.

Plain data (no model imports): beat reads it before Django's apps are loaded. The
slugs match pricing.services.feeds.FEEDS (tests/pricing/test_tasks.py checks)."""

from __future__ import annotations

from celery.schedules import crontab

HOURLY = ("litellm", "openrouter", "models-dev", "genai-prices")
DAILY = tuple(
    f"skypilot-{cloud}"
    for cloud in ("gcp", "azure", "lambda", "vast", "nebius", "hyperbolic", "runpod")
)

BEAT_SCHEDULE = {
    **{
        f"pricing-sync-{slug}": {
            "task": "pricing.tasks.feed_sync_task",
            "schedule": crontab(minute=17),
            "args": (slug,),
        }
        for slug in HOURLY
    },
    **{
        f"pricing-sync-{slug}": {
            "task": "pricing.tasks.feed_sync_task",
            "schedule": crontab(minute=43, hour=4),
            "args": (slug,),
        }
        for slug in DAILY
    },
    "pricing-model-prices-refresh": {
        "task": "pricing.tasks.model_prices_refresh_task",
        "schedule": crontab(minute=47),
    },
}
