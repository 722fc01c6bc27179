"""The demo snapshot's plans step writes three shareable plans, and re-runs replace them."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.models import Plan
from scripts.snapshot_steps import plans
from tests.planner.db import make_world

pytestmark = pytest.mark.django_db


def test_plans_step_writes_the_sample_plans_with_fixed_slugs(client) -> None:
    make_world()
    lines: list[str] = []
    plans.run(Path("/nonexistent"), lines.append)
    plans.run(Path("/nonexistent"), lines.append)
    assert sorted(Plan.objects.values_list("slug", flat=True)) == [
        "demo4090", "demochat", "demochatbot", "democode",
    ]  # fmt: skip
    assert len(lines) == 12  # per run: 4 plans + the demo's 2 checked bundles
    owned = Plan.objects.get(slug="demo4090").result["rows"][0]["deployment"]
    assert (owned["kind"], owned["accelerator_slug"]) == ("owned", "rtx-4090")
    for slug in [*plans.SAMPLES, plans.DEMO_DEPLOY]:
        assert client.get(f"/plan/{slug}/").status_code == 200


def test_demo_plan_is_pinned_and_its_bundles_validate(client) -> None:
    make_world()
    lines: list[str] = []
    plans.run(Path("/nonexistent"), lines.append)
    demo = Plan.objects.get(slug="demochatbot")
    assert demo.inputs["constraints"]["focus_repo_id"] == "meta-llama/Llama-3.1-8B-Instruct"
    assert demo.result["seats"]["seats"] == 40
    checked = [line for line in lines if "/deploy/:" in line]
    assert len(checked) == 2
    assert "config.yaml, client.py ok" in checked[0]
    assert "serve.sh, sky.yaml, compose.yaml ok" in checked[1]
    api_n = checked[0].split("/rows/")[1].split("/")[0]
    self_n = checked[1].split("/rows/")[1].split("/")[0]
    assert client.get(f"/plan/demochatbot/rows/{api_n}/deploy/").status_code == 200
    body = client.get(f"/api/plans/demochatbot/rows/{self_n}/deploy/").json()
    assert body["kind"] == "cloud"
    assert body["engine"] == "vllm"
