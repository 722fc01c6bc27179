"""Saved plans over time: reuse for identical inputs, view tracking, expiry.

- `plan_inputs_key(inputs)`: sha256 of the engine's inputs, the data version (catalog,
  current offers and instance prices, quality indexes, feed runs, benchmark runs,
  accelerators: `plan_data_version`) and the engine version. `plan_create` returns the
  saved plan with the same key (and owner) instead of ranking again, so 30 identical
  submissions store one plan; a later price change changes the key and makes a new plan.
- `plan_mark_viewed(plan)`: an opening of the plan's page, JSON, CSV or API read later
  than PLAN_VIEW_GRACE_S after it was made (the creator's own redirect does not count)
  sets `last_viewed_at` (at most one write a day per plan).
- `plans_expire(now)`: deletes plans never viewed PLAN_EXPIRE_DAYS after they were made,
  except pinned ones, the demo's (`demo*` slugs: the slug alphabet has no "o", so no
  random slug starts with it) and plans saved by a signed-in user. A shared link that
  someone opened is therefore never expired. Beat runs it daily (planner/schedule.py).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Max, Q

from benchmarks.models import Accelerator, BenchmarkRun
from planner.codec import inputs_to_data
from planner.models import Plan
from planner.records import ENGINE_VERSION, PlanInputs
from planner.selectors import catalog_version
from pricing.models import InstancePrice

DEMO_SLUG_PREFIX = "demo"


def plan_data_version() -> str:
    """A fingerprint of every table a plan reads (7 aggregate queries)."""
    parts = (
        catalog_version(),
        tuple(
            InstancePrice.objects.filter(valid_to__isnull=True)
            .aggregate(n=Count("id"), t=Max("updated_at"), i=Max("id"))
            .values()
        ),
        tuple(BenchmarkRun.objects.aggregate(n=Count("id"), t=Max("updated_at")).values()),
        tuple(Accelerator.objects.aggregate(n=Count("id"), t=Max("updated_at")).values()),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def plan_inputs_key(inputs: PlanInputs, *, data_version: str | None = None) -> str:
    version = plan_data_version() if data_version is None else data_version
    canonical = json.dumps(inputs_to_data(inputs), sort_keys=True, default=str)
    raw = f"{ENGINE_VERSION}|{version}|{canonical}"
    return hashlib.sha256(raw.encode()).hexdigest()


def plan_find_reusable(*, key: str, user_id: int | None) -> Plan | None:
    return Plan.objects.filter(inputs_key=key, user_id=user_id).order_by("-id").first()


def plan_mark_viewed(plan: Plan, *, now: datetime) -> None:
    if now - plan.created_at < timedelta(seconds=settings.PLAN_VIEW_GRACE_S):
        return
    if plan.last_viewed_at is not None and now - plan.last_viewed_at < timedelta(days=1):
        return
    Plan.objects.filter(pk=plan.pk).update(last_viewed_at=now)
    plan.last_viewed_at = now


def plans_expire(*, now: datetime, days: int | None = None) -> int:
    """Delete plans never viewed `days` (PLAN_EXPIRE_DAYS) after creation; the count."""
    days = settings.PLAN_EXPIRE_DAYS if days is None else days
    if days <= 0:
        return 0
    stale = Plan.objects.filter(
        created_at__lt=now - timedelta(days=days), last_viewed_at__isnull=True, pinned=False,
        user__isnull=True,
    ).exclude(Q(slug__startswith=DEMO_SLUG_PREFIX))  # fmt: skip
    deleted, _ = stale.delete()
    return deleted
