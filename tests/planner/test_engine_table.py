"""SelfHostTable (the columnar self-host options) and the vectorized rank on it."""

from __future__ import annotations

import random

import pytest

from planner.engine import DEFAULT_ASSUMPTIONS, SelfHostTable, quality_signal, rank
from planner.engine.candidates import quality_score
from planner.engine.costs import (
    api_offer_missing_prices,
    monthly_api_cost,
    monthly_api_usd,
    requests_per_month,
)
from planner.records import Budget, Constraints, HardwareChoice
from tests.planner.builders import make_4090, make_model, make_offer, make_option, make_workload
from tests.planner.test_engine_reference import _cost, _key, _random_case, _reference


def test_table_round_trips_records() -> None:
    options = [
        make_option(1, hourly_usd=0.5),
        make_4090(2),
        make_option(3, fits=False, prefill_tokens_per_s=5000.0, memory_needed_gib=12.5),
    ]
    table = SelfHostTable.from_options(options)
    assert len(table) == 3
    assert list(table) == options
    assert table[1] == options[1]
    assert table[1:] == options[1:]
    assert SelfHostTable.from_options(table) is table
    assert list(SelfHostTable.from_options([])) == []


@pytest.mark.parametrize("seed", range(20))
def test_rank_on_table_equals_rank_on_records(seed: int) -> None:
    models, offers, options, workload, budget = _random_case(seed)
    hardware = HardwareChoice(owned=(("rtx-4090", 4),))
    args = (workload, budget, hardware, Constraints(), models, offers)
    table = SelfHostTable.from_options(options)
    assert rank(*args, table, limit=5) == rank(*args, options, limit=5)


def test_rank_many_ties_matches_reference() -> None:
    """Equal quality and equal costs everywhere: candidate order breaks every tie."""
    rng = random.Random(3)  # noqa: S311 (test data, not secrets)
    models = [make_model(i, quality_index=50.0) for i in range(1, 30)]
    offers = [make_offer(o, rng.randint(1, 29)) for o in range(1, 20)]
    options = [make_option(rng.randint(1, 29), hourly_usd=0.05) for _ in range(300)]
    workload = make_workload(requests_per_day=1000)
    for budget in (Budget(monthly_usd=None), Budget(monthly_usd=0.01), Budget(monthly_usd=50.0)):
        result = rank(
            workload, budget, HardwareChoice(), Constraints(), models, offers, options, limit=9
        )
        quality = {m.id: quality_signal(m, DEFAULT_ASSUMPTIONS).score for m in models}
        expected, _ = _reference(models, offers, options, workload, budget, quality)
        assert result.candidates == len(expected)
        assert [_key(r) for r in result.rows] == [_key(s) for s in expected[:9]]
        assert [r.monthly_usd for r in result.rows] == pytest.approx(
            [_cost(workload, s) for s in expected[:9]]
        )


@pytest.mark.parametrize("seed", range(10))
def test_fast_cost_and_quality_equal_the_full_ones(seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)

    def price():
        return rng.choice([None, 0.0, 0.07, 0.3, 1.25, 9.0])

    workload = make_workload(
        cacheable_input_share=rng.choice([0.0, 0.3, 1.0]),
        batch_ok=rng.random() < 0.5,
        images_per_request=rng.choice([0, 2]),
        audio_minutes_per_request=rng.choice([0.0, 1.5]),
    )
    r = requests_per_month(workload, DEFAULT_ASSUMPTIONS)
    share = min(max(workload.cacheable_input_share, 0.0), 1.0)
    for o in range(50):
        offer = make_offer(
            o, 1, usd_per_mtok_input=rng.choice([0.1, 2.0]), usd_per_mtok_output=0.7,
            usd_per_mtok_cached_input=price(), usd_per_mtok_batch_input=price(),
            usd_per_mtok_batch_output=price(), usd_per_image=price(),
            usd_per_audio_minute=price(),
        )  # fmt: skip
        if api_offer_missing_prices(workload, offer):
            continue
        full = monthly_api_cost(workload, offer).monthly_usd
        assert monthly_api_usd(workload, offer, r, share) == full
    for i in range(50):
        model = make_model(
            i, quality_index=rng.choice([None, 61.5]), downloads=rng.randint(0, 10**7),
            likes=rng.randint(0, 10**4), params_total=rng.choice([None, 7 * 10**9]),
        )  # fmt: skip
        score = quality_signal(model, DEFAULT_ASSUMPTIONS).score
        assert quality_score(model, DEFAULT_ASSUMPTIONS) == score


def test_records_and_table_count_closed_and_short_models_alike() -> None:
    models = [
        make_model(1),
        make_model(2, open_weights=False),
        make_model(3, context_tokens=2048),
        make_model(4, context_tokens=None),
    ]
    options = [make_option(m, fits=f) for m in (1, 2, 3, 4, 9) for f in (True, False)]
    workload, constraints = make_workload(), Constraints(min_context_tokens=4096)
    args = (workload, Budget(monthly_usd=None), HardwareChoice(), constraints, models, [])
    by_records = rank(*args, options)
    assert by_records == rank(*args, SelfHostTable.from_options(options))
    assert dict(by_records.excluded) == {
        "self-host: does not fit in memory": 4,
        "self-host: weights not open": 1,
        "self-host: context shorter than required": 2,
    }
