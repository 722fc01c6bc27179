"""Seat plans in the API and on the model, provider and list pages."""

from __future__ import annotations

import datetime as dt

import pytest

from catalog.models import Model
from pricing.services.subscriptions import subscriptions_load
from tests.pricing.test_subscriptions_service import NOW, doc

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans() -> Model:
    model = Model.objects.create(repo_id="acme/acme-one", name="Acme One", open_weights=False)
    subscriptions_load(raw=doc(("2026-01-01", "20"), ("2026-06-01", "25"), models="[Acme One]"),
                       now=NOW)  # fmt: skip
    return model


def test_the_api_lists_current_plans_and_a_plan_with_its_history(client, plans) -> None:
    rows = client.get("/api/subscriptions/?provider=acme").json()
    assert [(r["slug"], r["usd_per_seat_month"]) for r in rows] == [("acme-team", "25.0000")]
    assert rows[0]["linked_models"] == ["acme/acme-one"]
    assert rows[0]["limits"][0]["quantity"] == "100"
    assert len(client.get("/api/subscriptions/?history=true").json()) == 2
    detail = client.get("/api/subscriptions/acme-team/").json()
    assert [h["usd_per_seat_month"] for h in detail["history"]] == ["25.0000", "20.0000"]
    assert client.get("/api/subscriptions/?model=acme/acme-one").json()[0]["slug"] == "acme-team"


@pytest.mark.parametrize(
    ("url", "status"),
    [("/api/subscriptions/nope/", 404), ("/api/subscriptions/?model=no/such", 404),
     ("/api/subscriptions/?history=perhaps", 400)],
)  # fmt: skip
def test_the_api_answers_bad_lookups_with_the_error_body(client, plans, url, status) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_compare_prices_seats_against_the_api(client, plans) -> None:
    body = {"seats": 3, "interactions_per_seat_per_day": "40", "api_usd_per_interaction": "0.01"}
    url = "/api/subscriptions/compare/"
    (row,) = client.post(url, body, content_type="application/json").json()
    assert row["subscription_monthly_usd"] == "75.0000"  # 3 × 25
    assert row["api_monthly_usd"] == "36.0000"  # 3 × 40 × 30 × 0.01
    assert row["cheaper"] == "api"
    bad = client.post("/api/subscriptions/compare/", {"seats": 0}, content_type="application/json")
    assert bad.status_code == 400
    assert "seats" in bad.json()["error"]["fields"]


def test_model_provider_and_list_pages_show_the_plan(client, plans) -> None:
    for url in ("/models/acme/acme-one/", "/providers/acme/", "/subscriptions/"):
        page = client.get(url).content.decode()
        assert "Acme Team" in page, url
        assert "https://acme.example/pricing" in page, url
    assert "Watch this model" in client.get("/models/acme/acme-one/").content.decode()
    listing = client.get("/subscriptions/").content.decode()
    assert "was $20.00 until 2026-06-01" in listing  # the closed version


def test_the_list_page_query_count_does_not_grow_with_plans(
    client, django_assert_num_queries
) -> None:
    subscriptions_load(now=NOW)
    # 1: current plans with their providers; 2: their linked models; 3: closed versions
    with django_assert_num_queries(3):
        assert client.get("/subscriptions/").status_code == 200
    subscriptions_load(raw=doc(("2026-01-01", "20")), now=NOW + dt.timedelta(days=1))
    with django_assert_num_queries(3):
        assert client.get("/subscriptions/").status_code == 200
