"""The planner's "seats" workload (issue 21 §2): N people × interactions per day, compared
across seat subscriptions, the plan's API choice and its self-hosted choice (pure).

Answers: `seats` (people) and `interactions_per_seat_per_day`. With `seats` set, the
plan's volume is seats × interactions per day (it replaces requests per day), so the
ranked rows price exactly that volume; `seats_section` then sets every current seat plan
(pricing.seats.compare_seats: seats billed × price per seat, against the API's cost per
interaction) next to:
- the plan's API choice: its best-ranked API row, priced per interaction
  (row cost / requests), and the breakeven: the API is cheaper below k* interactions per
  person per day, the subscription above it (the volume where the API becomes cheaper);
- the plan's self-hosted choice: its best-ranked owned or cloud row's monthly cost at
  this volume (instances are whole, so it is compared as a monthly total).
Only the vendor's stated limits count (pricing.seats); unknown stays unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pricing.seats import API, SUBSCRIPTION, SeatPlanTerms, SeatsUsage, compare_seats

SEATS_FIELDS = ("seats", "interactions_per_seat_per_day")
SEATS_DEFAULTS = {"seats": "", "interactions_per_seat_per_day": "20"}
SELF_HOSTED = "self-hosted"
MAX_SEATS = 1_000_000


@dataclass(frozen=True, slots=True)
class SeatsAsk:
    seats: int
    interactions_per_seat_per_day: float

    @property
    def requests_per_day(self) -> float:
        return self.seats * self.interactions_per_seat_per_day


@dataclass(frozen=True, slots=True)
class SeatPlanInfo:
    """A current seat plan: the comparison's terms and what the page shows of it."""

    terms: SeatPlanTerms
    vendor: str = ""
    source_url: str = ""
    source_date: str = ""
    included_models: tuple[str, ...] = ()


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    return "" if value is None else str(value).strip()


def seats_from_answers(answers: Mapping[str, Any]) -> tuple[SeatsAsk | None, dict[str, str]]:
    """The seats ask (None when `seats` is empty) and per-field errors."""
    seats_text = _text(answers.get("seats"))
    if not seats_text:
        return None, {}
    errors: dict[str, str] = {}
    try:
        seats = float(seats_text.replace(",", ""))
        if seats != int(seats) or not 1 <= seats <= MAX_SEATS:
            raise ValueError
    except ValueError:
        errors["seats"] = f"Enter a whole number of people, 1 to {MAX_SEATS:,}."
        seats = 1
    k_text = _text(answers.get("interactions_per_seat_per_day")) or "0"
    if "interactions_per_seat_per_day" not in answers:
        k_text = SEATS_DEFAULTS["interactions_per_seat_per_day"]
    try:
        k = float(k_text.replace(",", ""))
        if not 0 < k <= 100_000:
            raise ValueError
    except ValueError:
        errors["interactions_per_seat_per_day"] = "Enter interactions per person per day (> 0)."
        k = 1.0
    if errors:
        return None, errors
    return SeatsAsk(int(seats), k), {}


def answers_with_seats(answers: Mapping[str, Any]) -> dict[str, Any]:
    """With a valid seats ask, the volume is seats × interactions per day."""
    out = dict(answers)
    ask, errors = seats_from_answers(out)
    if ask is not None and not errors:
        out["requests_per_day"] = f"{ask.requests_per_day:g}"
        out["requests_per_month"] = ""
    return out


def seats_answers(stored_inputs: Any) -> dict[str, str]:
    """The seats answers kept in a saved plan's inputs (empty when it had none)."""
    seats = stored_inputs.get("seats") if isinstance(stored_inputs, dict) else None
    if not isinstance(seats, dict):
        return {}
    return {
        "seats": str(seats.get("seats", "")),
        "interactions_per_seat_per_day": f"{seats.get('interactions_per_seat_per_day', ''):g}",
    }


def _money(x: Decimal | float | None) -> float | None:
    return None if x is None else round(float(x), 2)


def _best(rows, kinds: tuple[str, ...]):
    return next((r for r in rows if r.deployment.kind in kinds and r.rank is not None), None)


def seats_section(
    ask: SeatsAsk, rows, plans: list[SeatPlanInfo], *, days_per_month: float = 30.0
) -> dict[str, Any]:
    """The plan's "seats" section (JSON-safe): every seat plan against the plan's API and
    self-hosted choices for `ask` (see the module docstring)."""
    days = Decimal(str(days_per_month))
    usage = SeatsUsage(ask.seats, Decimal(str(ask.interactions_per_seat_per_day)), days)
    api_row = _best(rows, ("api",))
    self_row = _best(rows, ("owned", "cloud"))
    per_call = None
    if api_row is not None and api_row.cost.requests_per_month > 0:
        per_call = Decimal(str(api_row.cost.monthly_usd)) / Decimal(
            str(api_row.cost.requests_per_month)
        )
    self_monthly = None if self_row is None else Decimal(str(self_row.cost.monthly_usd))
    out_plans = []
    for info in plans:
        c = compare_seats(usage, info.terms, api_usd_per_interaction=per_call or Decimal(0))
        options = {}
        if c.subscription_monthly_usd is not None:
            options[SUBSCRIPTION] = c.subscription_monthly_usd
        if per_call is not None:
            options[API] = c.api_monthly_usd
        if self_monthly is not None:
            options[SELF_HOSTED] = self_monthly
        cheapest = min(options, key=options.get) if SUBSCRIPTION in options else "unknown"
        out_plans.append({
            "slug": c.slug, "name": c.name, "vendor": info.vendor,
            "source_url": info.source_url, "source_date": info.source_date,
            "included_models": list(info.included_models), "seats_billed": c.seats_billed,
            "subscription_monthly_usd": _money(c.subscription_monthly_usd),
            "api_monthly_usd": _money(c.api_monthly_usd) if per_call is not None else None,
            "selfhost_monthly_usd": _money(self_monthly), "cheapest": cheapest,
            "api_cheaper_below_per_seat_per_day": (
                None if per_call is None or c.breakeven_interactions_per_seat_per_day is None
                else round(float(c.breakeven_interactions_per_seat_per_day), 1)
            ),
            "cap_per_seat_per_day": _money(c.cap_interactions_per_seat_per_day),
            "within_stated_limits": c.within_stated_limits,
            "explanation": c.explanation if per_call is not None else (
                "No API row in this plan to compare with."
            ),
        })  # fmt: skip
    out_plans.sort(key=lambda p: (p["subscription_monthly_usd"] is None,
                                  p["subscription_monthly_usd"] or 0, p["slug"]))  # fmt: skip
    return {
        "seats": ask.seats,
        "interactions_per_seat_per_day": ask.interactions_per_seat_per_day,
        "requests_per_month": round(ask.requests_per_day * days_per_month, 2),
        "api": None if api_row is None else {
            "model_name": api_row.model_name, "deployment": api_row.deployment.label,
            "usd_per_interaction": float(per_call) if per_call is not None else None,
            "monthly_usd": _money(api_row.cost.monthly_usd),
        },
        "selfhost": None if self_row is None else {
            "model_name": self_row.model_name, "deployment": self_row.deployment.label,
            "monthly_usd": _money(self_row.cost.monthly_usd),
        },
        "plans": out_plans,
        "summary": _summary(ask, api_row, self_row, out_plans),
    }  # fmt: skip


def _summary(ask: SeatsAsk, api_row, self_row, plans: list[dict]) -> str:
    head = f"{ask.seats} people × {ask.interactions_per_seat_per_day:g} interactions a day."
    priced = [p for p in plans if p["subscription_monthly_usd"] is not None]
    if not priced:
        return head + " No seat plan with a stated price to compare."
    cheapest = priced[0]
    parts = [head, f"Cheapest seat plan: {cheapest['name']} at "
             f"${cheapest['subscription_monthly_usd']:,.2f} a month."]  # fmt: skip
    if api_row is not None:
        parts.append(f"The plan's API choice ({api_row.model_name}, "
                     f"{api_row.deployment.label}): ${api_row.cost.monthly_usd:,.2f}.")  # fmt: skip
        below = cheapest["api_cheaper_below_per_seat_per_day"]
        if below is not None:
            parts.append(f"The API is cheaper than {cheapest['name']} below {below:g} "
                         "interactions per person per day.")  # fmt: skip
    if self_row is not None:
        parts.append(f"Self-hosted ({self_row.deployment.label}): "
                     f"${self_row.cost.monthly_usd:,.2f}.")  # fmt: skip
    return " ".join(parts)
