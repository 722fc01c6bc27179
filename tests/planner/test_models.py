"""The Plan record: saved plans keep the engine's inputs and result exactly."""

from __future__ import annotations

import pytest

from planner.codec import inputs_from_data, result_from_data
from planner.engine import rank
from planner.models import Plan
from planner.records import Budget, Constraints, HardwareChoice, PlanInputs
from planner.services import SLUG_ALPHABET, SLUG_LENGTH, plan_save
from tests.planner.builders import make_model, make_offer, make_option, make_workload

pytestmark = pytest.mark.django_db


def _plan() -> tuple[PlanInputs, object]:
    inputs = PlanInputs(workload=make_workload(), budget=Budget(monthly_usd=100.0))
    result = rank(
        inputs.workload,
        inputs.budget,
        HardwareChoice(),
        Constraints(),
        [make_model(1)],
        [make_offer(1, 1)],
        [make_option(1)],
    )
    return inputs, result


def test_saved_plan_reads_back_as_the_same_inputs_and_result() -> None:
    inputs, result = _plan()
    saved = plan_save(inputs=inputs, result=result)
    plan = Plan.objects.get(slug=saved.slug)
    assert inputs_from_data(plan.inputs) == inputs
    assert result_from_data(plan.result) == result
    assert plan.engine_version == result.engine_version
    assert plan.user is None


def test_each_save_gets_its_own_short_slug(django_user_model) -> None:
    inputs, result = _plan()
    user = django_user_model.objects.create_user(username="ada", password="x")
    slugs = {plan_save(inputs=inputs, result=result, user=user).slug for _ in range(5)}
    assert len(slugs) == 5
    assert all(len(s) == SLUG_LENGTH and set(s) <= set(SLUG_ALPHABET) for s in slugs)
    assert user.plans.count() == 5
