"""Admin pages for pricing render, and the feed status page shows the last run."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from pricing.services.feeds import feed_sync
from tests.pricing.builders import FIXTURES, T0, T1

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("admin", "a@example.com", "pw")
    client.force_login(user)
    return client


def test_feed_status_page_shows_last_run_counts_and_first_error(admin_client, tmp_path) -> None:
    feed_sync(feed_slug="litellm", file=FIXTURES / "litellm.json", now=T0)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    feed_sync(feed_slug="litellm", file=bad, now=T1)
    page = admin_client.get("/admin/pricing/pricingfeed/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "failed" in html
    assert "litellm: not valid JSON" in html


@pytest.mark.parametrize("path", ["offer", "instanceprice", "provider"])
def test_price_admin_lists_render(admin_client, path) -> None:
    feed_sync(feed_slug="litellm", file=FIXTURES / "litellm.json", now=T0)
    feed_sync(feed_slug="skypilot-lambda", file=FIXTURES / "lambda_vms.csv", now=T0)
    assert admin_client.get(f"/admin/pricing/{path}/").status_code == 200
    pk = apps.get_model("pricing", path).objects.order_by("pk").first().pk
    assert admin_client.get(f"/admin/pricing/{path}/{pk}/change/").status_code == 200
