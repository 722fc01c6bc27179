"""Monthly cost formulas, checked against numbers worked out by hand (no database)."""

from __future__ import annotations

import pytest

from planner.engine import (
    MissingPriceError,
    monthly_api_cost,
    monthly_selfhost_cost,
    owned_power_hourly_usd,
    requests_per_month,
    selfhost_instances,
)
from planner.records import Assumptions
from tests.planner.builders import make_4090, make_offer, make_option, make_workload

# Default workload: 1000 requests/day × 30 days = 30,000 requests, 1000 in, 500 out.
# Default offer: $0.50 in, $1.50 out per 1M → (1000 × 0.5 + 500 × 1.5) / 1e6 = $0.00125/request.


@pytest.mark.parametrize(
    ("workload_kw", "offer_kw", "expected_usd"),
    [
        ({}, {}, 37.5),
        # half the input cached at $0.10: 7.5 uncached in + 1.5 cached + 22.5 out
        ({"cacheable_input_share": 0.5}, {"usd_per_mtok_cached_input": 0.1}, 31.5),
        # no cache price: cached tokens billed at the input price
        ({"cacheable_input_share": 0.5}, {}, 37.5),
        # batch prices 0.25/0.75: 7.5 + 11.25
        (
            {"batch_ok": True},
            {"usd_per_mtok_batch_input": 0.25, "usd_per_mtok_batch_output": 0.75},
            18.75,
        ),
        # batch allowed, no batch prices: half the list prices (issue 15: the planner
        # used to apply no discount here): 37.5 / 2
        ({"batch_ok": True}, {}, 18.75),
        # batch offered but not allowed: list prices
        ({}, {"usd_per_mtok_batch_input": 0.25, "usd_per_mtok_batch_output": 0.75}, 37.5),
        # batch + cache: 3.75 uncached in at 0.25 + 0.75 cached (no batch cache price: half
        # of 0.1, the one cost function's batch rule) + 11.25 out
        (
            {"batch_ok": True, "cacheable_input_share": 0.5},
            {
                "usd_per_mtok_batch_input": 0.25,
                "usd_per_mtok_batch_output": 0.75,
                "usd_per_mtok_cached_input": 0.1,
            },
            15.75,
        ),
        # requests_per_month wins over requests_per_day: 10,000 × 0.00125
        ({"requests_per_month": 10_000}, {}, 12.5),
        # images: 30,000 × 1 image × $0.04
        (
            {"avg_input_tokens": 0, "avg_output_tokens": 0, "images_per_request": 1},
            {"usd_per_image": 0.04},
            1200.0,
        ),
        # speech: 30,000 × 2 minutes × $0.006
        (
            {"avg_input_tokens": 0, "avg_output_tokens": 0, "audio_minutes_per_request": 2},
            {"usd_per_audio_minute": 0.006},
            360.0,
        ),
    ],
)
def test_monthly_api_cost_matches_hand_computation(workload_kw, offer_kw, expected_usd) -> None:
    cost = monthly_api_cost(make_workload(**workload_kw), make_offer(1, 1, **offer_kw))
    assert cost.monthly_usd == pytest.approx(expected_usd)
    assert cost.monthly_usd == pytest.approx(
        cost.input_usd + cost.cached_input_usd + cost.output_usd + cost.image_usd + cost.audio_usd
    )


def test_batch_flag_and_notes_say_which_prices_were_used() -> None:
    offer = make_offer(1, 1, usd_per_mtok_batch_input=0.25, usd_per_mtok_batch_output=0.75)
    cost = monthly_api_cost(make_workload(batch_ok=True, cacheable_input_share=0.2), offer)
    assert cost.batch_applied
    assert any("batch" in n for n in cost.notes)
    assert any("cache" in n for n in cost.notes)


def test_api_cost_refuses_an_offer_without_the_unit_the_workload_uses() -> None:
    with pytest.raises(MissingPriceError, match="images"):
        monthly_api_cost(make_workload(images_per_request=1), make_offer(1, 1))


@pytest.mark.parametrize(
    ("days", "expected"), [(30.0, 30_000), (31.0, 31_000), (30.4375, 30_437.5)]
)
def test_requests_per_month_uses_the_days_assumption(days, expected) -> None:
    assert requests_per_month(make_workload(), Assumptions(days_per_month=days)) == expected


# Self-hosting, per_s = R / 2,592,000 s; instance-seconds/request = 500 / 1200 tok/s.
@pytest.mark.parametrize(
    ("workload_kw", "option_kw", "instances"),
    [
        # 30k/month: 0.01157 req/s × 0.4167 s / 0.8 = 0.006 → 1
        ({}, {}, 1),
        # 10M/month: 3.858 req/s × 0.4167 / 0.8 = 2.009 → 3
        ({"requests_per_month": 10_000_000}, {}, 3),
        # 9.9M/month: 3.819 × 0.4167 / 0.8 = 1.989 → 2
        ({"requests_per_month": 9_900_000}, {}, 2),
        # prefill adds 1000 in / 4000 tok/s = 0.25 s: 3.819 × 0.6667 / 0.8 = 3.18 → 4
        ({"requests_per_month": 9_900_000}, {"prefill_tokens_per_s": 4000.0}, 4),
        # peak: 100 streams × 40 tok/s / 1200 tok/s = 3.33 → 4
        ({"peak_concurrency": 100}, {}, 4),
        # peak with a stream target: 100 × 24 / 1200 = 2 exactly → 2
        ({"peak_concurrency": 100, "min_stream_tokens_per_s": 24.0}, {}, 2),
    ],
)
def test_selfhost_instances_carry_peak_and_average_load(workload_kw, option_kw, instances):
    workload, option = make_workload(**workload_kw), make_option(1, **option_kw)
    assert selfhost_instances(workload, option)[0] == instances
    cost = monthly_selfhost_cost(workload, option)
    # instances × $2/hour × 720 hours
    assert cost.monthly_usd == pytest.approx(instances * 2.0 * 720)
    assert cost.instances == instances


def test_owned_hardware_costs_power_only_and_says_so() -> None:
    cost = monthly_selfhost_cost(make_workload(), make_4090(1))
    # 0.45 kW × $0.15/kWh × 720 h = $48.60
    assert cost.monthly_usd == pytest.approx(48.6)
    assert cost.capex_usd == 0
    assert any("power only" in n for n in cost.notes)


@pytest.mark.parametrize(
    ("tdp_watts", "count", "usd_per_kwh", "utilization", "expected"),
    [
        (450, 1, 0.15, 1.0, 0.0675),  # RTX 4090: 0.45 kW × $0.15
        (450, 2, 0.30, 0.5, 0.135),  # 0.9 kW × 0.5 × $0.30
        (700, 8, 0.10, 0.8, 0.448),  # 8 × H100 SXM: 5.6 kW × 0.8 × $0.10
    ],
)
def test_owned_power_hourly_usd(tdp_watts, count, usd_per_kwh, utilization, expected) -> None:
    got = owned_power_hourly_usd(
        tdp_watts=tdp_watts, count=count, usd_per_kwh=usd_per_kwh, utilization=utilization
    )
    assert got == pytest.approx(expected)
