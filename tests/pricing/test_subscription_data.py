"""pricing.subscription_data: the reviewed seat-plan file parses; bad rows are named."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pricing.services.subscriptions import DATA_FILE
from pricing.subscription_data import SubscriptionFormatError, parse_subscriptions

PLAN = """
plans:
  - slug: acme-pro
    vendor: acme
    vendor_name: Acme
    product: Acme Chat
    name: Acme Pro
    versions:
      - valid_from: 2026-01-01
        usd_per_seat_month: "20"
        min_seats: 1
        included_models: [Acme One]
        limits:
          - text: at least 100 messages every 5 hours
            quantity: 100
            unit: messages
            period_hours: 5
            bound: at_least
        source_url: https://acme.example/pricing
        source_date: 2026-01-01
        source_date_basis: page_states
        quote: Acme Pro is $20/month.
      - valid_from: 2026-03-01
        usd_per_seat_month: "25"
        source_url: https://acme.example/pricing
        source_date: 2026-03-01
        source_date_basis: page_states
        quote: Acme Pro is $25/month.
"""


def test_the_projects_file_parses_without_errors_and_quotes_every_row() -> None:
    records, errors = parse_subscriptions(DATA_FILE.read_bytes())
    assert errors == []
    assert len({r.slug for r in records}) >= 12
    for r in records:
        assert r.source_url.startswith("https://")
        assert r.quote
        # a number only where the vendor states one
        for limit in r.limits:
            assert limit.quantity is None or limit.period_hours
    prices = {r.slug: r.usd_per_seat_month for r in records if r.valid_from.year == 2026}
    assert prices["chatgpt-plus"] == Decimal(20)
    assert prices["claude-max-5x"] == Decimal(100)
    assert prices["google-ai-pro"] is None  # no vendor page states it: unknown, not 0


def test_versions_become_records_with_prices_limits_and_fingerprints() -> None:
    records, errors = parse_subscriptions(PLAN)
    assert errors == []
    first, second = records
    assert (first.valid_from, first.usd_per_seat_month) == (dt.date(2026, 1, 1), Decimal(20))
    assert first.limits[0].quantity == Decimal(100)
    assert first.limits[0].bound == "at_least"
    assert second.usd_per_seat_month == Decimal(25)
    assert first.fingerprint != second.fingerprint


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        ('usd_per_seat_month: "20"', 'usd_per_seat_month: "-5"'),
        ("quote: Acme Pro is $20/month.", "quote: ''"),
        ("source_url: https://acme.example/pricing\n        source_date: 2026-01-01",
         "source_url: http://acme.example\n        source_date: 2026-01-01"),
        ("            period_hours: 5\n", ""),
        ("valid_from: 2026-03-01", "valid_from: 2025-03-01"),
        ("source_date_basis: page_states\n        quote: Acme Pro is $20",
         "source_date_basis: guessed\n        quote: Acme Pro is $20"),
    ],
)  # fmt: skip
def test_a_broken_version_rejects_its_plan_with_a_named_error(replace: str, message: str) -> None:
    doc = PLAN.replace(replace, message, 1)
    assert doc != PLAN
    records, errors = parse_subscriptions(doc)
    assert records == []
    assert len(errors) == 1
    assert errors[0].startswith("acme-pro")


@pytest.mark.parametrize("raw", ["plans: [", "just text", "plans: 3"])
def test_an_unreadable_document_raises(raw: str) -> None:
    with pytest.raises(SubscriptionFormatError):
        parse_subscriptions(raw)
