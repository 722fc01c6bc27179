"""The plan result page's pure parts (planner.plan_page): the workload as entered, $/1M
tokens, top picks ($0 free tiers are never "Cheapest"), badges."""

from __future__ import annotations

from dataclasses import replace

from planner.plan_page import badges, top_picks, usd_per_mtok, workload_text
from planner.records import (
    QUALITY_INDEX,
    QUALITY_PROXY,
    Assumptions,
    CostBreakdown,
    Deployment,
    PlanInputs,
    PlanRow,
    QualitySignal,
    Workload,
)


def _inputs(**workload) -> PlanInputs:
    return PlanInputs(workload=Workload(task="chat", **workload))


def _row(rank, usd, quality, *, tps=None, within=True, kind=QUALITY_INDEX) -> PlanRow:
    return PlanRow(
        rank=rank, model_id=rank, repo_id=f"acme/m{rank}", model_name=f"m{rank}",
        deployment=Deployment(kind="api", label=f"P{rank} API"),
        cost=CostBreakdown(monthly_usd=usd, requests_per_month=30_000),
        within_budget=within, budget_headroom_usd=None, meets_latency_target=None,
        capacity_headroom_share=None, memory_headroom_gib=None,
        quality=QualitySignal(quality, kind, "q"), pareto=False, explanation="because",
        stream_tokens_per_s=tps,
    )  # fmt: skip


def test_workload_text_keeps_the_unit_it_was_entered_in() -> None:
    day = _inputs(requests_per_day=10_000, avg_input_tokens=800, avg_output_tokens=300)
    assert workload_text(day) == (
        "10,000 requests/day (≈300,000/month at 30 days) · 800 input + 300 output tokens"
        " per request"
    )
    month = _inputs(requests_per_day=10_000, requests_per_month=250_000)
    assert workload_text(month) == "250,000 requests/month"
    short = replace(day, assumptions=Assumptions(days_per_month=22))
    assert "≈220,000/month at 22 days" in workload_text(short)


def test_usd_per_mtok_is_the_monthly_cost_over_the_months_tokens() -> None:
    inputs = _inputs(requests_per_day=1000, avg_input_tokens=700, avg_output_tokens=300)
    # 30,000 requests × 1,000 tokens = 30M tokens; $60 / 30 = $2.00 per 1M
    assert usd_per_mtok(_row(1, 60.0, 70.0), inputs) == 2.0
    assert usd_per_mtok(_row(1, 60.0, 70.0), _inputs(requests_per_day=1000)) is None


def test_top_picks_merge_titles_and_never_call_a_free_tier_cheapest() -> None:
    best = _row(1, 400.0, 84.0)
    cheap = _row(2, 80.0, 75.0, tps=90.0)
    free = _row(3, 0.0, 70.0)
    over = _row(4, 900.0, 90.0, within=False)
    picks = top_picks([best, cheap, free, over], has_budget=True)
    titles = {p.row.rank: p.titles for p in picks}
    assert titles[1] == ("Best overall", "Best quality within budget")
    assert titles[2] == ("Cheapest", "Fastest")
    assert 3 not in titles  # $0: a free tier, badged, not "Cheapest"
    assert 4 not in titles
    no_budget = top_picks([best, over], has_budget=False)
    assert [p.titles for p in no_budget] == [("Best overall", "Cheapest"), ("Best quality",)]
    assert top_picks([], has_budget=True) == []


def test_badges() -> None:
    free = _row(3, 0.0, 40.0, kind=QUALITY_PROXY, within=False)
    texts = [b["text"] for b in badges(free)]
    assert texts == ["over budget", "free tier: likely rate-limited", "quality proxy"]
    assert [b["text"] for b in badges(replace(free, within_budget=True, pareto=True,
            meets_latency_target=False))][:3] == [
        "within budget", "Pareto front", "misses latency target"]  # fmt: skip
