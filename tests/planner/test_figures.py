"""Plans that say how and how fast (issue 18 §5): each self-host row's figures, by hand."""

from __future__ import annotations

import pytest

from planner.engine import rank
from planner.records import Budget, Constraints, HardwareChoice
from tests.planner.builders import make_model, make_option, make_workload


def _row(**option):
    # 10,000 requests/day × 30 = 300k/month, 1000 in / 500 out, peak 8 streams
    workload = make_workload(requests_per_day=10_000, peak_concurrency=8)
    opt = make_option(1, decode_tokens_per_s_total=320.0, stream_tokens_per_s=40.0, **option)
    hw = HardwareChoice(modes=("cloud",))
    (row,) = rank(workload, Budget(), hw, Constraints(), [make_model(1)], [], [opt]).rows
    return row


def test_self_host_row_names_hardware_engine_speed_and_cost_per_token() -> None:
    row = _row(engine="vLLM", max_streams=32.0)
    f = row.selfhost
    assert (f.accelerator, f.count, f.engine, f.precision) == ("H100 SXM", 1, "vLLM", "bf16")
    assert f.concurrency == 8.0  # 320 / 40
    assert (f.stream_tokens_per_s, f.aggregate_tokens_per_s, f.ttft_s) == (40.0, 320.0, 0.2)
    # seconds per request 500 / 320 = 1.5625 (no prefill figure); 300k/month over 30 days
    load = 300_000 / (30 * 86400) * 1.5625  # instances' worth of average work
    assert f.instances == 1
    assert f.utilization == pytest.approx(load)
    # $2/hour × 720 h = $1,440 a month for 300k × 500 = 150M output tokens
    assert f.usd_per_mtok_output == pytest.approx(1440 / 150)
    # memory holds 32 streams, the peak is 8: the binding need is the peak (8 / 32)
    assert f.capacity_headroom_share == pytest.approx(32 / 8 - 1)
    assert row.capacity_headroom_share == f.capacity_headroom_share
    assert "tokens/s per stream" in row.explanation
    assert "served by vLLM" in row.explanation
    assert f.estimate == "estimated"


def test_headroom_is_not_zero_when_the_batch_is_the_peak() -> None:
    # the old figure divided the peak by the planned concurrency (= the peak): always 0
    assert _row(max_streams=24.0).capacity_headroom_share == pytest.approx(24 / 8 - 1)
    # without a memory figure: the planned concurrency only (a fully used instance)
    assert _row().capacity_headroom_share == pytest.approx(0.0)


def test_owned_purchase_is_amortised_over_the_chosen_months() -> None:
    from planner.engine.costs import owned_hourly_usd
    from planner.records import Assumptions

    a = Assumptions(amortize_months=24)
    power = 450 * 1 * 0.8 / 1000 * 0.15
    hourly = owned_hourly_usd(
        tdp_watts=450, count=1, usd_per_kwh=0.15, utilization=0.8, purchase_usd=1599.0,
        assumptions=a,
    )  # fmt: skip
    assert hourly == pytest.approx(power + 1599.0 / (24 * 720))
    assert owned_hourly_usd(
        tdp_watts=450, count=1, usd_per_kwh=0.15, utilization=0.8, purchase_usd=None
    ) == pytest.approx(power)


@pytest.mark.django_db
def test_an_entered_purchase_price_reaches_the_owned_row_and_its_breakeven() -> None:
    from planner.answers import parse_owned, parse_owned_prices
    from planner.services import plan_run_breakeven
    from tests.planner.db import make_world
    from tests.planner.test_services import inputs

    assert parse_owned("rtx-4090:1@1599") == ((("rtx-4090", 1),), None)
    assert parse_owned_prices("rtx-4090:1@1599, h100-sxm:2") == (("rtx-4090", 1599.0),)
    make_world()
    plan = inputs(modes=["api", "owned"], owned="rtx-4090:1@1599", budget_monthly_usd="")
    result, even = plan_run_breakeven(inputs=plan)
    owned = [r for r in result.rows if r.deployment.kind == "owned"]
    assert owned
    assert owned[0].cost.hourly_usd > 1599.0 / (36 * 720)  # purchase share + power
    assert "amortised over 36 months" in " ".join(owned[0].assumptions)
    assert even is not None
