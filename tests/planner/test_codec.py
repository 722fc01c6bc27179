"""The planner's JSON codec: every record survives a trip through JSON unchanged."""

from __future__ import annotations

import json

import pytest

from planner.codec import (
    CodecError,
    from_data,
    inputs_from_data,
    inputs_to_data,
    result_from_data,
    result_to_data,
    to_data,
)
from planner.engine import breakeven, rank
from planner.records import (
    Assumptions,
    Breakeven,
    Budget,
    Constraints,
    HardwareChoice,
    PlanInputs,
    Workload,
)
from tests.planner.builders import make_4090, make_model, make_offer, make_option, make_workload

INPUTS = PlanInputs(
    workload=make_workload(cacheable_input_share=0.25, max_ttft_s=1.5, batch_ok=True),
    budget=Budget(monthly_usd=500.0, hardware_capex_usd=None),
    hardware=HardwareChoice(modes=("owned", "cloud"), owned=(("rtx-4090", 2),), spot=False),
    constraints=Constraints(languages=("en", "de"), quality_floor=None, min_context_tokens=8192),
    assumptions=Assumptions(days_per_month=30.4375),
)


def _through_json(data):
    return json.loads(json.dumps(data))


def test_plan_inputs_round_trip_through_json() -> None:
    assert inputs_from_data(_through_json(inputs_to_data(INPUTS))) == INPUTS


def test_plan_result_round_trips_through_json() -> None:
    models = [make_model(1), make_model(2, quality_index=None, quality_sources=())]
    result = rank(
        INPUTS.workload,
        INPUTS.budget,
        HardwareChoice(owned=(("rtx-4090", 1),)),
        Constraints(),
        models,
        [make_offer(1, 1), make_offer(2, 2, usd_per_mtok_cached_input=0.05)],
        [make_option(1), make_4090(2, memory_needed_gib=18.5)],
        assumptions=INPUTS.assumptions,
    )
    assert len(result.rows) == 4
    assert result_from_data(_through_json(result_to_data(result))) == result


def test_breakeven_round_trips_through_json() -> None:
    value = breakeven(make_workload(), make_offer(1, 1), make_option(1))
    assert from_data(Breakeven, _through_json(to_data(value))) == value


def test_missing_optional_fields_take_their_defaults() -> None:
    assert inputs_from_data({"workload": {"task": "chat"}}) == PlanInputs(
        workload=Workload(task="chat")
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "PlanInputs.workload: missing"),
        ({"workload": {"task": 3}}, "Workload.task: expected str"),
        ({"workload": {"task": "chat", "peak_concurrency": 2.5}}, "expected an integer"),
        ({"workload": {"task": "chat", "requests_per_day": "many"}}, "expected a number"),
        ({"workload": {"task": "chat"}, "hardware": {"owned": [["rtx-4090"]]}}, "expected 2"),
        ({"workload": []}, "expected an object"),
    ],
)
def test_bad_data_raises_a_codec_error_naming_the_field(data, message) -> None:
    with pytest.raises(CodecError, match=message):
        inputs_from_data(data)
