"""pricing.seats: subscription vs API for N seats, breakeven, vendor-stated limits (pure)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pricing.seats import NumericLimit, SeatPlanTerms, SeatsUsage, compare_seats

D = Decimal
MAX_5X = SeatPlanTerms(
    slug="max-5x",
    name="Max 5x",
    usd_per_seat_month=D(100),
    limits=(NumericLimit(D(225), D(5), "messages", "at_least"),),
)
TEAM = SeatPlanTerms(slug="team", name="Team", usd_per_seat_month=D(30), min_seats=5)


@pytest.mark.parametrize(
    ("seats", "per_day", "cost", "sub", "api", "breakeven", "cheaper"),
    [
        # 10 × 40 × 30 × 0.01 = 120 API; 10 × 30 = 300 seats; k* = 300 / (10 × 30 × 0.01) = 100
        (10, D(40), D("0.01"), D(300), D(120), D(100), "api"),
        # 2 people still pay the 5-seat minimum: 150; API 2 × 100 × 30 × 0.02 = 120;
        # k* = 150 / (2 × 30 × 0.02) = 125
        (2, D(100), D("0.02"), D(150), D(120), D(125), "api"),
        # above breakeven: 10 × 200 × 30 × 0.01 = 600 > 300
        (10, D(200), D("0.01"), D(300), D(600), D(100), "subscription"),
        # exactly at breakeven
        (10, D(100), D("0.01"), D(300), D(300), D(100), "equal"),
    ],
)
def test_costs_and_breakeven_follow_the_formula(
    seats: int, per_day: Decimal, cost: Decimal, sub: Decimal, api: Decimal,
    breakeven: Decimal, cheaper: str,
) -> None:  # fmt: skip
    result = compare_seats(SeatsUsage(seats, per_day), TEAM, api_usd_per_interaction=cost)
    assert result.subscription_monthly_usd == sub
    assert result.api_monthly_usd == api
    assert result.breakeven_interactions_per_seat_per_day == breakeven
    assert result.cheaper == cheaper
    assert result.seats_billed == max(seats, 5)


def test_a_plan_without_a_stated_price_compares_as_unknown_not_free() -> None:
    plan = SeatPlanTerms(slug="x", name="X", usd_per_seat_month=None)
    result = compare_seats(SeatsUsage(3, D(10)), plan, api_usd_per_interaction=D("0.01"))
    assert result.subscription_monthly_usd is None
    assert result.cheaper == "unknown"
    assert result.breakeven_interactions_per_seat_per_day is None
    assert result.api_monthly_usd == D("9")


def test_a_free_api_has_no_breakeven() -> None:
    result = compare_seats(SeatsUsage(3, D(10)), TEAM, api_usd_per_interaction=D(0))
    assert result.breakeven_interactions_per_seat_per_day is None
    assert result.cheaper == "api"


def test_a_window_limit_caps_the_day_at_every_window_used() -> None:
    # 225 messages per 5 hours -> 225 × 24 / 5 = 1080 a day at most
    result = compare_seats(SeatsUsage(1, D(50)), MAX_5X, api_usd_per_interaction=D("0.05"))
    assert result.cap_interactions_per_seat_per_day == D(1080)
    assert result.within_stated_limits is True
    # k* = 100 / (30 × 0.05) = 66.67: within the promised floor
    assert result.breakeven_within_stated_limits is True


@pytest.mark.parametrize(
    ("bound", "expected"), [("at_least", None), ("up_to", False), ("exactly", False)]
)
def test_usage_beyond_a_stated_limit_is_over_it_or_not_promised(bound: str, expected) -> None:
    plan = SeatPlanTerms(
        slug="p", name="P", usd_per_seat_month=D(20),
        limits=(NumericLimit(D(100), D(24), "requests", bound),),
    )  # fmt: skip
    result = compare_seats(SeatsUsage(1, D(150)), plan, api_usd_per_interaction=D("0.01"))
    assert result.within_stated_limits is expected


def test_limits_in_words_only_leave_the_cap_unknown() -> None:
    plan = SeatPlanTerms(slug="p", name="P", usd_per_seat_month=D(20), unstated_limits=1)
    result = compare_seats(SeatsUsage(1, D(10)), plan, api_usd_per_interaction=D("0.01"))
    assert result.cap_interactions_per_seat_per_day is None
    assert result.within_stated_limits is None
    assert "in words only" in result.explanation


@pytest.mark.parametrize(
    ("usage", "cost"),
    [(SeatsUsage(0, D(1)), D(1)), (SeatsUsage(1, D(-1)), D(1)), (SeatsUsage(1, D(1)), D(-1))],
)
def test_bad_usage_is_refused(usage: SeatsUsage, cost: Decimal) -> None:
    with pytest.raises(ValueError, match="must be"):
        compare_seats(usage, TEAM, api_usd_per_interaction=cost)
