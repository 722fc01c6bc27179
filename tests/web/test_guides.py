"""The knowledge guides quote the catalog: every figure is computed from the rows (built
with the real loaders in tests/web/world.py), and each guide runs a bounded number of
queries that does not grow with the catalog."""

from __future__ import annotations

import html as html_lib
from decimal import Decimal

import pytest

from benchmarks.guide_context import local_devices, local_fits
from catalog.formatting import gib_text
from catalog.models import Model
from pricing.guide_context import unit_summary
from tests.web.builders import make_model, make_models, make_offer, make_provider
from tests.web.world import make_site_world

pytestmark = pytest.mark.django_db

SMALL = "meta-llama/Llama-3.1-8B-Instruct"


@pytest.fixture
def world():
    return make_site_world()


def _page(client, slug: str) -> str:
    response = client.get(f"/guides/{slug}/" if slug else "/guides/")
    assert response.status_code == 200
    return html_lib.unescape(response.content.decode())


def test_guide_index_lists_the_knowledge_guides_first(client) -> None:
    html = _page(client, "")
    order = [html.index(f'href="/guides/{s}/"') for s in ("pricing", "running-locally", "licences")]
    assert order == sorted(order)
    assert 'href="/guides/faq/"' in html


def test_running_locally_names_the_engines_and_fits_models_with_the_estimator(
    client, world
) -> None:
    html = _page(client, "running-locally")
    for engine in ("llama.cpp", "Ollama", "LM Studio", "MLX", "vLLM"):
        assert engine in html
    fit = next(f for f in local_fits(devices=local_devices()) if f.model.repo_id == SMALL)
    assert fit.device is not None
    row = html[html.index(f'href="/models/{SMALL}/"') :].split("</tr>")[0]
    assert gib_text(fit.quantized_gib) in row  # the estimator's number, not a typed one
    assert gib_text(fit.full_gib) in row
    assert f'href="/accelerators/{fit.device.slug}/"' in row
    assert fit.quantized_gib < fit.full_gib / 2.5  # 4-bit GGUF is far smaller than BF16
    assert 'href="/accelerators/rtx-4090/"' in html  # "what runs on my GPU" for local devices
    assert "vllm 1" in html  # measured runs per engine (the world's one run)


def test_access_guide_summarises_live_prices_per_unit(client, world) -> None:
    html = _page(client, "pricing")
    # token offers: 0.06 (DeepInfra), 0.15, 0.20, 0.90 and a $0 free tier; median of paid = 0.20
    assert "5 offers from 4 providers; cheapest $0.06, median $0.20 per 1M input tokens" in html
    assert "1 at $0 (free tiers" in html
    assert "no current offer" in html  # no image offers in this world
    assert "4 instance prices from 3 clouds" in html
    assert f'href="/models/{SMALL}/">{SMALL}</a> on' in html  # cheapest paid token offer
    assert 'href="/accelerators/h100-sxm/"' in html


def test_unit_summary_median_and_cheapest_ignore_free_offers() -> None:
    provider = make_provider("imgs")
    for i, price in enumerate(["0", "0.04", "0.01", "0.02"]):
        make_offer(make_model(f"acme/img-{i}"), provider, price, unit="image", usd_per_image=price)
    summary = unit_summary(unit="image", field="usd_per_image", label="per image")
    assert (summary.offers, summary.providers, summary.free) == (4, 1, 1)
    assert summary.cheapest == Decimal("0.01")
    assert summary.median == Decimal("0.02")  # paid 0.01, 0.02, 0.04


def test_licence_guide_counts_licences_and_links_the_catalog_filter(client, world) -> None:
    make_model("acme/free-model", license="apache-2.0")
    make_model("acme/nc-model", license="cc-by-nc-4.0", gated=True)
    html = _page(client, "licences")
    open_models = Model.objects.filter(open_weights=True).count()
    assert f"<strong>{open_models:,}</strong> publish their weights" in html
    row = html[html.index('href="/models/?license=llama3.1"') :].split("</tr>")[0]
    assert ">2</td>" in row  # the world's two Llama models
    assert "Open weights, use policy" in row
    nc = html[html.index('href="/models/?license=cc-by-nc-4.0"') :].split("</tr>")[0]
    assert "not allowed" in nc
    assert 'href="/models/?gated=true">1 models</a>' in html


def test_faq_quotes_feed_freshness_unknown_facts_and_measured_runs(client, world) -> None:
    html = _page(client, "faq")
    assert "API pricing: last successful update 2026-06-01" in html
    known = Model.objects.filter(params_total__isnull=False).count()
    assert f"{known:,} of {Model.objects.count():,} models have a known parameter count" in html
    assert "holds 1 measured benchmark runs" in html


GUIDE_QUERIES = {
    # aside models, catalog counts; benchmarks: devices, fits, runs per engine;
    # pricing: cheapest hour of the local devices
    "running-locally": 6,
    # aside models, catalog counts; pricing: token (2), image (1: no paid offer), audio (1),
    # cheapest token offer, GPU rentals, cheapest hours, providers per kind
    "pricing": 10,
    # aside models, catalog counts, licence rows
    "licences": 3,
    # aside models, catalog counts, feed freshness; newest price; benchmark counts;
    # quality: leaderboards, indexed models
    "faq": 7,
}


@pytest.mark.parametrize(("slug", "queries"), GUIDE_QUERIES.items())
def test_guide_query_count_does_not_grow_with_the_catalog(
    client, django_assert_num_queries, world, slug, queries
) -> None:
    with django_assert_num_queries(queries):
        client.get(f"/guides/{slug}/")
    provider = make_provider("bulk")
    for i, m in enumerate(make_models(12, license="mit")):
        make_offer(m, provider, f"0.{i + 1}")
    with django_assert_num_queries(queries):
        client.get(f"/guides/{slug}/")
