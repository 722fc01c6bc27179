"""The seats workload on saved plans (issue 21 §2): create a plan from answers and, when
the answers ask for seats, store the seats ask with the inputs and the seats section
(planner/seats_plan.py) with the result, like the breakeven.

The wizard, the API and `manage.py plan` create plans through `plan_create_for_answers`;
the ranked rows are the planner's own (the volume is seats × interactions per day).
Queries: the plan's (planner.services.plan_create), then current seat plans (1) and the
update (1) only with seats.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from planner.models import Plan
from planner.records import PlanInputs
from planner.seats_plan import SeatPlanInfo, SeatsAsk, seats_from_answers, seats_section
from planner.services import plan_create
from planner.site import plan_decode
from pricing.models import SubscriptionPlan
from pricing.services.subscriptions import plan_terms


def seat_plans_current() -> list[SeatPlanInfo]:
    """Every current seat plan as the comparison's terms (1 query)."""
    rows = SubscriptionPlan.objects.current().select_related("provider").order_by("slug")
    return [
        SeatPlanInfo(
            terms=plan_terms(p),
            vendor=p.provider.name,
            source_url=p.source_url,
            source_date=p.source_date.isoformat(),
            included_models=tuple(str(m) for m in p.included_models or ()),
        )
        for p in rows
    ]


@transaction.atomic
def plan_seats_attach(*, plan: Plan, ask: SeatsAsk) -> Plan:
    inputs, result, _ = plan_decode(plan)
    section = seats_section(
        ask, result.rows, seat_plans_current(), days_per_month=inputs.assumptions.days_per_month
    )
    plan.inputs = {
        **plan.inputs,
        "seats": {
            "seats": ask.seats,
            "interactions_per_seat_per_day": ask.interactions_per_seat_per_day,
        },
    }
    plan.result = {**plan.result, "seats": section}
    plan.save(update_fields=["inputs", "result", "updated_at"])
    return plan


def plan_create_for_answers(
    *,
    answers: Mapping[str, Any],
    inputs: PlanInputs,
    user: AbstractBaseUser | None = None,
) -> Plan:
    """`plan_create` for `inputs` (parsed from `answers`), plus the seats section when the
    answers ask for seats."""
    plan = plan_create(inputs=inputs, user=user)
    ask, errors = seats_from_answers(answers)
    if ask is not None and not errors:
        plan = plan_seats_attach(plan=plan, ask=ask)
    return plan
