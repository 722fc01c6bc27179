"""Query counts of the pricing/benchmarks lists and of /api/models/ with each cross-app
filter: the same for 1 and 100 rows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from benchmarks.services import benchmark_run_record, model_requirements_refresh
from pricing.services.model_prices import model_prices_refresh
from quality.models import QualityIndex
from quality.services import quality_best_refresh
from tests.api.builders import make_model, make_models
from tests.api.pricing_builders import (
    make_accelerator,
    make_instance_prices,
    make_offers,
    make_provider,
)
from tests.benchmarks.builders import LLAMA_8B_DIMS, make_record

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def grow_offers(n: int, start: int) -> None:
    make_offers(make_model("a/m") if start == 0 else None, 1 if start == 0 else 0)
    for i in range(start, start + n):
        make_offers(None, 1, start=i)


def grow_models(n: int, start: int) -> None:
    """n priced, quality-scored models with requirement rows, all matching every filter."""
    make_accelerator("h100-sxm")
    models = make_models(n, start=start, num_layers=32, num_heads=32, num_kv_heads=8,
                         head_dim=128, hidden_size=4096)  # fmt: skip
    for model in models:
        make_offers(model, 1, provider="groq", price="1")
    QualityIndex.objects.bulk_create(
        QualityIndex(model=m, task="chat", value=70, computed_at=NOW) for m in models
    )
    model_requirements_refresh(model_ids=[m.id for m in models])
    model_prices_refresh()  # the derived columns, as the price and quality syncs leave them
    quality_best_refresh()


# (grow, url, queries)
LISTS = [
    (lambda n, s: [make_provider(f"p{i}") for i in range(s, s + n)], "/api/providers/", 2),
    (grow_offers, "/api/offers/", 1),
    (grow_offers, "/api/offers/?ordering=-input&provider=openai&unit=token&input_max=9", 1),
    (grow_offers, "/api/offers/?valid_at=2026-03-01", 1),
    (lambda n, s: make_instance_prices(n, start=s), "/api/instance-prices/", 2),
    (
        lambda n, s: make_instance_prices(n, start=s),
        "/api/instance-prices/?count=1&accelerator=h100-sxm&max_usd_per_hour=999",
        2,
    ),
    # models: 1 page query, +1 for `fits` (the accelerator's memory)
    (grow_models, "/api/models/?has_offers=true", 1),
    (grow_models, "/api/models/?provider=groq", 1),
    (grow_models, "/api/models/?price_min=0.5&price_max=5", 1),
    (grow_models, "/api/models/?ordering=cheapest", 1),
    (grow_models, "/api/models/?ordering=-quality", 1),
    (grow_models, "/api/models/?quality_min=50&quality_task=chat", 1),
    (grow_models, "/api/models/?fits=h100-sxm&fits_count=1&fits_precision=bf16", 2),
]


@pytest.mark.parametrize(("grow", "url", "queries"), LISTS)
def test_list_query_count_does_not_grow(client, django_assert_num_queries, grow, url, queries):
    grow(1, 0)
    sep = "&" if "?" in url else "?"
    with django_assert_num_queries(queries):
        assert client.get(f"{url}{sep}page_size=200").status_code == 200
    grow(99, 1)
    with django_assert_num_queries(queries):
        response = client.get(f"{url}{sep}page_size=200")
    assert len(response.json()["results"]) >= 100, url


def test_model_sublists_query_counts(client, django_assert_num_queries) -> None:
    one = make_model("a/one", **LLAMA_8B_DIMS)
    many = make_model("a/many", **LLAMA_8B_DIMS)
    h100 = make_accelerator("h100-sxm")
    make_offers(one, 1, history=True)
    make_offers(many, 100, history=True)
    for model, n in ((one, 1), (many, 30)):
        for i in range(n):
            benchmark_run_record(
                model=model, accelerator=h100, record=make_record(concurrency=i + 1),
                source="vllm",
            )  # fmt: skip
    # model id, then the page (+ COUNT for the page-number lists; the offers are grouped
    # in Python from one read, so no COUNT)
    for path, queries in (("offers/", 2), ("price-history/", 2), ("benchmarks/", 3)):
        with django_assert_num_queries(queries):
            assert client.get(f"/api/models/a/one/{path}").status_code == 200
        with django_assert_num_queries(queries):
            assert client.get(f"/api/models/a/many/{path}?page_size=200").status_code == 200
    # model, accelerators, the model's trusted runs, the calibration set's state (its
    # cached rebuild adds one query when the trusted runs change)
    client.get("/api/models/a/one/requirements/")
    for repo in ("a/one", "a/many"):
        with django_assert_num_queries(4):
            assert client.get(f"/api/models/{repo}/requirements/").status_code == 200
    make_accelerator("l4", memory_gib=24)
    with django_assert_num_queries(4):
        client.get("/api/models/a/many/requirements/")
