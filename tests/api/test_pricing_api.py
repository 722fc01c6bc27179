"""Pricing API: providers, offers (history, filters, cursor), instance prices, a model's
offers and price history, the cost estimate."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pricing.models import Offer, Provider
from tests.api.builders import make_model
from tests.api.pricing_builders import (
    make_accelerator,
    make_instance_prices,
    make_offers,
    make_provider,
)
from tests.benchmarks.builders import LLAMA_8B_DIMS

pytestmark = pytest.mark.django_db


def test_providers_list_and_detail(client) -> None:
    make_provider("openai")
    make_provider("gcp", "cloud")
    body = client.get("/api/providers/").json()
    assert [p["slug"] for p in body["results"]] == ["gcp", "openai"]
    gcp = client.get("/api/providers/gcp/").json()
    # `kind` is the registry's kind of seller now; api / cloud moved to `service`
    assert (gcp["kind"], gcp["service"]) == ("hyperscaler", "cloud")
    assert client.get("/api/providers/nope/").json()["error"]["code"] == "not_found"


def test_offers_current_by_default_and_valid_at_reads_history(client) -> None:
    model = make_model("a/m")
    make_offers(model, 2, history=True)
    current = client.get("/api/offers/").json()["results"]
    assert len(current) == 2
    assert {o["valid_to"] for o in current} == {None}
    old = client.get("/api/offers/?valid_at=2026-01-15").json()["results"]
    assert [Decimal(o["usd_per_mtok_input"]) for o in old] == [Decimal(2), Decimal("2.02")]
    assert client.get("/api/offers/?valid_at=2025-06-01").json()["results"] == []


def test_offers_filters(client) -> None:
    a, b = make_model("a/a"), make_model("b/b")
    make_offers(a, 3, provider="openai", price="1")
    make_offers(b, 1, provider="together", price="5")

    def ids(query: str) -> list[str]:
        response = client.get(f"/api/offers/?{query}")
        assert response.status_code == 200, response.content
        return [o["model_name"] for o in response.json()["results"]]

    assert len(ids("provider=together")) == 1
    assert len(ids("model=a/a")) == 3
    assert ids("input_min=1.01&input_max=1.015") == ["a/a-openai-1"]
    assert ids("output_min=9") == ["b/b-together-0"]
    assert len(ids("unit=token")) == 4
    assert ids("unit=image") == []


@pytest.mark.parametrize(
    "query",
    ["unit=furlong", "input_min=-1", "input_max=abc", "valid_at=yesterday", "ordering=price"],
)
def test_offers_invalid_values_are_400(client, query) -> None:
    response = client.get(f"/api/offers/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_offers_cursor_pages_by_price(client) -> None:
    make_offers(make_model("a/a"), 5)
    seen, url = [], "/api/offers/?ordering=-input&page_size=2"
    while url:
        body = client.get(url).json()
        seen += [Decimal(o["usd_per_mtok_input"]) for o in body["results"]]
        url = body["next"]
    assert seen == sorted(seen, reverse=True)
    assert len(seen) == 5


def test_instance_prices_filters(client) -> None:
    h100 = make_accelerator("h100-sxm")
    l4 = make_accelerator("l4", memory_gib=24)
    make_instance_prices(3, accelerator=h100, count=8)
    make_instance_prices(2, accelerator=l4, count=1, start=10)

    def rows(query: str) -> list[dict]:
        response = client.get(f"/api/instance-prices/?{query}")
        assert response.status_code == 200, response.content
        return response.json()["results"]

    assert len(rows("")) == 5
    assert len(rows("accelerator=l4")) == 2
    assert len(rows("count=8")) == 3
    assert [r["region"] for r in rows("max_usd_per_hour=4")] == ["region-0", "region-1"]
    assert {r["usd_per_hour_spot"] is not None for r in rows("spot=true")} == {True}
    assert {r["usd_per_hour_spot"] for r in rows("spot=false")} == {None}
    assert len(rows("provider=gcp&region=region-10")) == 1
    assert client.get("/api/instance-prices/?spot=maybe").status_code == 400


def test_model_offers_sorted_by_price_and_price_history(client) -> None:
    model = make_model("meta-llama/Llama-3.1-8B")
    make_offers(model, 1, provider="together", price="3", history=True)
    make_offers(model, 1, provider="groq", price="1", history=True)
    offers = client.get("/api/models/meta-llama/Llama-3.1-8B/offers/").json()["results"]
    assert [o["provider"] for o in offers] == ["groq", "together"]
    flat = client.get("/api/models/meta-llama/Llama-3.1-8B/price-history/").json()
    assert [(r["provider"], r["valid_to"] is None) for r in flat] == [
        ("groq", False), ("groq", True), ("together", False), ("together", True),
    ]  # fmt: skip
    grouped = client.get("/api/models/meta-llama/Llama-3.1-8B/price-history/?grouped=true").json()
    assert [(g["provider"], len(g["rows"])) for g in grouped] == [("groq", 2), ("together", 2)]
    assert grouped[0]["rows"][0]["valid_to"] == grouped[0]["rows"][1]["valid_from"]
    assert client.get("/api/models/no/such/offers/").status_code == 404
    assert client.get("/api/models/no/such/price-history/").status_code == 404
    bad = client.get("/api/models/meta-llama/Llama-3.1-8B/price-history/?grouped=x")
    assert bad.status_code == 400


def test_cost_estimate_api_and_self_hosted(client) -> None:
    model = make_model("meta-llama/Llama-3.1-8B", **LLAMA_8B_DIMS)
    make_offers(model, 1, provider="groq", price="1")
    make_offers(model, 1, provider="together", price="2")
    make_instance_prices(2, accelerator=make_accelerator("h100-sxm"), count=1)
    make_instance_prices(1, accelerator=make_accelerator("t4", memory_gib=16), start=5)
    workload = {
        "model": "meta-llama/Llama-3.1-8B", "requests_per_day": 1000, "input_tokens": 1000,
        "output_tokens": 500, "cache_hit_share": "0.5", "batch_ok": False,
    }  # fmt: skip
    response = client.post("/api/estimate/cost/", workload, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    # groq: 1000 × 30 × (500 × 1 + 500 × 0.1 + 500 × 2) / 1e6 = 46.50
    assert [(r["provider"], r["monthly_usd"]) for r in body["api"]] == [
        ("groq", "46.50"), ("together", "93.00"),
    ]  # fmt: skip
    hosted = body["self_hosted"]
    assert [r["accelerator"] for r in hosted] == ["h100-sxm", "h100-sxm"]  # 16 GiB T4: no fit
    assert hosted[0]["monthly_usd"] == "2160.00"  # $3/h × 720 h × 1 instance
    assert body["workload"]["precision"] == "bf16"
    only_t4 = client.post(
        "/api/estimate/cost/", {**workload, "accelerator": "t4"}, content_type="application/json"
    ).json()
    assert only_t4["self_hosted"] == []
    assert only_t4["self_hosted_note"]
    int4 = client.post(
        "/api/estimate/cost/",
        {**workload, "accelerator": "t4", "precision": "int4-awq"},
        content_type="application/json",
    ).json()
    assert [r["accelerator"] for r in int4["self_hosted"]] == ["t4"]


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"model": "no/such"}, 400),  # a body field (issue 16: 400 naming it, not 404)
        ({"precision": "fp3"}, 400),
        ({"cache_hit_share": "1.5"}, 400),
        ({"requests_per_day": -1}, 400),
    ],
)
def test_cost_estimate_bad_input(client, change, status) -> None:
    make_model("a/m")
    body = {"model": "a/m", "requests_per_day": 1, "input_tokens": 1, "output_tokens": 1}
    response = client.post(
        "/api/estimate/cost/", {**body, **change}, content_type="application/json"
    )
    assert response.status_code == status
    assert "error" in response.json()


def test_offer_without_model_serializes_null(client) -> None:
    make_offers(None, 1)
    assert client.get("/api/offers/").json()["results"][0]["model"] is None
    assert Offer.objects.count() == 1


def test_providers_filter_by_kind_and_review(client) -> None:
    make_provider("openai")
    make_provider("gcp", "cloud")
    Provider.objects.create(slug="newcomer", name="Newcomer")  # a feed's, unreviewed
    Provider.objects.filter(slug__in=["openai", "gcp"]).update(reviewed=True)

    def slugs(query: str) -> list[str]:
        return [p["slug"] for p in client.get(f"/api/providers/?{query}").json()["results"]]

    assert slugs("kind=hyperscaler") == ["gcp"]
    assert slugs("reviewed=false") == ["newcomer"]
    assert client.get("/api/providers/?kind=nope").status_code == 400
