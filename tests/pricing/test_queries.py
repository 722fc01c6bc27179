"""Query counts do not grow with the number of records or rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pricing import selectors
from pricing.services.feeds import feed_sync
from tests.pricing.builders import T0, T1, T2, litellm_doc, make_accelerator, write_json

pytestmark = pytest.mark.django_db


def _unchanged_reload_queries(tmp_path, n: int) -> int:
    path = write_json(tmp_path, f"doc{n}.json", litellm_doc(n))
    feed_sync(feed_slug="litellm", file=path, now=T0)
    with CaptureQueriesContext(connection) as ctx:
        run = feed_sync(feed_slug="litellm", file=path, now=T1)
    assert (run.created, run.updated, run.unchanged) == (0, 0, n)
    return len(ctx.captured_queries)


def test_unchanged_reload_query_count_does_not_grow_with_records(tmp_path) -> None:
    # feed get, run start (savepoint + insert), providers ensure (2), alias lookup (1),
    # the feed's current rows (1), run finish (2): the same for 5 and 60 records
    a = tmp_path / "a"
    b = tmp_path / "b"
    a.mkdir()
    b.mkdir()
    small = _unchanged_reload_queries(a, 5)
    large = _unchanged_reload_queries(b, 60)
    assert small == large


def _changed_reload_queries(tmp_path, n: int) -> int:
    doc = litellm_doc(n, prefix=f"size{n}")
    feed_sync(feed_slug="litellm", file=write_json(tmp_path, "a.json", doc), now=T0)
    changed = litellm_doc(n, input_cost=1.5e-06, prefix=f"size{n}")
    changed = write_json(tmp_path, "b.json", {**doc, **changed})
    with CaptureQueriesContext(connection) as ctx:
        run = feed_sync(feed_slug="litellm", file=changed, now=T1)
    assert run.updated == n
    feed_sync(feed_slug="litellm", file=write_json(tmp_path, "c.json", {}), now=T2)
    return len(ctx.captured_queries)


def test_changed_reload_closes_and_inserts_in_bulk(tmp_path) -> None:
    a = tmp_path / "a"
    b = tmp_path / "b"
    a.mkdir()
    b.mkdir()
    # 30 rows stay within one INSERT batch even under SQLite's 999-parameter limit
    assert _changed_reload_queries(a, 5) == _changed_reload_queries(b, 30)


@pytest.mark.parametrize(
    "selector",
    [
        lambda: selectors.offer_list(),
        lambda: selectors.offer_list(provider="openai", unit="token"),
        lambda: selectors.cheapest_offer_per_model(),
        lambda: selectors.instance_price_list(),
        lambda: selectors.provider_list(),
    ],
)
def test_selectors_issue_one_query_whatever_the_row_count(
    tmp_path, django_assert_num_queries, selector
) -> None:
    feed_sync(feed_slug="litellm", file=write_json(tmp_path, "a.json", litellm_doc(3)), now=T0)
    with django_assert_num_queries(1):
        rows = list(selector())
        for row in rows:
            str(getattr(row, "provider", ""))
            str(getattr(row, "model", ""))
    feed_sync(feed_slug="litellm", file=write_json(tmp_path, "b.json", litellm_doc(30)), now=T1)
    with django_assert_num_queries(1):
        rows = list(selector())
        for row in rows:
            str(getattr(row, "provider", ""))
            str(getattr(row, "model", ""))


def test_instance_price_list_joins_the_accelerator(tmp_path, django_assert_num_queries) -> None:
    from tests.pricing.builders import FIXTURES

    make_accelerator("h100-sxm", "NVIDIA H100 SXM 80GB")  # GCP's attached "H100" is the SXM
    feed_sync(feed_slug="skypilot-gcp", file=FIXTURES / "gcp_vms.csv", now=T0)
    with django_assert_num_queries(1):
        names = [
            (p.provider.slug, p.accelerator and p.accelerator.slug)
            for p in selectors.instance_price_list()
        ]
    assert ("gcp", "h100-sxm") in names
