"""One cost function everywhere (issue 15 §3): for every offer of a small world loaded
through the real LiteLLM loader (tiers, cache writes, batch, priority rows, request
fees), `POST /api/estimate/cost/`, the model page, the provider page and the planner give
the same number for the same usage, and it is `pricing.costing.price_request`'s."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from catalog.models import Model
from pricing.costing import Usage, price_request
from pricing.models import Offer
from pricing.offer_pricing import offer_pricing_of
from pricing.services.feeds import feed_sync
from pricing.services.model_prices import REFERENCE_REQUESTS, REFERENCE_USAGE
from pricing.web_context import model_detail
from tests.pricing.builders import T0
from tests.web.builders import make_model

pytestmark = pytest.mark.django_db

ENTRIES = {
    "claude-sonnet-4-5": {
        "litellm_provider": "anthropic", "mode": "chat", "input_cost_per_token": 3e-06,
        "output_cost_per_token": 1.5e-05, "cache_read_input_token_cost": 3e-07,
        "cache_creation_input_token_cost": 3.75e-06,
        "cache_creation_input_token_cost_above_1hr": 6e-06,
        "input_cost_per_token_above_200k_tokens": 6e-06,
        "output_cost_per_token_above_200k_tokens": 2.25e-05,
        "cache_read_input_token_cost_above_200k_tokens": 6e-07,
        "input_cost_per_token_batches": 1.5e-06, "output_cost_per_token_batches": 7.5e-06,
    },
    "gpt-5": {
        "litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1.25e-06,
        "output_cost_per_token": 1e-05, "cache_read_input_token_cost": 1.25e-07,
        "input_cost_per_token_priority": 2.5e-06, "output_cost_per_token_priority": 2e-05,
        "input_cost_per_token_flex": 6.25e-07, "output_cost_per_token_flex": 5e-06,
    },
    "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo": {
        "litellm_provider": "together_ai", "mode": "chat",
        "input_cost_per_token": 8.8e-07, "output_cost_per_token": 8.8e-07,
    },
    "perplexity/sonar": {
        "litellm_provider": "perplexity", "mode": "chat", "input_cost_per_token": 1e-06,
        "output_cost_per_token": 1e-06, "input_cost_per_request": 0.005,
    },
    "deepseek-reasoner": {
        "litellm_provider": "deepseek", "mode": "chat", "input_cost_per_token": 5.5e-07,
        "output_cost_per_token": 2.19e-06, "cache_read_input_token_cost": 1.4e-07,
        "input_cost_per_token_cache_hit": 1.4e-07,
    },
}  # fmt: skip
USAGES = [
    REFERENCE_USAGE,
    Usage(input_tokens=250_000, cache_read_tokens=50_000, cache_write_tokens=10_000,
          cache_write_1h_tokens=5_000, output_tokens=2_000, reasoning_tokens=500),
    Usage(input_tokens=3_000, output_tokens=700, service_tier="priority"),
    Usage(input_tokens=3_000, output_tokens=700, batch=True),
]  # fmt: skip


@pytest.fixture
def world(tmp_path) -> list[Offer]:
    path = tmp_path / "litellm.json"
    path.write_text(json.dumps(ENTRIES))
    feed_sync(feed_slug="litellm", file=path, now=T0)
    for i, offer in enumerate(Offer.objects.filter(model__isnull=True)):
        offer.model = make_model(f"open/model-{i}")  # open models wait for a catalog link
        offer.save(update_fields=["model"])
    offers = list(Offer.objects.current().filter(model__isnull=False).select_related("model"))
    assert len(offers) == len(ENTRIES)
    return offers


def _estimate(client, model: Model, usage: Usage, requests: int) -> dict[int, Decimal]:
    body = {
        "model": model.repo_id, "requests_per_day": requests, "days": 1,
        "input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens,
        "batch_ok": usage.batch, "service_tier": usage.service_tier,
        **{f: str(getattr(usage, f)) for f in (
            "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens",
            "reasoning_tokens",
        )},
    }  # fmt: skip
    response = client.post("/api/estimate/cost/", body, content_type="application/json")
    assert response.status_code == 200, response.content
    return {r["offer_id"]: Decimal(r["monthly_usd_exact"]) for r in response.json()["api"]}


def test_estimate_and_pages_agree_with_the_one_function(client, world) -> None:
    for usage in USAGES:
        for offer in world:
            expected = price_request(usage, offer_pricing_of(offer), REFERENCE_REQUESTS).total
            got = _estimate(client, offer.model, usage, REFERENCE_REQUESTS)
            assert got[offer.id] == expected, (offer.model_name, usage)
    for offer in world:  # the pages show the reference usage
        expected = price_request(REFERENCE_USAGE, offer_pricing_of(offer), REFERENCE_REQUESTS).total
        groups = model_detail(model=offer.model)["offers"]
        page = {g.offer.id: g.offer.reference_usd for g in groups}
        assert page[offer.id] == expected
        response = client.get(f"/providers/{offer.provider.slug}/")
        shown = {g.offer.id: g.offer.reference_usd for g in response.context["page"].object_list}
        assert shown[offer.id] == expected


def test_tiers_cache_writes_and_fees_reach_the_endpoint(client, world) -> None:
    sonnet = next(o for o in world if o.model_name == "claude-sonnet-4-5")
    usage = USAGES[1]  # 250k input: above the 200k tier
    # 185,000 text × 6 + 50,000 read × 0.6 + 10,000 write × 3.75 + 5,000 1h write × 6
    # (no tier rows for writes) + 2,000 output × 22.5, per 1M; one request
    expected = (
        Decimal(185_000) * 6 + Decimal(50_000) * Decimal("0.6") + Decimal(10_000) * Decimal("3.75")
        + Decimal(5_000) * 6 + Decimal(2_000) * Decimal("22.5")
    ) / 10**6  # fmt: skip
    assert _estimate(client, sonnet.model, usage, 1)[sonnet.id] == expected
    sonar = next(o for o in world if o.model_name == "perplexity/sonar")
    # 750 × 1 + 250 × 1 per 1M + the $0.005 request fee
    fee = Decimal(1000) / 10**6 + Decimal("0.005")
    assert _estimate(client, sonar.model, REFERENCE_USAGE, 1)[sonar.id] == fee


def _api_offer(offer: Offer):
    from planner.records import ApiOffer

    def f(value):
        return None if value is None else float(value)

    return ApiOffer(
        offer.id, offer.model_id, offer.provider.slug,
        usd_per_mtok_input=f(offer.usd_per_mtok_input),
        usd_per_mtok_output=f(offer.usd_per_mtok_output),
        usd_per_mtok_cached_input=f(offer.usd_per_mtok_cache_read),
        usd_per_mtok_batch_input=f(offer.usd_per_mtok_batch_input),
        usd_per_mtok_batch_output=f(offer.usd_per_mtok_batch_output),
    )  # fmt: skip


def test_planner_agrees_with_the_estimate(client, world) -> None:
    """The planner's API cost is the one function's (its offers carry the summary prices:
    per-request fees are not among them yet, so the fee-priced offer is left out)."""
    from planner.engine.costs import monthly_api_cost
    from planner.records import Workload as PlanWorkload

    cases = [
        (REFERENCE_USAGE, PlanWorkload(task="text-generation", requests_per_month=1000,
                                       avg_input_tokens=750, avg_output_tokens=250)),
        (USAGES[3], PlanWorkload(task="text-generation", requests_per_month=1000,
                                 avg_input_tokens=3000, avg_output_tokens=700, batch_ok=True)),
    ]  # fmt: skip
    for usage, workload in cases:
        for offer in world:
            if offer.price_rows.filter(component="request").exists():
                continue
            got = monthly_api_cost(workload, _api_offer(offer)).monthly_usd
            expected = _estimate(client, offer.model, usage, 1000)[offer.id]
            assert got == pytest.approx(float(expected), rel=1e-12), offer.model_name
