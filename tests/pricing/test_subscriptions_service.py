"""subscriptions_load: history like offers, idempotent, transactional; seats_compare."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from catalog.models import Model
from pricing.models import SubscriptionPlan
from pricing.services.subscriptions import (
    SubscriptionFileInvalid,
    seats_compare,
    subscriptions_load,
)

pytestmark = pytest.mark.django_db
D = Decimal
NOW = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)


def doc(*versions: tuple[str, str], models: str = "[]", withdrawn: str = "") -> str:
    body = "".join(
        f"""
      - valid_from: {day}
        usd_per_seat_month: "{price}"
        min_seats: 2
        included_models: {models}
        limits:
          - text: at least 100 messages every 5 hours
            quantity: 100
            unit: messages
            period_hours: 5
            bound: at_least
        source_url: https://acme.example/pricing
        source_date: {day}
        source_date_basis: page_states
        quote: Acme Team is ${price} per user per month.
"""
        for day, price in versions
    )
    return f"""
plans:
  - slug: acme-team
    vendor: acme
    vendor_name: Acme AI
    product: Acme Chat
    name: Acme Team
    audience: team
{withdrawn}    versions:{body}"""


def test_the_projects_file_loads_and_reloads_without_changes() -> None:
    first = subscriptions_load(now=NOW)
    assert first.created >= 15
    assert first.rejected == 0
    again = subscriptions_load(now=NOW)
    assert (again.created, again.updated, again.closed) == (0, 0, 0)
    assert again.unchanged == first.created
    # the ChatGPT Business seat price change of 2026-04-02 is kept as history
    rows = list(
        SubscriptionPlan.objects.filter(slug="chatgpt-business-monthly").order_by("valid_from")
    )
    assert [r.usd_per_seat_month for r in rows] == [D(30), D(25)]
    assert rows[0].valid_to == rows[1].valid_from == dt.datetime(2026, 4, 2, tzinfo=dt.UTC)
    assert rows[1].valid_to is None


def test_a_new_version_closes_the_old_row_and_opens_a_new_one() -> None:
    subscriptions_load(raw=doc(("2026-01-01", "20")), now=NOW)
    result = subscriptions_load(raw=doc(("2026-01-01", "20"), ("2026-06-01", "25")), now=NOW)
    assert (result.created, result.closed, result.unchanged) == (1, 1, 0)
    old, new = SubscriptionPlan.objects.order_by("valid_from")
    assert old.valid_to == new.valid_from == dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    assert (old.usd_per_seat_month, new.usd_per_seat_month, new.valid_to) == (D(20), D(25), None)
    assert new.provider.slug == "acme"


def test_a_file_that_drops_an_old_version_still_closes_it_and_deletes_nothing() -> None:
    subscriptions_load(raw=doc(("2026-01-01", "20")), now=NOW)
    subscriptions_load(raw=doc(("2026-06-01", "25")), now=NOW)
    assert SubscriptionPlan.objects.count() == 2
    assert SubscriptionPlan.objects.current().get().usd_per_seat_month == D(25)


def test_withdrawn_on_closes_the_last_version() -> None:
    subscriptions_load(raw=doc(("2026-01-01", "20")), now=NOW)
    withdrawn = "    withdrawn_on: 2026-09-01\n"
    result = subscriptions_load(raw=doc(("2026-01-01", "20"), withdrawn=withdrawn), now=NOW)
    assert result.closed == 1
    assert not SubscriptionPlan.objects.current().exists()


def test_a_future_version_is_rejected_and_the_current_price_stays() -> None:
    subscriptions_load(raw=doc(("2026-01-01", "20")), now=NOW)
    result = subscriptions_load(raw=doc(("2026-01-01", "20"), ("2027-01-01", "99")), now=NOW)
    assert result.rejected == 1
    assert "in the future" in result.errors[0]
    assert SubscriptionPlan.objects.current().get().usd_per_seat_month == D(20)


def test_an_unreadable_file_raises_and_keeps_the_last_good_plans() -> None:
    subscriptions_load(raw=doc(("2026-01-01", "20")), now=NOW)
    with pytest.raises(SubscriptionFileInvalid):
        subscriptions_load(raw="plans: [", now=NOW)
    assert SubscriptionPlan.objects.current().get().usd_per_seat_month == D(20)


def test_included_models_link_to_catalog_models_where_they_resolve() -> None:
    Model.objects.create(repo_id="acme/acme-one", name="Acme One", open_weights=False)
    subscriptions_load(raw=doc(("2026-01-01", "20"), models="[Acme One, Unknown Thing]"), now=NOW)
    plan = SubscriptionPlan.objects.get()
    assert [m.repo_id for m in plan.linked_models.all()] == ["acme/acme-one"]
    assert plan.included_models == ["Acme One", "Unknown Thing"]


def test_seats_compare_reads_current_plans_and_uses_their_stated_limits() -> None:
    subscriptions_load(raw=doc(("2026-01-01", "20")), now=NOW)
    (row,) = seats_compare(
        seats=1, interactions_per_seat_per_day=D(50), api_usd_per_interaction=D("0.02")
    )
    assert row.seats_billed == 2  # the plan's minimum
    assert row.subscription_monthly_usd == D(40)
    assert row.api_monthly_usd == D(30)  # 1 × 50 × 30 × 0.02
    assert row.cap_interactions_per_seat_per_day == D(480)  # 100 × 24 / 5
    assert row.breakeven_interactions_per_seat_per_day == D(40) / D("0.6")
