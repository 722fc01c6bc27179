"""Re-price a saved plan: the pure diff of two results, the service on the real engine,
the page and the API."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from planner.records import Deployment, PlanInputs, Workload
from planner.reprice import diff_results
from planner.reprice_service import plan_reprice
from planner.services import plan_create, plan_run
from pricing.services.offers import offers_load
from tests.planner.builders import make_model, make_offer, make_workload
from tests.planner.db import NOW, _feed, make_world, token_offer

INPUTS = PlanInputs(
    workload=Workload(
        task="chat", requests_per_day=1000, avg_input_tokens=500, avg_output_tokens=200
    )
)


def _result(offers):
    from planner.engine import rank
    from planner.records import Budget, Constraints, HardwareChoice

    models = [make_model(1, name="A"), make_model(2, name="B")]
    return rank(make_workload(), Budget(), HardwareChoice(modes=("api",)), Constraints(),
                models, offers, [])  # fmt: skip


def test_the_same_result_is_unchanged_row_for_row() -> None:
    result = _result([make_offer(10, 1), make_offer(20, 2, usd_per_mtok_input=5.0)])
    diff = diff_results(result, result)
    assert (diff.changed, diff.added, diff.removed) == (0, 0, 0)
    assert diff.unchanged == len(result.rows)
    assert not diff.top_changed
    assert diff.summary.startswith("Nothing changed")


def test_a_cheaper_price_changes_cost_and_rank_and_a_new_offer_id_is_the_same_row() -> None:
    saved = _result([make_offer(10, 1, usd_per_mtok_input=1.0), make_offer(20, 2)])
    # model 2's offer is re-priced (new row id 21) far below model 1
    fresh = _result(
        [
            make_offer(10, 1, usd_per_mtok_input=1.0),
            make_offer(
                21,
                2,
                provider_slug="provider-20",
                usd_per_mtok_input=0.01,
                usd_per_mtok_output=0.01,
            ),
        ]
    )
    diff = diff_results(saved, fresh)
    by_model = {r.model_name: r for r in diff.rows}
    assert diff.added == diff.removed == 0
    assert by_model["B"].status == "changed"
    assert by_model["B"].new_monthly_usd < by_model["B"].old_monthly_usd
    assert by_model["B"].delta_usd == pytest.approx(
        by_model["B"].new_monthly_usd - by_model["B"].old_monthly_usd
    )
    assert by_model["B"].direction == "−"


def test_rows_that_appear_or_leave_are_added_or_removed() -> None:
    saved = _result([make_offer(10, 1)])
    fresh = _result([make_offer(20, 2)])
    diff = diff_results(saved, fresh)
    assert [(r.model_name, r.status) for r in diff.rows] == [("B", "added"), ("A", "removed")]
    assert diff.top_changed
    assert "The best option is now B" in diff.summary


def test_a_different_engine_version_is_said() -> None:
    result = _result([make_offer(10, 1)])
    old = dataclasses.replace(result, engine_version="1")
    assert "saved by engine 1" in diff_results(old, result).summary


def test_row_identity_ignores_the_label_text_but_not_the_place() -> None:
    result = _result([make_offer(10, 1)])
    row = result.rows[0]
    moved = dataclasses.replace(
        row, deployment=dataclasses.replace(row.deployment, provider_slug="elsewhere")
    )
    other = dataclasses.replace(result, rows=(moved,))
    assert diff_results(result, other).added == 1
    assert isinstance(row.deployment, Deployment)


@pytest.mark.django_db
def test_reprice_reruns_the_saved_inputs_on_todays_prices() -> None:
    make_world()
    plan = plan_create(inputs=INPUTS)
    assert plan_reprice(slug=plan.slug).diff.changed == 0
    offers_load(
        feed=_feed("litellm"),
        records=[token_offer("openai", "gpt-4o-mini", "0.01", "0.02", organization_hint="openai")],
        now=NOW + timedelta(days=1), close_missing=False,
    )  # fmt: skip
    result = plan_reprice(slug=plan.slug)
    mini = next(r for r in result.diff.rows if r.model_name.startswith("gpt-4o-mini"))
    assert mini.status == "changed"
    assert mini.new_monthly_usd < mini.old_monthly_usd
    assert result.fresh.rows == plan_run(inputs=INPUTS).rows  # the same engine run


@pytest.mark.django_db
def test_the_reprice_page_and_api_show_the_diff(client) -> None:
    make_world()
    plan = plan_create(inputs=INPUTS)
    page = client.get(f"/plan/{plan.slug}/reprice/")
    assert page.status_code == 200
    assert "Nothing changed" in page.content.decode()
    assert f"/plan/{plan.slug}/reprice/" in client.get(f"/plan/{plan.slug}/").content.decode()
    body = client.get(f"/api/plans/{plan.slug}/reprice/").json()
    assert body["slug"] == plan.slug
    assert body["unchanged"] == len(body["rows"]) > 0
    missing = client.get("/api/plans/nosuchplan/reprice/")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
