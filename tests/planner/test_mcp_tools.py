"""The MCP tools (planner.mcp.tools) give what the REST API gives: the same rows, the
same validation and the same error bodies (in-process, no SDK)."""

from __future__ import annotations

import pytest

from benchmarks.services import model_requirements_refresh
from planner.mcp import tools
from planner.models import Plan
from tests.planner.db import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict:
    models = make_world()
    model_requirements_refresh()
    return models


def failure(fn, **kwargs) -> tools.ToolFailure:
    with pytest.raises(tools.ToolFailure) as info:
        fn(**kwargs)
    return info.value


def test_search_models_filters_like_the_api(client, world) -> None:
    found = tools.search_models(query="llama", open_weights=True)
    assert {m["repo_id"] for m in found["models"]} == {
        world["small"].repo_id,
        world["large"].repo_id,
    }
    assert found["models"][0]["repo_id"] == world["small"].repo_id  # most downloaded first
    api = client.get("/api/models/?q=llama&open_weights=true").json()["results"]
    assert sorted(found["models"], key=lambda m: m["repo_id"]) == api


@pytest.mark.parametrize(
    ("kwargs", "query"),
    [
        ({"ordering": "sideways"}, "ordering=sideways"),
        ({"min_context_tokens": -5}, "min_context_tokens=-5"),
    ],
)
def test_search_models_refuses_what_the_api_refuses_with_its_body(client, world, kwargs, query):
    refused = failure(tools.search_models, **kwargs)
    response = client.get(f"/api/models/?{query}")
    assert (refused.status, refused.body) == (response.status_code, response.json())


def test_model_facts_is_the_api_detail(client, world) -> None:
    repo_id = world["large"].repo_id
    assert tools.model_facts(repo_id=repo_id) == client.get(f"/api/models/{repo_id}/").json()
    missing = failure(tools.model_facts, repo_id="no/such")
    assert (missing.status, missing.body) == (404, client.get("/api/models/no/such/").json())


def test_price_usage_is_the_cost_estimate(client, world) -> None:
    body = {"model": world["mini"].repo_id, "requests_per_day": 1000, "input_tokens": 500,
            "output_tokens": 200}  # fmt: skip
    api = client.post("/api/estimate/cost/", body, content_type="application/json").json()
    assert tools.price_usage(**body) == api
    assert api["api"][0]["monthly_usd"]
    bad = failure(tools.price_usage, **{**body, "input_tokens": -1})
    response = client.post(
        "/api/estimate/cost/", {**body, "input_tokens": -1}, content_type="application/json"
    )
    assert (bad.status, bad.body) == (400, response.json())


def test_plan_saves_a_plan_and_refuses_bad_answers_like_the_api(client, world) -> None:
    result = tools.plan(task="chat", requests_per_day=1000, avg_input_tokens=500,
                        avg_output_tokens=200, modes=["api"])  # fmt: skip
    assert Plan.objects.filter(slug=result["slug"]).exists()
    assert result["url"] == f"/plan/{result['slug']}/"
    assert result["rows"][0]["deployment"]["kind"] == "api"
    bad = failure(tools.plan, task="chat", modes=["teleport"])
    response = client.post(
        "/api/plans/", {"task": "chat", "modes": ["teleport"]}, content_type="application/json"
    )
    assert response.status_code == 400
    assert (bad.status, bad.body) == (400, response.json())


def test_what_runs_on_reads_the_requirement_rows(client, world) -> None:
    fits = tools.what_runs_on(accelerator="h100-sxm", count=1, precision="bf16")
    repo_ids = [m["repo_id"] for m in fits["models"]]
    assert world["small"].repo_id in repo_ids  # 8B in bf16 fits one 80 GB H100
    assert world["large"].repo_id not in repo_ids  # 70B in bf16 does not
    api = client.get("/api/models/?fits=h100-sxm&fits_count=1&fits_precision=bf16").json()
    assert sorted(repo_ids) == sorted(m["repo_id"] for m in api["results"])
    unknown = failure(tools.what_runs_on, accelerator="warp-drive")
    response = client.get("/api/models/?fits=warp-drive")
    assert (unknown.status, unknown.body) == (response.status_code, response.json())


def test_the_command_says_how_to_install_the_sdk_when_it_is_missing(monkeypatch) -> None:
    import sys

    from django.core.management import CommandError, call_command

    # as if the extra were not installed: every mcp module (some may be imported already)
    for name in [n for n in sys.modules if n == "mcp" or n.startswith("mcp.")] or ["mcp"]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "mcp", None)
    monkeypatch.delitem(sys.modules, "planner.mcp.server", raising=False)
    with pytest.raises(CommandError, match=r"pip install -e '\.\[mcp\]'"):
        call_command("mcp")
