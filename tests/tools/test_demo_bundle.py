"""The demo snapshot's deploy-bundle plan (/plan/demochatbot/, scripts/snapshot_steps/plans.py)
validates with the tools themselves: its self-hosted row's sky.yaml with SkyPilot (offline,
against the catalog copies) and its API row's config.yaml with LiteLLM's proxy loader.
Opt-in like the other tool tests (ATLAS_TOOL_TESTS=1 or ATLAS_<NAME>_PYTHON)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from planner.deploy_service import plan_row_bundle
from planner.models import Plan
from scripts.snapshot_steps import plans
from tests.planner.db import make_world
from tests.tools import test_litellm_config as lite
from tests.tools import test_skypilot_schema as sky
from tests.tools.venvs import LITELLM_PROXY, SKYPILOT, run_tool, tool_python

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def _demo_bundles():
    make_world()
    plans.run(Path("/nonexistent"), lambda _: None)
    rows = Plan.objects.get(slug=plans.DEMO_DEPLOY).result["rows"]
    api_n = next(i for i, r in enumerate(rows, 1) if r["deployment"]["kind"] == "api")
    self_n = next(i for i, r in enumerate(rows, 1) if r["deployment"]["kind"] == "cloud")
    return (
        plan_row_bundle(slug=plans.DEMO_DEPLOY, n=api_n)[1],
        plan_row_bundle(slug=plans.DEMO_DEPLOY, n=self_n)[1],
    )


def test_demo_plans_sky_yaml_passes_skypilot() -> None:
    if not (sky.CATALOGS / "lambda" / "vms.csv").exists():
        pytest.skip(f"no SkyPilot catalog copies under {sky.CATALOGS}")
    python = tool_python("skypilot", SKYPILOT)
    _, selfhost = _demo_bundles()
    doc = yaml.safe_load(selfhost.file("sky.yaml").content)
    assert doc["resources"]["cloud"] == "lambda"
    payload = {"catalogs": str(sky.CATALOGS), "clouds": ["lambda"], "docs": [doc]}
    (result,) = run_tool(python, sky.CHECK_OFFLINE, payload)
    print("skypilot demo:", result)  # noqa: T201 - shown with -s, for the report
    assert result["ok"] is True, result
    assert result["service"] is True


def test_demo_plans_config_yaml_passes_litellms_loader() -> None:
    python = tool_python("litellm", LITELLM_PROXY)
    api, _ = _demo_bundles()
    (result,) = run_tool(python, lite.CHECK, [api.file("config.yaml").content], timeout_s=600)
    print("litellm demo:", result)  # noqa: T201 - shown with -s, for the report
    assert result["ok"] is True, result
