"""breakeven(): the volume where self-hosting gets cheaper, against a hand computation."""

from __future__ import annotations

from dataclasses import replace

import pytest

from planner.engine import breakeven, monthly_api_cost, monthly_selfhost_cost
from tests.planner.builders import make_offer, make_option, make_workload

# 500 in / 300 out at $0.20 / $0.60: a = (100 + 180) / 1e6 = $0.00028 per request.
# One instance decodes 1200 tok/s: 300 / 1200 = 0.25 s per request, so at 80 %
# utilization it carries Q = 0.8 × 2,592,000 s / 0.25 s = 8,294,400 requests a month.
WORKLOAD = make_workload(
    requests_per_day=20_000, avg_input_tokens=500, avg_output_tokens=300, peak_concurrency=8
)
OFFER = make_offer(1, 1, usd_per_mtok_input=0.2, usd_per_mtok_output=0.6)


@pytest.mark.parametrize(
    ("hourly_usd", "peak_concurrency", "expected"),
    [
        # H = $1 × 720 = $720; a × Q = $2,322 > H; k0 = ⌈8 × 40 / 1200⌉ = 1 → 720 / 0.00028
        (1.0, 8, 2_571_428.571),
        # H = $2 × 720 = $1,440 → 1440 / 0.00028
        (2.0, 8, 5_142_857.143),
        # 64 peak streams × 40 / 1200 = 2.13 → k0 = 3 → 3 × 720 / 0.00028
        (1.0, 64, 7_714_285.714),
        # H = $7,200 > a × Q = $2,322.43: never cheaper
        (10.0, 8, None),
    ],
)
def test_breakeven_volume_matches_hand_computation(hourly_usd, peak_concurrency, expected):
    workload = replace(WORKLOAD, peak_concurrency=peak_concurrency)
    result = breakeven(workload, OFFER, make_option(1, hourly_usd=hourly_usd))
    assert result.api_usd_per_request == pytest.approx(0.00028)
    assert result.requests_per_instance_month == pytest.approx(8_294_400)
    assert result.instance_monthly_usd == pytest.approx(hourly_usd * 720)
    if expected is None:
        assert result.breakeven_requests_per_month is None
        assert "never gets cheaper" in result.explanation
    else:
        assert result.breakeven_requests_per_month == pytest.approx(expected)
        assert result.breakeven_requests_per_day == pytest.approx(expected / 30)


@pytest.mark.parametrize("hourly_usd", [0.5, 1.0, 2.0])
def test_costs_cross_at_the_breakeven_volume(hourly_usd) -> None:
    option = make_option(1, hourly_usd=hourly_usd)
    volume = breakeven(WORKLOAD, OFFER, option).breakeven_requests_per_month

    def costs(v: float) -> tuple[float, float]:
        w = replace(WORKLOAD, requests_per_month=v)
        return monthly_api_cost(w, OFFER).monthly_usd, monthly_selfhost_cost(w, option).monthly_usd

    api_below, self_below = costs(volume * 0.99)
    api_above, self_above = costs(volume * 1.01)
    assert api_below < self_below
    assert api_above > self_above


def test_breakeven_curves_cover_the_volume_and_follow_both_formulas() -> None:
    result = breakeven(WORKLOAD, OFFER, make_option(1, hourly_usd=1.0))
    volumes = [p.requests_per_month for p in result.points]
    assert len(volumes) == 25
    assert volumes == sorted(volumes)
    assert volumes[0] <= 600_000 <= result.breakeven_requests_per_month <= volumes[-1]
    for p in result.points:
        assert p.api_usd == pytest.approx(0.00028 * p.requests_per_month)
        instances = max(1, -(-p.requests_per_month // 8_294_400))
        assert p.selfhost_usd == pytest.approx(instances * 720)
