"""rank(): hand-computed plans, budget handling, Pareto front, filters (no database)."""

from __future__ import annotations

import pytest

from planner.engine import rank
from planner.records import Budget, Constraints, HardwareChoice
from tests.planner.builders import (
    make_4090,
    make_model,
    make_offer,
    make_option,
    make_workload,
)

ANY = HardwareChoice()


def _labels(result) -> list[tuple[str, str]]:
    return [(r.repo_id, r.deployment.kind) for r in result.rows]


def test_cheapest_answer_is_an_api_offer() -> None:
    # 30,000 requests × $0.00125 = $37.50 through the API; the cloud H100 costs
    # 1 instance × $2/hour × 720 h = $1,440. Same model, so cost decides.
    model = make_model(1)
    result = rank(
        make_workload(),
        Budget(monthly_usd=100),
        ANY,
        Constraints(),
        [model],
        [make_offer(1, 1)],
        [make_option(1)],
    )
    assert [(r.deployment.kind, round(r.monthly_usd, 2)) for r in result.rows] == [
        ("api", 37.5),
        ("cloud", 1440.0),
    ]
    top, second = result.rows
    assert (top.rank, top.within_budget, top.budget_headroom_usd) == (1, True, pytest.approx(62.5))
    assert not second.within_budget
    assert result.within_budget == 1
    assert not result.nothing_within_budget
    assert "within the $100.00 budget" in top.explanation
    assert "over the $100.00 budget by $1,340.00" in second.explanation


def test_self_hosting_on_an_owned_rtx_4090_wins() -> None:
    # 20,000 requests/day × 30 = 600,000 requests of 500 in / 300 out.
    # API at $0.20 / $0.60: (500 × 0.2 + 300 × 0.6) / 1e6 × 600,000 = $168.00.
    # Owned 4090: 0.2315 req/s × (300 / 1200 s) / 0.8 = 0.072 instances → 1, power
    # 0.45 kW × $0.15 × 720 h = $48.60. Cloud H100: $2 × 720 = $1,440.
    workload = make_workload(
        requests_per_day=20_000, avg_input_tokens=500, avg_output_tokens=300, peak_concurrency=8
    )
    hardware = HardwareChoice(owned=(("rtx-4090", 1),))
    result = rank(
        workload,
        Budget(monthly_usd=500),
        hardware,
        Constraints(),
        [make_model(1)],
        [make_offer(1, 1, usd_per_mtok_input=0.2, usd_per_mtok_output=0.6)],
        [make_4090(1), make_option(1)],
    )
    assert [(r.deployment.kind, round(r.monthly_usd, 2)) for r in result.rows] == [
        ("owned", 48.6),
        ("api", 168.0),
        ("cloud", 1440.0),
    ]
    top = result.rows[0]
    assert top.deployment.accelerator_slug == "rtx-4090"
    assert top.cost.instances == 1
    # peak: 8 streams × 40 / 1200 = 0.267, average 0.072 → 1 instance, headroom 1/0.267 − 1
    assert top.capacity_headroom_share == pytest.approx(1 / (8 * 40 / 1200) - 1)
    assert "owned" in top.deployment.label
    assert "power only" in " ".join(top.assumptions)


@pytest.mark.parametrize(
    ("owned", "requests_per_month", "expected"),
    [
        ((("rtx-4090", 1),), 600_000, [("owned", 48.6)]),
        # 10M requests need ⌈3.858 × 0.25 / 0.8⌉ = 2 cards: one is too few
        ((("rtx-4090", 1),), 10_000_000, []),
        ((("rtx-4090", 2),), 10_000_000, [("owned", 97.2)]),
        ((("rtx-4090", 1), ("rtx-4090", 1)), 10_000_000, [("owned", 97.2)]),
        ((("rtx-3090", 4),), 600_000, []),
        ((), 600_000, []),
    ],
)
def test_owned_hardware_is_limited_to_what_the_user_owns(owned, requests_per_month, expected):
    workload = make_workload(
        requests_per_month=requests_per_month, avg_input_tokens=500, avg_output_tokens=300
    )
    result = rank(
        workload,
        Budget(),
        HardwareChoice(modes=("owned",), owned=owned),
        Constraints(),
        [make_model(1)],
        [make_offer(1, 1)],
        [make_4090(1)],
    )
    assert [(r.deployment.kind, round(r.monthly_usd, 2)) for r in result.rows] == expected


def test_nothing_fits_the_budget_and_the_answer_says_so() -> None:
    # A good model ($1,440 cloud) and a weaker one ($37.50 API) against a $10 budget:
    # the cheapest comes first even though its quality is lower, all marked over budget.
    models = [make_model(1, quality_index=80.0), make_model(2, quality_index=50.0)]
    result = rank(
        make_workload(),
        Budget(monthly_usd=10),
        ANY,
        Constraints(),
        models,
        [make_offer(2, 2)],
        [make_option(1)],
    )
    assert result.nothing_within_budget
    assert result.within_budget == 0
    assert result.message.startswith("Nothing fits the $10.00/month budget")
    assert "$37.50" in result.message
    assert [(r.repo_id, round(r.monthly_usd, 2)) for r in result.rows] == [
        ("org/model-2", 37.5),
        ("org/model-1", 1440.0),
    ]
    assert not any(r.within_budget for r in result.rows)
    assert "ordered by cost" in result.rows[0].explanation


def test_ranking_puts_budget_first_then_quality_then_cost() -> None:
    models = [
        make_model(1, quality_index=90.0),  # only on the cloud: $1,440, over budget
        make_model(2, quality_index=70.0),
        make_model(3, quality_index=70.0),
        make_model(4, quality_index=60.0),
    ]
    offers = [
        make_offer(2, 2, usd_per_mtok_output=3.0),  # (500 + 1500) / 1e6 × 30k = $60
        make_offer(3, 3),  # $37.50
        make_offer(4, 4, usd_per_mtok_input=0.1, usd_per_mtok_output=0.1),  # $4.50
    ]
    result = rank(
        make_workload(),
        Budget(monthly_usd=100),
        ANY,
        Constraints(),
        models,
        offers,
        [make_option(1)],
    )
    assert [r.repo_id for r in result.rows] == [
        "org/model-3",
        "org/model-2",
        "org/model-4",
        "org/model-1",
    ]
    assert [r.rank for r in result.rows] == [1, 2, 3, 4]
    assert "same quality signal as #1, $22.50 more" in result.rows[1].explanation
    assert "lower quality signal than #2" in result.rows[2].explanation


def test_pareto_front_keeps_only_undominated_cost_quality_points() -> None:
    # (cost, quality): m1 ($4.50, 40), m2 ($37.50, 50), m3 ($60, 60), m4 ($60, 55)
    # dominated by m3, m5 ($75, 50) dominated by m2; m2's second offer ($45) too.
    models = [
        make_model(1, quality_index=40.0),
        make_model(2, quality_index=50.0),
        make_model(3, quality_index=60.0),
        make_model(4, quality_index=55.0),
        make_model(5, quality_index=50.0),
    ]
    cheap = {"usd_per_mtok_input": 0.1, "usd_per_mtok_output": 0.1}
    offers = [
        make_offer(1, 1, **cheap),
        make_offer(2, 2),
        make_offer(6, 2, usd_per_mtok_input=0.75),  # (750 + 750)/1e6 × 30k = $45
        make_offer(3, 3, usd_per_mtok_output=3.0),
        make_offer(4, 4, usd_per_mtok_output=3.0),
        make_offer(5, 5, usd_per_mtok_input=1.0, usd_per_mtok_output=3.0),
    ]
    result = rank(make_workload(), Budget(), ANY, Constraints(), models, offers, [])
    assert [(r.repo_id, round(r.monthly_usd, 2)) for r in result.pareto] == [
        ("org/model-1", 4.5),
        ("org/model-2", 37.5),
        ("org/model-3", 60.0),
    ]
    flagged = {(r.repo_id, r.deployment.offer_id) for r in result.rows if r.pareto}
    assert flagged == {("org/model-1", 1), ("org/model-2", 2), ("org/model-3", 3)}


def test_pareto_rows_outside_the_top_rows_have_no_rank() -> None:
    models = [make_model(1, quality_index=90.0), make_model(2, quality_index=10.0)]
    offers = [make_offer(1, 1, usd_per_mtok_output=9.0), make_offer(2, 2)]
    result = rank(make_workload(), Budget(), ANY, Constraints(), models, offers, [], limit=1)
    assert [r.repo_id for r in result.rows] == ["org/model-1"]
    assert [(r.repo_id, r.rank) for r in result.pareto] == [
        ("org/model-2", None),
        ("org/model-1", 1),
    ]
