"""Seats against the API (pure): N people × interactions per day on a seat plan, or the
same interactions priced per call.

Formulas (USD, Decimal, no rounding):
    seats billed          = max(N, plan minimum seats)
    subscription / month  = seats billed × USD per seat and month
    API / month           = N × k × days per month × c      (k interactions per seat per day,
                                                             c = API USD per interaction)
    breakeven k*          = seats billed × USD per seat / (N × days × c)
The API is cheaper below k* interactions per seat per day, the subscription above it.
`c` is an input: the caller prices one interaction with the one cost function; this module
never multiplies tokens by prices.

Limits: only the vendor's stated numbers count. A limit of q per window of h hours holds
at most q × 24 / h a day (every window used). With `bound` "at_least" the vendor promises
at least q, so a volume above it is "not promised" (None), not "over the limit" (False).
A plan without a stated number has no known cap: its checks are None (unknown).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

HOURS_PER_DAY = Decimal(24)
API = "api"
SUBSCRIPTION = "subscription"
EQUAL = "equal"
UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class NumericLimit:
    quantity: Decimal  # e.g. 225 (messages)
    period_hours: Decimal  # e.g. 5 (per five-hour session)
    unit: str = ""
    bound: str = ""  # at_least | up_to | exactly
    text: str = ""  # the vendor's words

    @property
    def per_day(self) -> Decimal:
        """The most a day can hold: quantity × 24 / period_hours."""
        return self.quantity * HOURS_PER_DAY / self.period_hours


@dataclass(frozen=True, slots=True)
class SeatPlanTerms:
    slug: str
    name: str
    usd_per_seat_month: Decimal | None  # None: no vendor page states a price
    min_seats: int = 1
    limits: tuple[NumericLimit, ...] = ()
    unstated_limits: int = 0  # limits in words only (not usable as numbers)


@dataclass(frozen=True, slots=True)
class SeatsUsage:
    seats: int
    interactions_per_seat_per_day: Decimal
    days_per_month: Decimal = Decimal(30)


@dataclass(frozen=True, slots=True)
class SeatsComparison:
    slug: str
    name: str
    seats_billed: int
    subscription_monthly_usd: Decimal | None
    api_monthly_usd: Decimal
    cheaper: str  # api | subscription | equal | unknown
    breakeven_interactions_per_seat_per_day: Decimal | None  # None: no price, or free API
    cap_interactions_per_seat_per_day: Decimal | None  # tightest stated limit; None: unknown
    within_stated_limits: bool | None  # the usage; None: not promised / no stated number
    breakeven_within_stated_limits: bool | None
    explanation: str


def _within(volume: Decimal, limits: tuple[NumericLimit, ...]) -> bool | None:
    if not limits:
        return None
    verdicts = []
    for limit in limits:
        if volume <= limit.per_day:
            verdicts.append(True)
        elif limit.bound == "at_least":
            verdicts.append(None)
        else:
            verdicts.append(False)
    if False in verdicts:
        return False
    if None in verdicts:
        return None
    return True


def compare_seats(
    usage: SeatsUsage, plan: SeatPlanTerms, *, api_usd_per_interaction: Decimal
) -> SeatsComparison:
    """One plan against the API for the same usage (see the module docstring)."""
    if usage.seats < 1:
        raise ValueError("seats must be at least 1")
    if usage.interactions_per_seat_per_day < 0 or usage.days_per_month <= 0:
        raise ValueError("interactions must be >= 0 and days per month > 0")
    if api_usd_per_interaction < 0:
        raise ValueError("the API cost per interaction must be >= 0")
    billed = max(usage.seats, plan.min_seats)
    k = usage.interactions_per_seat_per_day
    api = usage.seats * k * usage.days_per_month * api_usd_per_interaction
    sub = None if plan.usd_per_seat_month is None else billed * plan.usd_per_seat_month
    breakeven = None
    if sub is not None and api_usd_per_interaction > 0:
        breakeven = sub / (usage.seats * usage.days_per_month * api_usd_per_interaction)
    if sub is None:
        cheaper = UNKNOWN
    elif api < sub:
        cheaper = API
    elif api > sub:
        cheaper = SUBSCRIPTION
    else:
        cheaper = EQUAL
    cap = min((limit.per_day for limit in plan.limits), default=None)
    within = _within(k, plan.limits)
    within_breakeven = None if breakeven is None else _within(breakeven, plan.limits)
    return SeatsComparison(
        slug=plan.slug,
        name=plan.name,
        seats_billed=billed,
        subscription_monthly_usd=sub,
        api_monthly_usd=api,
        cheaper=cheaper,
        breakeven_interactions_per_seat_per_day=breakeven,
        cap_interactions_per_seat_per_day=cap,
        within_stated_limits=within,
        breakeven_within_stated_limits=within_breakeven,
        explanation=_explain(plan, usage, sub, breakeven, cap, within),
    )


def _explain(
    plan: SeatPlanTerms,
    usage: SeatsUsage,
    sub: Decimal | None,
    breakeven: Decimal | None,
    cap: Decimal | None,
    within: bool | None,
) -> str:
    if sub is None:
        return f"{plan.name}: no stated price, so no comparison."
    parts = []
    if breakeven is None:
        parts.append("The API costs nothing per interaction here: it is always cheaper.")
    else:
        parts.append(
            f"The API is cheaper below {breakeven:.1f} interactions per person per day "
            f"({plan.name} costs {sub:.2f} USD a month for {max(usage.seats, plan.min_seats)} "
            "seats)."
        )
    if cap is None:
        parts.append(
            "The vendor states its limits in words only: whether the plan covers this "
            "volume is unknown."
            if plan.unstated_limits
            else "The vendor states no usage limit we could read."
        )
    elif within is False:
        parts.append(f"This usage exceeds the stated limit ({cap:.0f} a day at most).")
    elif within is None:
        parts.append(f"The vendor promises at least {cap:.0f} a day; more is not promised.")
    return " ".join(parts)
