"""Re-price a saved plan: the same inputs re-run on today's prices, diffed against the
saved result (issue 21 §3). A read: nothing is saved (the page offers to save it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from planner.models import Plan
from planner.records import PlanInputs, PlanResult
from planner.reprice import PlanDiff, diff_results
from planner.services import plan_run
from planner.site import plan_decode, plan_get


@dataclass(frozen=True)
class Reprice:
    plan: Plan
    inputs: PlanInputs
    saved: PlanResult
    fresh: PlanResult
    diff: PlanDiff
    repriced_at: dt.datetime


def plan_reprice(*, slug: str, now: dt.datetime | None = None) -> Reprice:
    """Re-run the saved plan `slug` with today's catalog and prices and diff the ranked rows.

    Raises Http404 for an unknown plan (or one saved by an incompatible engine) and
    PlanInvalid when its inputs no longer validate (e.g. a task that was removed)."""
    plan = plan_get(slug=slug)
    inputs, saved, _ = plan_decode(plan)
    fresh = plan_run(inputs=inputs)
    return Reprice(
        plan=plan, inputs=inputs, saved=saved, fresh=fresh,
        diff=diff_results(saved, fresh), repriced_at=now or timezone.now(),
    )  # fmt: skip
