"""The per-process catalog cache of planner.selectors.plan_catalog_rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from planner.selectors import catalog_cache_clear
from planner.services import plan_run
from tests.planner.db import load_offers, make_hub_model, make_world, token_offer
from tests.planner.test_services import inputs

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_on(settings):
    catalog_cache_clear()
    settings.PLANNER_CATALOG_CACHE_SECONDS = 60
    yield
    catalog_cache_clear()


def _queries(fn) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        out = fn()
    return len(ctx.captured_queries), out


def test_cached_plan_equals_uncached_plan(settings, cache_on) -> None:
    make_world()
    chosen = inputs(modes=["api", "owned", "cloud"], owned="rtx-4090:1")
    cold_n, cold = _queries(lambda: plan_run(inputs=chosen))
    warm_n, warm = _queries(lambda: plan_run(inputs=chosen))
    settings.PLANNER_CATALOG_CACHE_SECONDS = 0
    off_n, off = _queries(lambda: plan_run(inputs=chosen))
    assert warm == cold == off
    # warm: 4 version aggregates instead of 4 catalog reads here (top ids with a quality
    # index, top ids without one, their rows, offers; every priced model is in the top, so
    # no read of the others) + the records built from them. The cold plan also reads the
    # offers' price rows and (the world's records state none) their summary columns; the
    # later plans find them kept (pricing.offer_pricing.pricing_for_offers)
    assert cold_n == off_n + 4 + 2
    assert warm_n == off_n


def test_catalog_change_is_seen_at_once(cache_on) -> None:
    make_world()
    chosen = inputs(modes=["api"])
    before = plan_run(inputs=chosen)
    assert plan_run(inputs=chosen) == before
    make_hub_model("more/fresh", quality=99)
    load_offers([token_offer("fireworks", "more/fresh", "0.01", "0.01", hub_repo_id="more/fresh")])
    after = plan_run(inputs=chosen)
    assert after.candidates == before.candidates + 1
    assert any(r.model_name.endswith("fresh") for r in after.rows)


def test_warm_query_count_does_not_grow_with_the_catalog(cache_on) -> None:
    make_world()
    chosen = inputs(modes=["api", "owned", "cloud"], owned="rtx-4090:1")
    plan_run(inputs=chosen)
    small, _ = _queries(lambda: plan_run(inputs=chosen))
    for i in range(30):
        make_hub_model(f"more/model-{i}", quality=20 + i)
    plan_run(inputs=chosen)
    large, _ = _queries(lambda: plan_run(inputs=chosen))
    assert small == large
