"""Issue 15 §5: GPU-hour prices kept like token prices: a changed $/hour closes the old
row and opens a new one, `valid_at` on /api/instance-prices/ reads the history, and the
accelerator page shows how the hourly price changed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest

from catalog.models import FeedRun
from pricing import selectors
from pricing.models import InstancePrice
from pricing.services.feeds import feed_sync
from tests.pricing.builders import FIXTURES, T0, T1, T2, make_accelerator

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(tmp_path):
    """H100 on Lambda: 3.29 from T0, 2.99 from T1 (the 8x A100 row never changes)."""
    h100 = make_accelerator("h100-sxm", "NVIDIA H100 SXM 80GB", aliases=["H100"])
    feed_sync(feed_slug="skypilot-lambda", file=FIXTURES / "lambda_vms.csv", now=T0)
    changed = tmp_path / "vms.csv"
    changed.write_text((FIXTURES / "lambda_vms.csv").read_text().replace("3.29", "2.99"))
    run = feed_sync(feed_slug="skypilot-lambda", file=changed, now=T1)
    assert (run.status, run.updated, run.unchanged) == (FeedRun.Status.SUCCESS, 1, 1)
    return h100


def _rows(body) -> list:
    return body["results"] if isinstance(body, dict) else body


def test_valid_at_reads_the_instance_price_history(client, history) -> None:
    def prices(query: str = "") -> list[tuple[str, str]]:
        response = client.get(f"/api/instance-prices/{query}")
        assert response.status_code == 200, response.content
        rows = _rows(response.json())
        return sorted((r["instance_type"], r["usd_per_hour_on_demand"]) for r in rows)

    h100 = "gpu_1x_h100_sxm5"
    assert (h100, "2.990000000") in prices()
    at_t0 = (T0 + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    assert (h100, "3.290000000") in prices(f"?valid_at={at_t0}")
    assert (h100, "2.990000000") in prices(f"?valid_at={T2.isoformat()[:10]}")
    assert prices("?valid_at=2020-01-01") == []
    assert client.get("/api/instance-prices/?valid_at=yesterday").status_code == 400
    old = InstancePrice.objects.get(instance_type=h100, valid_to=T1)
    # one row by id: a closed (history) row too
    assert client.get(f"/api/instance-prices/{old.pk}/").json()["valid_to"] is not None


def test_the_history_selector_pairs_each_change_with_its_successor(history) -> None:
    (row,) = selectors.instance_price_history(accelerator_id=history.id)
    assert (row.usd_per_hour_on_demand, row.next_usd_per_hour) == (D("3.29"), D("2.99"))
    assert (row.valid_from, row.valid_to, row.withdrawn) == (T0, T1, False)


def test_the_accelerator_page_shows_the_hourly_price_history(client, history) -> None:
    page = client.get("/accelerators/h100-sxm/").content.decode()
    assert "How the hourly price changed" in page
    section = page.split("How the hourly price changed", 1)[1]
    assert "$3.29" in section
    assert "$2.99" in section
    assert "2026-06-01" in section


def test_an_accelerator_without_changes_shows_no_history(client, tmp_path) -> None:
    make_accelerator("h100-sxm", "NVIDIA H100 SXM 80GB", aliases=["H100"])
    feed_sync(feed_slug="skypilot-lambda", file=FIXTURES / "lambda_vms.csv", now=T0)
    page = client.get("/accelerators/h100-sxm/").content.decode()
    assert "How the hourly price changed" not in page
