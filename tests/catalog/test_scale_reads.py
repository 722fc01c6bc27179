"""Reads that stay cheap at a million models (issue 19 §2): maintained counts, the capped
paginator, and the derived cheapest-price / best-quality columns the catalog sorts on."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from catalog import paging
from catalog.models import CatalogCount, Model
from catalog.selectors import catalog_facets, catalog_overview, task_list_with_counts
from catalog.services.counts import catalog_counts_refresh, model_columns_sync
from pricing.costing import OfferPricing, PriceComponent, price_request
from pricing.models import Offer
from pricing.services.model_prices import (
    REFERENCE_REQUESTS,
    REFERENCE_USAGE,
    model_prices_refresh,
)
from quality.models import QualityIndex
from quality.services import quality_best_refresh
from tests.api.builders import make_model, make_models
from tests.api.pricing_builders import make_offers

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def _catalog(n: int, start: int = 0) -> None:
    make_models(n, start=start)
    for m in make_models(n, start=start, org="other", task="fill-mask"):
        Model.objects.filter(id=m.id).update(library="")


def test_counts_refresh_counts_every_facet_and_total_and_is_idempotent() -> None:
    _catalog(3)
    rows = catalog_counts_refresh()
    assert catalog_counts_refresh() == rows
    counts = {(c.kind, c.key): c.count for c in CatalogCount.objects.all()}
    assert counts[("total", "models")] == 6
    assert counts[("total", "organizations")] == 2
    assert counts[("task", "text-generation")] == 3
    assert counts[("task", "fill-mask")] == 3
    assert counts[("organization", "acme")] == 3
    assert counts[("license", "apache-2.0")] == 4  # even i of both orgs: 0, 2
    assert counts[("library", "transformers")] == 3  # "" is no library: not a facet
    assert ("library", "") not in counts


def test_facets_and_totals_read_the_maintained_counts_as_of_the_refresh() -> None:
    _catalog(2)
    live = catalog_facets()
    assert live.as_of is None
    assert live.total_models is None
    catalog_counts_refresh()
    make_models(5, start=10)  # after the refresh: not counted until the next one
    facets = catalog_facets()
    assert facets.as_of is not None
    assert facets.total_models == 4
    assert [(f.value, f.count) for f in facets.tasks] == [("fill-mask", 2), ("text-generation", 2)]
    assert [(f.value, f.count) for f in live.tasks] == [(f.value, f.count) for f in facets.tasks]
    stats, tasks = catalog_overview()
    assert (stats["models"], stats["organizations"], tasks["text-generation"]) == (4, 2, 2)
    by_slug = {t.slug: t.model_count for t in task_list_with_counts()}
    assert by_slug["text-generation"] == 2


def test_a_task_without_a_maintained_row_is_counted_live() -> None:
    _catalog(1)
    catalog_counts_refresh()
    make_models(2, start=5, task="new-task")
    assert {t.slug: t.model_count for t in task_list_with_counts()}["new-task"] == 2


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # maintained counts (facets and total, 1 query), page; hooks: prices, quality;
        # accelerators for the "fits" control
        ("/models/", 5),
        # + the capped count of the filtered list
        ("/models/?task=text-generation&sort=likes", 6),
        # maintained counts (totals and tasks), popular; pricing: cheapest, closed rows
        ("/", 4),
        ("/api/tasks/", 2),  # COUNT, page (maintained count per task: a subquery)
    ],
)
def test_pages_read_maintained_counts_in_the_same_queries_at_two_sizes(
    client, django_assert_num_queries, url, queries
) -> None:
    _catalog(2)
    catalog_counts_refresh()
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    _catalog(40, start=100)
    catalog_counts_refresh()
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_the_catalog_shows_the_maintained_total_and_when_it_was_counted(client) -> None:
    _catalog(3)
    catalog_counts_refresh()
    html = client.get("/models/").content.decode()
    assert re.search(r">6</strong> models.*as of \d{4}-\d\d-\d\d \d\d:\d\d UTC", html)
    home = client.get("/").content.decode()
    assert "Counts as of" in home


def test_filtered_lists_count_up_to_a_cap_and_say_so(client, monkeypatch) -> None:
    monkeypatch.setattr(paging, "CAP", 4)
    make_models(7)
    html = client.get("/models/?task=text-generation").content.decode()
    assert ">4+</strong> models" in html
    assert "page 1 of 1" not in html  # 4 rows per... 50 per page: one page
    catalog_counts_refresh()
    html = client.get("/models/").content.decode()
    assert ">7</strong> models" in html  # the whole catalog: the exact maintained total
    assert "narrow the filters" not in html  # 7 rows fit on the one page


def test_cheapest_is_the_cost_engine_price_of_the_reference_usage() -> None:
    cheap_in, cheap_mix = make_model("a/cheap-input"), make_model("b/cheap-mix")
    make_offers(cheap_in, 1, provider="p1", price="1")  # in 1, out 2 -> 0.75 + 0.5
    Offer.objects.filter(model=cheap_in).update(usd_per_mtok_output=Decimal("20"))  # 0.75 + 5
    make_offers(cheap_mix, 1, provider="p2", price="2")  # in 2, out 4 -> 1.5 + 1
    make_offers(cheap_mix, 1, provider="p3", price="3", history=True)  # dearer, and a closed row
    assert model_prices_refresh() == 2
    assert model_prices_refresh() == 0  # nothing changed: nothing written
    a, b = Model.objects.get(id=cheap_in.id), Model.objects.get(id=cheap_mix.id)
    one = OfferPricing((PriceComponent("input", Decimal(1)), PriceComponent("output", Decimal(20))))
    expected = price_request(REFERENCE_USAGE, one, REFERENCE_REQUESTS).total
    assert a.cheapest_usd_per_mtok_blended == expected == Decimal("5.75")
    assert b.cheapest_usd_per_mtok_blended == Decimal("2.5")
    assert (a.cheapest_usd_per_mtok_input, b.cheapest_usd_per_mtok_input) == (1, 2)
    Offer.objects.filter(model=cheap_mix).update(valid_to=NOW)  # b loses every offer
    model_prices_refresh()
    b.refresh_from_db()
    assert b.cheapest_usd_per_mtok_blended is None
    assert b.cheapest_usd_per_mtok_input is None


def test_the_api_orders_by_the_reference_usage_price_not_the_input_price(client) -> None:
    cheap_in, cheap_mix = make_model("a/cheap-input"), make_model("b/cheap-mix")
    make_offers(cheap_in, 1, provider="p1", price="1")
    Offer.objects.filter(model=cheap_in).update(usd_per_mtok_output=Decimal("20"))
    make_offers(cheap_mix, 1, provider="p2", price="2")
    model_prices_refresh()
    ids = [m["repo_id"] for m in client.get("/api/models/?ordering=cheapest").json()["results"]]
    assert ids == ["b/cheap-mix", "a/cheap-input"]
    ids = [m["repo_id"] for m in client.get("/api/models/?price_max=1.5").json()["results"]]
    assert ids == ["a/cheap-input"]  # the price range stays on the input price


def test_quality_best_is_the_best_index_over_tasks_and_follows_deletions() -> None:
    a, b = make_model("a/a"), make_model("b/b")
    QualityIndex.objects.create(model=a, task="chat", value=40, computed_at=NOW)
    QualityIndex.objects.create(model=a, task="code", value=70, computed_at=NOW)
    QualityIndex.objects.create(model=b, task="chat", value=55, computed_at=NOW)
    assert quality_best_refresh() == 2
    assert dict(Model.objects.values_list("repo_id", "quality_index_best")) == {
        "a/a": 70.0,
        "b/b": 55.0,
    }
    QualityIndex.objects.filter(model=b).delete()
    assert quality_best_refresh() == 1
    assert Model.objects.get(id=b.id).quality_index_best is None


def test_model_columns_sync_writes_only_changed_rows() -> None:
    a, b = make_model("a/a"), make_model("b/b")
    fields = ["quality_index_best"]
    assert model_columns_sync(fields=fields, desired={a.id: {"quality_index_best": 1.0}}) == 1
    assert model_columns_sync(fields=fields, desired={a.id: {"quality_index_best": 1.0}}) == 0
    desired = {b.id: {"quality_index_best": 2.0}}
    assert model_columns_sync(fields=fields, desired=desired) == 2  # a cleared, b set
    assert dict(Model.objects.values_list("repo_id", "quality_index_best")) == {
        "a/a": None,
        "b/b": 2.0,
    }


@pytest.mark.postgres
def test_large_filtered_lists_show_postgresql_estimate_as_about(client, monkeypatch) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner estimate")
    monkeypatch.setattr(paging, "EXACT_BELOW", 1)  # any estimate counts as large
    make_models(30)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_model")
    html = client.get("/models/?task=text-generation").content.decode()
    assert re.search(r">about \d+</strong> models", html)
