"""Input validation: one message per bad field, none for good inputs (no database)."""

from __future__ import annotations

import pytest

from planner.records import Assumptions, Budget, Constraints, HardwareChoice, PlanInputs
from planner.validate import validate_inputs
from tests.planner.builders import make_workload


def test_good_inputs_have_no_errors() -> None:
    assert validate_inputs(PlanInputs(workload=make_workload())) == ()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"workload": make_workload(task=" ")}, "workload.task"),
        ({"workload": make_workload(requests_per_day=0)}, "workload.requests_per_day"),
        ({"workload": make_workload(requests_per_day=-1)}, "workload.requests_per_day"),
        ({"workload": make_workload(requests_per_month=0)}, "workload.requests_per_month"),
        ({"workload": make_workload(avg_input_tokens=-5)}, "workload.avg_input_tokens"),
        (
            {"workload": make_workload(avg_input_tokens=0, avg_output_tokens=0)},
            "workload.avg_output_tokens",
        ),
        ({"workload": make_workload(cacheable_input_share=1.5)}, "workload.cacheable_input_share"),
        ({"workload": make_workload(peak_concurrency=0)}, "workload.peak_concurrency"),
        ({"workload": make_workload(max_ttft_s=0)}, "workload.max_ttft_s"),
        (
            {"workload": make_workload(min_stream_tokens_per_s=-1)},
            "workload.min_stream_tokens_per_s",
        ),
        ({"budget": Budget(monthly_usd=-1)}, "budget.monthly_usd"),
        ({"budget": Budget(hardware_capex_usd=-1)}, "budget.hardware_capex_usd"),
        ({"hardware": HardwareChoice(modes=())}, "hardware.modes"),
        ({"hardware": HardwareChoice(modes=("gpu",))}, "hardware.modes"),
        ({"hardware": HardwareChoice(modes=("owned",))}, "hardware.owned"),
        ({"hardware": HardwareChoice(owned=(("rtx-4090", 0),))}, "hardware.owned"),
        ({"hardware": HardwareChoice(power_usd_per_kwh=-0.1)}, "hardware.power_usd_per_kwh"),
        ({"constraints": Constraints(min_context_tokens=0)}, "constraints.min_context_tokens"),
        ({"constraints": Constraints(quality_floor=120)}, "constraints.quality_floor"),
        ({"assumptions": Assumptions(days_per_month=0)}, "assumptions.days_per_month"),
        ({"assumptions": Assumptions(max_utilization=1.2)}, "assumptions.max_utilization"),
        ({"assumptions": Assumptions(proxy_ceiling=120.0)}, "assumptions.proxy_ceiling"),
    ],
)
def test_each_bad_field_gets_its_own_message(changes, field) -> None:
    inputs = PlanInputs(**{"workload": make_workload(), **changes})
    errors = validate_inputs(inputs)
    assert [e.field for e in errors] == [field]
    assert errors[0].message
