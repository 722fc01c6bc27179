"""/api/models/ filters and orderings that reach pricing, benchmarks and quality tables,
and the per-model requirements / benchmarks endpoints."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from benchmarks.models import ModelRequirement
from benchmarks.services import (
    REQUIREMENT_PRECISIONS,
    benchmark_run_record,
    model_requirements_refresh,
)
from catalog.filters import FITS_PRECISIONS
from pricing.services.model_prices import model_prices_refresh
from quality.models import QualityIndex
from quality.services import quality_best_refresh
from tests.api.builders import make_model
from tests.api.pricing_builders import make_accelerator, make_offers
from tests.benchmarks.builders import LLAMA_8B_DIMS, make_record

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def repo_ids(client, query: str) -> list[str]:
    response = client.get(f"/api/models/?{query}")
    assert response.status_code == 200, response.content
    return [m["repo_id"] for m in response.json()["results"]]


def test_fits_precisions_match_the_estimator() -> None:
    assert set(FITS_PRECISIONS) == set(REQUIREMENT_PRECISIONS)


@pytest.fixture
def priced(db) -> dict:
    cheap, dear, none = make_model("a/cheap"), make_model("b/dear"), make_model("c/none")
    make_offers(cheap, 1, provider="groq", price="0.5")
    make_offers(cheap, 1, provider="together", price="3")
    make_offers(dear, 1, provider="together", price="10", history=True)
    model_prices_refresh()  # what every feed sync runs after loading prices
    return {"cheap": cheap, "dear": dear, "none": none}


def test_has_offers_and_provider(client, priced) -> None:
    assert repo_ids(client, "has_offers=true") == ["a/cheap", "b/dear"]
    assert repo_ids(client, "has_offers=false") == ["c/none"]
    assert repo_ids(client, "provider=together") == ["a/cheap", "b/dear"]
    assert repo_ids(client, "provider=groq") == ["a/cheap"]


def test_price_range_uses_the_cheapest_current_offer(client, priced) -> None:
    assert repo_ids(client, "price_max=1") == ["a/cheap"]
    assert repo_ids(client, "price_min=1") == ["b/dear"]
    assert repo_ids(client, "price_min=4&price_max=11") == ["b/dear"]  # not the closed 20


def test_cheapest_ordering_pages_with_a_cursor(client, priced) -> None:
    assert repo_ids(client, "ordering=cheapest") == ["a/cheap", "b/dear"]
    assert repo_ids(client, "ordering=-cheapest") == ["b/dear", "a/cheap"]
    first = client.get("/api/models/?ordering=cheapest&page_size=1").json()
    assert [m["repo_id"] for m in first["results"]] == ["a/cheap"]
    second = client.get(first["next"]).json()
    assert [m["repo_id"] for m in second["results"]] == ["b/dear"]
    assert second["next"] is None
    back = client.get(second["previous"]).json()
    assert [m["repo_id"] for m in back["results"]] == ["a/cheap"]


def test_fits_uses_precomputed_requirements(client) -> None:
    make_model("meta/8b", **LLAMA_8B_DIMS)
    make_model("meta/70b", **{**LLAMA_8B_DIMS, "params_total": 70_000_000_000})
    make_model("x/unknown")  # no parameter count: never fits
    make_accelerator("h100-sxm", memory_gib=80)
    make_accelerator("rtx-4090", memory_gib=24, kind="consumer")
    make_accelerator("m2-max", memory_gib=96, kind="apple")
    rows = model_requirements_refresh()
    assert rows == 2 * len(REQUIREMENT_PRECISIONS)
    assert model_requirements_refresh() == rows  # idempotent upsert
    assert ModelRequirement.objects.count() == rows
    assert repo_ids(client, "fits=rtx-4090") == ["meta/8b"]
    assert repo_ids(client, "fits=h100-sxm") == ["meta/8b"]  # 70B bf16 ≈ 140 GiB
    assert repo_ids(client, "fits=h100-sxm&fits_count=2") == ["meta/70b", "meta/8b"]
    assert repo_ids(client, "fits=h100-sxm&fits_precision=int4-awq") == ["meta/70b", "meta/8b"]
    assert repo_ids(client, "fits=m2-max&fits_count=2") == ["meta/8b"]  # Apple: not split


def test_quality_min_and_ordering(client) -> None:
    a, b = make_model("a/a"), make_model("b/b")
    make_model("c/none")
    QualityIndex.objects.create(model=a, task="chat", value=80, computed_at=NOW)
    QualityIndex.objects.create(model=a, task="code", value=40, computed_at=NOW)
    QualityIndex.objects.create(model=b, task="code", value=60, computed_at=NOW)
    quality_best_refresh()  # what quality_index_refresh runs after writing the index
    assert repo_ids(client, "quality_min=70") == ["a/a"]
    assert repo_ids(client, "quality_min=50") == ["a/a", "b/b"]
    assert repo_ids(client, "quality_min=50&quality_task=code") == ["b/b"]
    assert repo_ids(client, "ordering=-quality") == ["a/a", "b/b"]
    assert repo_ids(client, "ordering=-quality&quality_task=code") == ["b/b", "a/a"]
    assert repo_ids(client, "ordering=quality&page_size=1") == ["b/b"]


@pytest.mark.parametrize(
    "query",
    [
        "has_offers=maybe",
        "price_min=-1",
        "price_max=cheap",
        "fits=no-such-gpu",
        "fits=h100-sxm&fits_count=0",
        "fits=h100-sxm&fits_precision=fp3",
        "quality_min=101",
        "ordering=priciest",
    ],
)
def test_invalid_cross_filter_values_are_400(client, query) -> None:
    make_accelerator("h100-sxm")
    response = client.get(f"/api/models/?{query}")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid"


def test_requirements_breakdown_with_measured_runs(client) -> None:
    model = make_model("meta/8b", **LLAMA_8B_DIMS)
    h100 = make_accelerator("h100-sxm", memory_gib=80)
    make_accelerator("t4", memory_gib=16, bandwidth_gbps=320, bf16_tflops=65)
    benchmark_run_record(model=model, accelerator=h100, record=make_record(), source="vllm")
    body = client.get("/api/models/meta/8b/requirements/?precision=bf16&context=8192").json()
    assert round(body["weights_gib"], 1) == 15.0
    assert round(body["kv_cache_gib"], 2) == 1.0  # Llama-3-8B, 8k, fp16 KV = 1 GiB
    assert body["engine"] == "vllm"
    assert body["memory"]["estimate"]["basis"] == "formula"
    rows = {r["accelerator"]: r for r in body["accelerators"]}
    assert rows["h100-sxm"]["accelerators_needed"] == 1
    measured = rows["h100-sxm"]["decode"]
    assert (measured["basis"], measured["value"]) == ("measured", 83.0)
    assert measured["run_id"] is not None
    assert measured["label"].startswith("measured (run #")
    assert rows["t4"]["accelerators_needed"] == 2  # vLLM: 16 GB of bf16 over two T4s
    roofline = rows["t4"]["decode"]
    assert roofline["basis"] == "roofline"
    assert roofline["band_pct"] == 50
    assert roofline["low"] < roofline["value"] < roofline["high"]
    int4 = client.get("/api/models/meta/8b/requirements/?precision=int4-awq").json()
    assert {r["accelerator"]: r["accelerators_needed"] for r in int4["accelerators"]}["t4"] == 1
    # what I own: one accelerator at the stated count, fit or not
    mine = client.get("/api/models/meta/8b/requirements/?accelerator=t4&count=1").json()
    (t4,) = mine["accelerators"]
    assert (t4["count"], t4["fits"], t4["decode"]["basis"]) == (1, False, "unknown")
    assert "usable" in t4["fit_reason"]
    gguf = client.get("/api/models/meta/8b/requirements/?accelerator=t4&count=1"
                      "&precision=q4_k_m").json()  # fmt: skip
    assert gguf["engine"] == "llama.cpp"
    assert gguf["accelerators"][0]["fits"] is True
    assert client.get("/api/models/meta/8b/requirements/?accelerator=nope").status_code == 400
    assert client.get("/api/models/meta/8b/requirements/?engine=magic").status_code == 400
    assert client.get("/api/models/meta/8b/requirements/?precision=fp3").status_code == 400
    assert client.get("/api/models/meta/8b/requirements/?batch=0").status_code == 400
    assert client.get("/api/models/no/such/requirements/").status_code == 404
    make_model("x/unknown")
    assert client.get("/api/models/x/unknown/requirements/").status_code == 422


def test_model_benchmarks_lists_its_runs(client) -> None:
    model = make_model("meta/8b", **LLAMA_8B_DIMS)
    other = make_model("meta/other", **LLAMA_8B_DIMS)
    h100 = make_accelerator("h100-sxm")
    benchmark_run_record(model=model, accelerator=h100, record=make_record(), source="vllm")
    benchmark_run_record(model=other, accelerator=h100, record=make_record(), source="vllm")
    runs = client.get("/api/models/meta/8b/benchmarks/").json()["results"]
    assert [r["model"] for r in runs] == ["meta/8b"]
    assert client.get("/api/models/no/such/benchmarks/").status_code == 404
