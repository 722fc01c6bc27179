"""The planner's seats workload (issue 21 §2): answers, the pure section, and saved plans
through the API, the wizard, the result page and `manage.py plan --seats`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from planner.answers import inputs_from_answers
from planner.records import CostBreakdown, Deployment, PlanRow, QualitySignal
from planner.seats_plan import SeatPlanInfo, SeatsAsk, seats_from_answers, seats_section
from pricing.seats import NumericLimit, SeatPlanTerms
from pricing.services.subscriptions import subscriptions_load
from tests.planner.db import make_world

NOW = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)
TEAM = SeatPlanInfo(
    SeatPlanTerms(slug="team", name="Team", usd_per_seat_month=Decimal(30), min_seats=5),
    vendor="Acme", source_url="https://acme.example/pricing", source_date="2026-01-01",
)  # fmt: skip
MAX = SeatPlanInfo(
    SeatPlanTerms(
        slug="max", name="Max", usd_per_seat_month=Decimal(100),
        limits=(NumericLimit(Decimal(225), Decimal(5), "messages", "at_least"),),
    ),
)  # fmt: skip
UNPRICED = SeatPlanInfo(SeatPlanTerms(slug="ent", name="Enterprise", usd_per_seat_month=None))


def row(kind: str, monthly: float, requests: float, rank: int = 1) -> PlanRow:
    return PlanRow(
        rank=rank, model_id=1, repo_id="m/x", model_name="X",
        deployment=Deployment(kind=kind, label=f"{kind} label"),
        cost=CostBreakdown(monthly_usd=monthly, requests_per_month=requests),
        within_budget=True, budget_headroom_usd=None, meets_latency_target=None,
        capacity_headroom_share=None, memory_headroom_gib=None,
        quality=QualitySignal(50, "proxy", "proxy"), pareto=False, explanation="",
    )  # fmt: skip


def test_seats_answers_set_the_volume_and_report_errors() -> None:
    parsed = inputs_from_answers({"seats": "25", "interactions_per_seat_per_day": "40"})
    assert parsed.inputs.workload.requests_per_day == 1000
    assert parsed.inputs.workload.requests_per_month is None
    assert inputs_from_answers({}).inputs.workload.requests_per_day == 10000  # no seats
    assert seats_from_answers({"seats": "2.5"})[1] == {
        "seats": "Enter a whole number of people, 1 to 1,000,000."
    }
    bad = inputs_from_answers({"seats": "3", "interactions_per_seat_per_day": "-1"})
    assert bad.inputs is None
    assert "interactions_per_seat_per_day" in bad.errors


def test_section_compares_each_seat_plan_with_the_api_and_self_hosting() -> None:
    ask = SeatsAsk(seats=10, interactions_per_seat_per_day=20)  # 6,000 a month
    rows = [row("api", 60.0, 6000), row("cloud", 2000.0, 6000, rank=2)]  # 0.01 per call
    section = seats_section(ask, rows, [UNPRICED, MAX, TEAM], days_per_month=30)
    assert section["requests_per_month"] == 6000
    assert section["api"]["usd_per_interaction"] == pytest.approx(0.01)
    team, big, ent = section["plans"]
    assert (team["slug"], big["slug"], ent["slug"]) == ("team", "max", "ent")
    # Team: 10 seats × $30 = $300 against $60 of API: the API is cheaper below
    # 300 / (10 × 30 × 0.01) = 100 interactions per person per day
    assert team["subscription_monthly_usd"] == 300
    assert team["api_monthly_usd"] == 60
    assert team["selfhost_monthly_usd"] == 2000
    assert team["cheapest"] == "api"
    assert team["api_cheaper_below_per_seat_per_day"] == 100
    assert big["cap_per_seat_per_day"] == 1080  # 225 per 5 hours, every window used
    assert big["within_stated_limits"] is True
    assert ent["cheapest"] == "unknown"
    assert "Team at $300.00" in section["summary"]
    heavy = seats_section(SeatsAsk(10, 500), [row("api", 1500.0, 150000)], [TEAM])
    assert heavy["plans"][0]["cheapest"] == "subscription"
    alone = seats_section(ask, [row("owned", 10.0, 6000)], [TEAM])
    assert alone["plans"][0]["cheapest"] == "self-hosted"
    assert alone["plans"][0]["api_cheaper_below_per_seat_per_day"] is None


@pytest.mark.django_db
def test_api_plan_with_seats_stores_and_returns_the_seats_section(client) -> None:
    make_world()
    subscriptions_load(now=NOW)
    body = {"task": "chat", "seats": 40, "interactions_per_seat_per_day": 30,
            "modes": ["api", "cloud"], "budget_monthly_usd": None}  # fmt: skip
    response = client.post("/api/plans/", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["inputs"]["workload"]["requests_per_day"] == 1200
    assert data["inputs"]["seats"] == {"seats": 40, "interactions_per_seat_per_day": 30.0}
    seats = data["seats"]
    assert seats["seats"] == 40
    assert seats["api"] is not None
    assert seats["selfhost"] is not None
    slugs = {p["slug"] for p in seats["plans"]}
    assert {"chatgpt-plus", "chatgpt-business-monthly"} <= slugs
    priced = [p for p in seats["plans"] if p["subscription_monthly_usd"] is not None]
    assert all(p["api_cheaper_below_per_seat_per_day"] is not None for p in priced)
    assert client.get(f"/api/plans/{data['slug']}/").json()["seats"] == seats
    page = client.get(f"/plan/{data['slug']}/").content.decode()
    assert "Seats: subscriptions, API or self-hosted" in page
    assert "ChatGPT Plus" in page
    plain = client.post("/api/plans/", {"task": "chat"}, content_type="application/json")
    assert plain.json()["seats"] is None


@pytest.mark.django_db
def test_wizard_and_command_create_seats_plans(client) -> None:
    make_world()
    subscriptions_load(now=NOW)
    step = client.get("/plan/step/workload/").content.decode()
    assert 'name="seats"' in step
    assert 'name="interactions_per_seat_per_day"' in step
    response = client.post("/plan/step/review/", {"task": "chat", "seats": "12",
                           "interactions_per_seat_per_day": "25", "modes": ["api"]})  # fmt: skip
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "12 people × 25 interactions a day" in page
    out = StringIO()
    call_command("plan", "--seats", "5", "--interactions", "10", "--hardware", "api",
                 "--save", stdout=out)  # fmt: skip
    slug = out.getvalue().rsplit("/plan/", 1)[1].strip("/\n")
    assert client.get(f"/api/plans/{slug}/").json()["seats"]["seats"] == 5
