"""rank(): constraints, latency target and hardware choice filter the candidates."""

from __future__ import annotations

import pytest

from planner.engine import rank
from planner.records import Assumptions, Budget, Constraints, HardwareChoice
from tests.planner.builders import make_model, make_offer, make_option, make_workload

MODELS = [
    make_model(1),  # open, commercial, 32k, en, index 60
    make_model(2, open_weights=False, params_total=None, params_active=None),
    make_model(3, commercial_ok=None, license="other"),
    make_model(4, commercial_ok=False, license="cc-by-nc-4.0"),
    make_model(5, context_tokens=4096),
    make_model(6, context_tokens=None),
    make_model(7, languages=("fr",)),
    make_model(8, languages=()),
    make_model(9, quality_index=None, quality_sources=()),
    make_model(10, quality_index=40.0),
    make_model(11, task="text-to-image"),
]
ALL_TEXT = {f"org/model-{i}" for i in range(1, 11)}


@pytest.mark.parametrize(
    ("constraints", "expected"),
    [
        (Constraints(), ALL_TEXT),
        (Constraints(open_weights_only=True), ALL_TEXT - {"org/model-2"}),
        (Constraints(commercial_only=True), ALL_TEXT - {"org/model-3", "org/model-4"}),
        (Constraints(min_context_tokens=8192), ALL_TEXT - {"org/model-5", "org/model-6"}),
        # a model that lists no languages is kept (not stated), one listing others is not
        (Constraints(languages=("en",)), ALL_TEXT - {"org/model-7"}),
        (Constraints(quality_floor=50.0), ALL_TEXT - {"org/model-9", "org/model-10"}),
    ],
)
def test_constraints_filter_models(constraints, expected) -> None:
    offers = [make_offer(i, i) for i in range(1, 12)]
    result = rank(make_workload(), Budget(), HardwareChoice(), constraints, MODELS, offers, [])
    assert {r.repo_id for r in result.rows} == expected


def test_excluded_constraints_are_counted_by_reason() -> None:
    offers = [make_offer(i, i) for i in range(1, 12)]
    result = rank(
        make_workload(),
        Budget(),
        HardwareChoice(),
        Constraints(commercial_only=True),
        MODELS,
        offers,
        [],
    )
    assert dict(result.excluded) == {"model: license not known to allow commercial use": 2}


def test_offer_context_limit_and_excluded_provider_apply_per_offer() -> None:
    offers = [
        make_offer(1, 1, context_tokens=8192),  # provider caps the 32k model at 8k
        make_offer(2, 1, provider_slug="banned"),
        make_offer(3, 6, context_tokens=65536),  # model context unknown, offer states it
    ]
    result = rank(
        make_workload(),
        Budget(),
        HardwareChoice(),
        Constraints(min_context_tokens=16384, excluded_providers=("banned",)),
        MODELS,
        offers,
        [],
    )
    assert [r.deployment.offer_id for r in result.rows] == [3]
    assert dict(result.excluded) == {
        "api: context shorter than required": 1,
        "api: provider excluded": 1,
    }


FAST = {"ttft_s": 0.2, "stream_tokens_per_s": 40.0}
SLOW = {"ttft_s": 2.0, "stream_tokens_per_s": 10.0, "accelerator_slug": "l4"}


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ({}, {"h100-sxm", "l4", "api-unknown", "api-slow"}),
        ({"max_ttft_s": 1.0}, {"h100-sxm", "api-unknown"}),
        ({"min_stream_tokens_per_s": 20.0}, {"h100-sxm", "api-unknown"}),
        ({"max_ttft_s": 0.1}, {"api-unknown"}),
        # the slow API (3 s, 8 tok/s) meets a loose target
        (
            {"max_ttft_s": 5.0, "min_stream_tokens_per_s": 5.0},
            {"h100-sxm", "l4", "api-unknown", "api-slow"},
        ),
    ],
)
def test_latency_target_filters_deployments(target, expected) -> None:
    offers = [
        make_offer(1, 1, provider_slug="api-unknown"),
        make_offer(2, 1, provider_slug="api-slow", ttft_s=3.0, stream_tokens_per_s=8.0),
    ]
    options = [make_option(1, **FAST), make_option(1, **SLOW)]
    result = rank(
        make_workload(**target),
        Budget(),
        HardwareChoice(),
        Constraints(),
        [make_model(1)],
        offers,
        options,
    )
    got = {r.deployment.provider_slug or r.deployment.accelerator_slug for r in result.rows}
    assert got == expected
    unknown = next(r for r in result.rows if r.deployment.provider_slug == "api-unknown")
    assert unknown.meets_latency_target is None
    if target:
        assert "assumed to meet the target" in unknown.explanation


@pytest.mark.parametrize(
    ("hardware", "expected"),
    [
        (HardwareChoice(modes=("api",)), {"api"}),
        (HardwareChoice(modes=("cloud",)), {"aws/us-east-1", "gcp/europe-west4"}),
        (HardwareChoice(modes=("cloud",), clouds=("gcp",)), {"gcp/europe-west4"}),
        (HardwareChoice(modes=("cloud",), regions=("us-east-1",)), {"aws/us-east-1"}),
        (HardwareChoice(modes=("cloud",), spot=True), {"aws/us-east-1 spot"}),
        (HardwareChoice(modes=("api", "cloud")), {"api", "aws/us-east-1", "gcp/europe-west4"}),
        (HardwareChoice(modes=("owned",)), set()),
    ],
)
def test_hardware_choice_selects_deployments(hardware, expected) -> None:
    options = [
        make_option(1),
        make_option(1, spot=True, hourly_usd=0.8),
        make_option(1, cloud="gcp", region="europe-west4"),
        make_option(1, fits=False, cloud="gcp", region="us-central1"),
    ]
    result = rank(
        make_workload(),
        Budget(),
        hardware,
        Constraints(),
        [make_model(1)],
        [make_offer(1, 1)],
        options,
    )
    got = {
        "api"
        if r.deployment.kind == "api"
        else f"{r.deployment.cloud}/{r.deployment.region}" + (" spot" if r.deployment.spot else "")
        for r in result.rows
    }
    assert got == expected


def test_closed_weights_are_never_self_hosted() -> None:
    result = rank(
        make_workload(),
        Budget(),
        HardwareChoice(),
        Constraints(),
        [make_model(2, open_weights=False)],
        [],
        [make_option(2)],
    )
    assert result.rows == ()
    assert result.candidates == 0
    assert "passes the constraints" in result.message


@pytest.mark.parametrize(
    ("model_kw", "kind", "score"),
    [
        (
            {"quality_index": 72.5, "quality_sources": ("lmarena", "open-llm")},
            "quality_index",
            72.5,
        ),
        # proxy: ceiling 50 × (0.5 × log10(1+1e7)/log10(1+1e7) + 0.2 × 0 + 0.3 × 0) = 25
        (
            {"quality_index": None, "downloads": 10_000_000, "likes": 0, "params_total": None},
            "proxy",
            25.0,
        ),
        ({"quality_index": None, "downloads": 0, "likes": 0, "params_total": None}, "proxy", 0.0),
    ],
)
def test_quality_signal_states_which_signal_it_is(model_kw, kind, score) -> None:
    result = rank(
        make_workload(),
        Budget(),
        HardwareChoice(),
        Constraints(),
        [make_model(1, **model_kw)],
        [make_offer(1, 1)],
        [],
    )
    quality = result.rows[0].quality
    assert (quality.kind, quality.score) == (kind, pytest.approx(score))
    expected_words = "lmarena, open-llm" if kind == "quality_index" else "popularity and size proxy"
    assert expected_words in result.rows[0].explanation


def _ids(result) -> list[tuple[int, int | None]]:
    return [(r.model_id, r.deployment.offer_id) for r in result.rows]


def test_per_model_keeps_each_models_best_rows_and_counts_the_rest() -> None:
    models = [make_model(1, quality_index=80.0), make_model(2, quality_index=60.0)]
    # model 1 sold by eight providers (offer i costs more as i grows), model 2 by two
    offers = [make_offer(i, 1, usd_per_mtok_input=0.1 * i) for i in range(1, 9)]
    offers += [make_offer(20, 2), make_offer(21, 2, usd_per_mtok_input=0.9)]
    args = (make_workload(), Budget(), HardwareChoice(), Constraints(), models, offers, [])
    every = rank(*args, limit=50)
    assert [m for m, _ in _ids(every)] == [1] * 8 + [2] * 2
    capped = rank(*args, limit=50, per_model=3)
    assert _ids(capped) == [(1, 1), (1, 2), (1, 3), (2, 20), (2, 21)]
    assert capped.candidates == every.candidates == 10
    assert [r.rank for r in capped.rows] == [1, 2, 3, 4, 5]
    assert any("at most 3 deployments of one model" in line for line in capped.assumptions)
    assert _ids(rank(*args, limit=2, per_model=3)) == [(1, 1), (1, 2)]


def test_per_model_counts_rows_across_the_budget_line_and_when_nothing_fits() -> None:
    models = [make_model(1, quality_index=80.0), make_model(2, quality_index=60.0)]
    offers = [make_offer(i, 1, usd_per_mtok_input=1.0 * i) for i in range(1, 7)]
    offers.append(make_offer(20, 2, usd_per_mtok_input=50.0))
    workload = make_workload()
    cheap = rank(workload, Budget(), HardwareChoice(), Constraints(), models, offers, [])
    by_offer = {r.deployment.offer_id: r.monthly_usd for r in cheap.rows}
    # a budget between offer 2 and offer 3 of model 1: two rows within, the rest over
    budget = Budget(monthly_usd=(by_offer[2] + by_offer[3]) / 2)
    args = (workload, budget, HardwareChoice(), Constraints(), models, offers, [])
    capped = rank(*args, per_model=3)
    assert _ids(capped) == [(1, 1), (1, 2), (1, 3), (2, 20)]
    assert [r.within_budget for r in capped.rows] == [True, True, False, False]
    nothing = Budget(monthly_usd=by_offer[1] / 10)
    capped = rank(workload, nothing, HardwareChoice(), Constraints(), models, offers, [],
                  per_model=2)  # fmt: skip
    assert capped.nothing_within_budget
    assert _ids(capped) == [(1, 1), (1, 2), (2, 20)]


def test_an_unmeasured_popular_model_ranks_below_a_measured_one_unless_the_ceiling_rises() -> None:
    popular = make_model(1, quality_index=None, downloads=10_000_000, likes=10_000,
                         params_total=70_000_000_000)  # fmt: skip
    measured = make_model(2, quality_index=60.0)
    offers = [make_offer(1, 1), make_offer(2, 2)]
    args = (make_workload(), Budget(), HardwareChoice(), Constraints(), [popular, measured])
    result = rank(*args, offers, [])
    assert [r.model_id for r in result.rows] == [2, 1]
    proxy = result.rows[1].quality
    assert proxy.kind == "proxy"
    assert 45 < proxy.score <= 50
    assert "0–50" in proxy.label
    raised = rank(*args, offers, [], assumptions=Assumptions(proxy_ceiling=100.0))
    assert [r.model_id for r in raised.rows] == [1, 2]


def test_a_free_listing_is_listed_apart_unless_free_tiers_are_let_in() -> None:
    # issue 18 §2: a listing at no charge is a free tier; by default it is not ranked
    # with the paid offers but listed apart ("to try for free") with a rate-limit note
    models = [make_model(1, quality_index=70.0)]
    offers = [
        make_offer(1, 1, usd_per_mtok_input=0.0, usd_per_mtok_output=0.0),
        make_offer(2, 1),
    ]
    args = (make_workload(), Budget(), HardwareChoice())
    result = rank(*args, Constraints(), models, offers, [])
    (paid,) = result.rows
    (free,) = result.free_tier
    assert free.monthly_usd == 0
    assert "rate-limited" in free.explanation
    assert "free tier" not in paid.explanation
    assert dict(result.excluded)["api: free tier (listed apart, to try for free)"] == 1
    let_in = rank(*args, Constraints(include_free_tiers=True), models, offers, [])
    free, paid = let_in.rows
    assert free.monthly_usd == 0
    assert "rate-limited free tier" in free.explanation
    assert let_in.free_tier == ()
