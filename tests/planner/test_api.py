"""POST /api/plans/ and GET /api/plans/{slug}/."""

from __future__ import annotations

import pytest

from planner.models import Plan
from tests.planner.db import make_world

pytestmark = pytest.mark.django_db

BODY = {
    "task": "chat", "requests_per_day": 10000, "avg_input_tokens": 800, "avg_output_tokens": 300,
    "budget_monthly_usd": 1000, "modes": ["api", "owned", "cloud"],
    "owned": [{"accelerator": "rtx-4090", "count": 1}],
}  # fmt: skip


def test_anonymous_post_ranks_and_saves_a_plan(client) -> None:
    world = make_world()
    response = client.post("/api/plans/", BODY, content_type="application/json")
    assert response.status_code == 201, response.json()
    body = response.json()
    plan = Plan.objects.get(slug=body["slug"])
    assert body["url"] == f"/plan/{plan.slug}/"
    assert body["rows"][0]["model_id"] == world["mini"].id
    assert body["rows"][0]["deployment"]["kind"] == "api"
    assert body["rows"][0]["cost"]["monthly_usd"] == pytest.approx(90.0)
    assert any(r["deployment"]["kind"] == "owned" for r in body["rows"])
    assert body["inputs"]["hardware"]["owned"] == [["rtx-4090", 1]]


def test_get_returns_the_saved_ranked_rows(client) -> None:
    make_world()
    slug = client.post("/api/plans/", BODY, content_type="application/json").json()["slug"]
    response = client.get(f"/api/plans/{slug}/")
    assert response.status_code == 200
    body = response.json()
    assert body["slug"] == slug
    assert [r["rank"] for r in body["rows"]] == list(range(1, len(body["rows"]) + 1))
    assert body["message"].startswith(f"{body['within_budget']} of {body['candidates']}")


def test_invalid_body_gives_400_with_the_field_messages(client) -> None:
    response = client.post(
        "/api/plans/",
        {"task": "chat", "requests_per_day": -1, "cacheable_input_share": 3},
        content_type="application/json",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"requests_per_day", "cacheable_input_share"}


def test_inputs_the_engine_rejects_give_400_with_flat_field_names(client) -> None:
    make_world()
    body = {"task": "chat", "requests_per_day": 0, "modes": ["owned"], "owned": []}
    response = client.post("/api/plans/", body, content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {
        "requests_per_day": "Enter requests per day.",
        "owned": "List the accelerators you own, or allow the API or the cloud.",
    }


def test_unknown_accelerator_is_a_field_error(client) -> None:
    make_world()
    body = {**BODY, "owned": [{"accelerator": "no-such-gpu", "count": 2}]}
    response = client.post("/api/plans/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"owned": "Unknown accelerator: no-such-gpu."}


def test_unknown_plan_is_404(client) -> None:
    response = client.get("/api/plans/nosuchplan/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_catalog_task_slugs_are_accepted_as_planner_tasks(client) -> None:
    make_world()
    body = {"task": "text-generation", "requests_per_day": 1000}
    response = client.post("/api/plans/", body, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["inputs"]["workload"]["task"] == "chat"
