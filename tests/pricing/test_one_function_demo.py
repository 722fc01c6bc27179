"""One cost function on every offer of the demo snapshot (issue 15 §3, "Done when").

For fixed usages (short requests; 250k-token requests above the long-context tiers with a
cached share; batch; one generated image; one minute of audio), every current offer of
data/demo_snapshot.json.gz gets the same number from

1. the planner: the offer as its selector reads it (`offer_table`: the offer's price
   rows), the rank's column costs, the shown rows' breakdown and the "no price" check;
2. `POST /api/estimate/cost/`: its service function (`api_cost_rows`) on every offer, in
   one query set, and the endpoint itself through the test client for a sample of models;
3. the model and provider pages: `reference_costs` (what both pages call) on every token
   offer, and a sample of rendered pages;

and that number is `price_request(usage, offer_pricing_of(offer), requests)` exactly (the
planner: float(exact USD per request) × requests, the engine's rule). An offer that does
not price a usage (`CostBreakdown.complete` false) is left out by all three.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings

from config.snapshot import snapshot_load
from planner.answers import inputs_from_answers
from planner.engine.checks import api_offer_missing_prices, api_usage
from planner.engine.costs import monthly_api_cost, monthly_api_usd_columns, requests_per_month
from planner.records import MODE_API
from planner.records import Workload as PlanWorkload
from planner.selectors.catalog import offer_table
from planner.services import plan_run
from pricing.api.serializers import CostEstimateIn
from pricing.cost_estimate import Workload, api_cost_rows
from pricing.costing import CostBreakdown, OfferPricing, Usage, price_request
from pricing.costing.floats import request_breakdown
from pricing.models import Offer
from pricing.offer_pricing import offer_pricing_of, reference_costs
from pricing.services.model_prices import REFERENCE_REQUESTS, REFERENCE_USAGE

pytestmark = pytest.mark.django_db

SNAPSHOT = Path(settings.SNAPSHOT_PATH)
REQUESTS = 1000  # per usage: 1,000 requests (the endpoint: 1,000 a day for 1 day)
SAMPLE_MODELS = 10  # models posted to the endpoint through the test client (2 usages)
SAMPLE_PAGES = 20  # model pages, and as many provider pages


@dataclass(frozen=True)
class Case:
    name: str
    usage: Usage  # one request
    body: dict  # the estimate endpoint's usage fields
    plan: dict = field(default_factory=dict)  # the planner Workload's fields


CASES = (
    Case("short", REFERENCE_USAGE, {"input_tokens": 750, "output_tokens": 250},
         {"avg_input_tokens": 750.0, "avg_output_tokens": 250.0}),
    # above every 200k / 128k long-context tier; a fifth of the input read from the cache
    Case("long, cached", Usage(input_tokens=250_000, output_tokens=2_000,
                               cache_read_tokens=50_000),
         {"input_tokens": 250_000, "output_tokens": 2_000, "cache_hit_share": "0.2"},
         {"avg_input_tokens": 250_000.0, "avg_output_tokens": 2_000.0,
          "cacheable_input_share": 0.2}),
    Case("batch", Usage(input_tokens=3_000, output_tokens=700, batch=True),
         {"input_tokens": 3_000, "output_tokens": 700, "batch_ok": True},
         {"avg_input_tokens": 3_000.0, "avg_output_tokens": 700.0, "batch_ok": True}),
    Case("one image", Usage(images=1), {"input_tokens": 0, "output_tokens": 0, "images": "1"},
         {"images_per_request": 1.0}),
    Case("one audio minute", Usage(audio_seconds=60),
         {"input_tokens": 0, "output_tokens": 0, "audio_seconds": "60"},
         {"audio_minutes_per_request": 1.0}),
)  # fmt: skip


def _estimate_workload(case: Case) -> Workload:
    """The endpoint's workload for the case's body, parsed as the endpoint parses it."""
    body = CostEstimateIn(data={"model": "x", "requests_per_day": REQUESTS, "days": 1, **case.body})
    assert body.is_valid(), body.errors
    values = dict(body.validated_data)
    values.pop("model")
    return Workload.from_values(values)


@pytest.fixture
def demo() -> dict[int, tuple[Offer, OfferPricing]]:
    if not SNAPSHOT.exists():
        pytest.skip(f"no demo snapshot at {SNAPSHOT}")
    snapshot_load(path=SNAPSHOT)
    offers = Offer.objects.current().select_related("provider", "model")
    found = {o.id: (o, offer_pricing_of(o)) for o in offers.prefetch_related("price_rows")}
    assert len(found) > 10_000  # the whole demo, not a slice of it
    return found


_EXPECTED: dict[tuple, dict[int, CostBreakdown]] = {}


def _expected(demo, usage: Usage, requests: int) -> dict[int, CostBreakdown]:
    """price_request on every demo offer (worked out once per usage in this test)."""
    key = (id(demo), usage, requests)
    if key not in _EXPECTED:
        _EXPECTED[key] = {i: price_request(usage, p, requests) for i, (_, p) in demo.items()}
    return _EXPECTED[key]


def test_planner_estimate_and_pages_agree_on_every_demo_offer(client, demo) -> None:
    """One test: the snapshot loads once (most of its time)."""
    try:
        _planner_and_estimate_service(demo)
        _estimate_endpoint_and_pages(client, demo)
        _demo_plan(demo)
    finally:
        _EXPECTED.clear()


def _planner_and_estimate_service(demo) -> None:
    # the planner reads offers of catalog models (a few demo offers wait for a link)
    table = offer_table(Offer.objects.current().filter(model__isnull=False))
    ids = table.id.tolist()
    records = list(table)  # ApiOffer records, as the shown rows and breakeven get them
    assert sorted(ids) == sorted(i for i, (o, _) in demo.items() if o.model_id)
    # the planner prices each offer on the offer's own price rows
    for i, pricing in zip(ids, table.pricing.tolist(), strict=True):
        assert pricing.components == demo[i][1].components, i
    priced = {}
    for case in CASES:
        expected = _expected(demo, case.usage, REQUESTS)
        complete = {i for i, cost in expected.items() if cost.complete}
        priced[case.name] = len(complete)
        # 2. the estimate's service function on every offer: the same offers, exact
        rows = api_cost_rows(Offer.objects.current(), _estimate_workload(case))
        got = {r["offer_id"]: Decimal(r["monthly_usd_exact"]) for r in rows}
        assert set(got) == complete, case.name
        wrong = [i for i in got if got[i] != expected[i].total]
        assert not wrong, (case.name, wrong[:10])
        # 1. the planner: the "no price" check leaves out the same offers ...
        workload = PlanWorkload(task="chat", requests_per_month=float(REQUESTS), **case.plan)
        left_out = {r.id for r in records if api_offer_missing_prices(workload, r)}
        assert left_out == set(ids) - complete, case.name
        complete &= set(ids)
        # ... and its per-request usage costs what the case's usage costs, exactly
        share = min(max(workload.cacheable_input_share, 0.0), 1.0)
        usage = api_usage(workload, share)
        at = np.array([k for k, i in enumerate(ids) if i in complete], dtype=np.int64)
        columns = monthly_api_usd_columns(workload, table, at, float(REQUESTS), share).tolist()
        for k, monthly in zip(at.tolist(), columns, strict=True):
            i = ids[k]
            one = request_breakdown(usage, table.pricing[k]).total
            assert one * REQUESTS == expected[i].total, (case.name, i)
            assert monthly == float(one) * REQUESTS  # the rank's figure
            assert monthly == pytest.approx(float(expected[i].total), rel=1e-12)
            assert monthly_api_cost(workload, records[k]).monthly_usd == monthly  # shown rows
    # every usage prices a good part of the demo (the checks above are not vacuous)
    assert priced["short"] > 9_000, priced
    assert priced["long, cached"] > 5_000, priced
    assert priced["one image"] > 100, priced
    assert priced["one audio minute"] > 50, priced


def _estimate_endpoint_and_pages(client, demo) -> None:
    """The endpoint itself (test client) for a sample of models, and the pages: every token
    offer through reference_costs (what the model and provider pages call), then a sample
    of rendered model and provider pages."""
    model_ids = sorted({o.model_id for o, _ in demo.values() if o.model_id})
    sample = model_ids[:: max(1, len(model_ids) // SAMPLE_MODELS)][:SAMPLE_MODELS]
    repo = {o.model_id: o.model.repo_id for o, _ in demo.values() if o.model_id}
    for case in CASES[:2]:
        expected = _expected(demo, case.usage, REQUESTS)
        for model_id in sample:
            body = {"model": repo[model_id], "requests_per_day": REQUESTS, "days": 1,
                    **case.body, "precision": "bf16"}  # fmt: skip
            response = client.post("/api/estimate/cost/", body, content_type="application/json")
            assert response.status_code == 200, response.content
            got = {r["offer_id"]: Decimal(r["monthly_usd_exact"]) for r in response.json()["api"]}
            mine = {
                i for i, (o, _) in demo.items() if o.model_id == model_id and expected[i].complete
            }
            assert set(got) == mine, (case.name, repo[model_id])
            assert all(got[i] == expected[i].total for i in got), (case.name, repo[model_id])
    reference = _expected(demo, REFERENCE_USAGE, REFERENCE_REQUESTS)
    offers = [o for o, _ in demo.values()]
    reference_costs(offers)
    for o in offers:
        if o.unit == "token":
            cost = reference[o.id]
            assert o.reference_usd == (cost.total if cost.complete else None), o.id
    checked = 0
    for model_id in model_ids[:: max(1, len(model_ids) // SAMPLE_PAGES)][:SAMPLE_PAGES]:
        response = client.get(f"/models/{repo[model_id]}/")
        assert response.status_code == 200, repo[model_id]
        for g in response.context.get("offers") or ():
            cost = reference[g.offer.id]
            assert g.offer.reference_usd == (cost.total if cost.complete else None)
            checked += 1
    slugs = sorted({o.provider.slug for o in offers})
    for slug in slugs[:: max(1, len(slugs) // SAMPLE_PAGES)][:SAMPLE_PAGES]:
        response = client.get(f"/providers/{slug}/")
        assert response.status_code == 200, slug
        for g in response.context["page"].object_list:
            if g.offer.unit == "token":
                cost = reference[g.offer.id]
                assert g.offer.reference_usd == (cost.total if cost.complete else None)
                checked += 1
    assert checked > 100


def _demo_plan(demo) -> None:
    """plan_run end to end on the demo: each API row's monthly USD is the one function's
    USD per request on the offer's rows × requests per month."""
    answers = {
        "task": "chat", "requests_per_day": "50000", "avg_input_tokens": "800",
        "avg_output_tokens": "300", "cacheable_input_share": "0.3", "peak_concurrency": "8",
        "budget_monthly_usd": "2000", "modes": ["api"],
    }  # fmt: skip
    plan = inputs_from_answers(answers).inputs
    result = plan_run(inputs=plan)
    rows = [r for r in (*result.rows, *result.pareto) if r.deployment.kind == MODE_API]
    assert rows, result.message
    usage = Usage(input_tokens=800, output_tokens=300, cache_read_tokens=240)
    r = requests_per_month(plan.workload, plan.assumptions)
    for row in rows:
        one = price_request(usage, demo[row.deployment.offer_id][1]).total
        assert row.monthly_usd == float(one) * r, row.deployment.offer_id
