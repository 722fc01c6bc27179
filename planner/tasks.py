"""Planner Celery tasks: the daily expiry of saved plans nobody opened."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from planner.lifecycle import plans_expire


@shared_task(acks_late=True)
def plans_expire_task() -> int:
    """Delete plans never viewed PLAN_EXPIRE_DAYS after creation (planner.lifecycle)."""
    return plans_expire(now=timezone.now())
