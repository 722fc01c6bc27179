"""Price watches: Atom feeds of price changes (all offers, one model, one provider),
built by the real feed sync's history rows and parsed back as Atom."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from pricing.services.feeds import feed_sync
from pricing.watch_selectors import price_changes
from tests.pricing.builders import T0, T1, T2, litellm_doc, make_hub_model, write_json

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def history(tmp_path) -> None:
    """3 models; at T1 model 0's price changes, at T2 model 1 is withdrawn."""
    make_hub_model("openai/acme-model-0")
    feed_sync(feed_slug="litellm", file=write_json(tmp_path, "a.json", litellm_doc(3)), now=T0)
    doc = litellm_doc(3)
    doc["acme-model-0"]["input_cost_per_token"] = 5e-07
    feed_sync(feed_slug="litellm", file=write_json(tmp_path, "b.json", doc), now=T1)
    del doc["acme-model-1"]
    feed_sync(feed_slug="litellm", file=write_json(tmp_path, "c.json", doc), now=T2)


def entries(client, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own feed
    return [
        {
            "title": e.findtext(f"{ATOM}title"),
            "id": e.findtext(f"{ATOM}id"),
            "updated": e.findtext(f"{ATOM}updated"),
        }
        for e in root.findall(f"{ATOM}entry")
    ]


def test_the_all_offers_feed_lists_changes_and_withdrawals_newest_first(client, history) -> None:
    rows = entries(client, "/prices/feed.atom")
    assert len(rows) == 2
    assert "acme-model-1" in rows[0]["title"]
    assert "withdrawn" in rows[0]["title"]
    assert "$1.00 → $0.50" in rows[1]["title"]
    assert rows[1]["updated"].startswith("2026-06-02")


def test_the_model_and_provider_feeds_are_scoped(client, history) -> None:
    model_rows = entries(client, "/prices/models/openai/acme-model-0/feed.atom")
    assert [r["title"].split(":")[0] for r in model_rows] == ["openai · openai/acme-model-0"]
    assert len(entries(client, "/prices/providers/openai/feed.atom")) == 2
    assert client.get("/prices/providers/nobody/feed.atom").status_code == 404
    assert client.get("/prices/models/no/such/feed.atom").status_code == 404


def test_an_unchanged_resync_adds_no_entry(client, history, tmp_path) -> None:
    before = entries(client, "/prices/feed.atom")
    doc = litellm_doc(3)
    doc["acme-model-0"]["input_cost_per_token"] = 5e-07
    del doc["acme-model-1"]
    feed_sync(feed_slug="litellm", file=write_json(tmp_path, "d.json", doc), now=T2)
    assert entries(client, "/prices/feed.atom") == before


def test_price_changes_name_each_changed_field(history) -> None:
    change = next(c for c in price_changes() if c.kind == "changed")
    assert [(f.field, f.old, f.new) for f in change.fields] == [
        ("usd_per_mtok_input", Decimal("1"), Decimal("0.5"))
    ]


def test_price_changes_query_count_does_not_grow_with_rows(
    history, tmp_path, django_assert_num_queries
) -> None:
    # 1: the newest closed rows with provider, model, feed; 2: their successors
    with django_assert_num_queries(2):
        price_changes()
    doc = litellm_doc(3, input_cost=3e-06)
    feed_sync(feed_slug="litellm", file=write_json(tmp_path, "e.json", doc), now=T2.replace(day=9))
    with django_assert_num_queries(2):
        assert len(price_changes()) > 2
