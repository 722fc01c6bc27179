"""A SkyPilot task YAML of the shape the deploy bundles will write, checked by SkyPilot's
own task schema and Task.from_yaml_config in an isolated venv (tests/tools/venvs.py).
Opt-in: ATLAS_TOOL_TESTS=1 (builds the venv once, ~3 min) or ATLAS_SKYPILOT_PYTHON."""

from __future__ import annotations

import pytest
import yaml

from tests.tools.venvs import ROOT, SKYPILOT, run_tool, tool_python

CHECK = """
import json, sys
from sky import Task
from sky.utils import common_utils, schemas
problems = []
for doc in json.load(sys.stdin):
    try:
        common_utils.validate_schema(doc, schemas.get_task_schema(), "Invalid task YAML: ")
        task = Task.from_yaml_config(doc)
        problems.append({"ok": True, "accelerators": str(task.resources),
                         "service": task.service is not None})
    except Exception as exc:  # the tool's own message is what we want
        problems.append({"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]})
print(json.dumps(problems))
"""

TASK = """
name: atlas-llama-3-1-70b
resources:
  accelerators: H100:4
  cloud: lambda
  region: us-east-1
  use_spot: false
  ports: 8000
run: |
  vllm serve meta-llama/Llama-3.1-70B-Instruct -tp 4 --max-model-len 32768 --port 8000
service:
  readiness_probe: /v1/models
  replicas: 1
"""


@pytest.mark.slow
def test_skypilot_accepts_a_bundle_task_and_names_a_broken_one() -> None:
    python = tool_python("skypilot", SKYPILOT)
    good = yaml.safe_load(TASK)
    broken = {**good, "resourcez": good["resources"]}
    del broken["resources"]
    ok, bad = run_tool(python, CHECK, [good, broken])
    assert ok["ok"] is True, ok
    assert "H100" in ok["accelerators"]
    assert ok["service"] is True
    assert bad["ok"] is False
    assert "did you mean 'resources'" in bad["error"]


# SkyPilot checks a task's cloud, region, instance type and accelerators against its catalog,
# which it downloads on first use: the check runs offline against the catalog copies in
# ../shared/hardware/skypilot-catalog (lambda, gcp, ...), under a throwaway HOME.
CHECK_OFFLINE = """
import json, os, shutil, sys, tempfile
payload = json.load(sys.stdin)
home = tempfile.mkdtemp(prefix="sky-home-")
os.environ["HOME"] = os.environ["SKY_RUNTIME_DIR"] = home
for cloud in payload["clouds"]:
    dst = os.path.join(home, ".sky", "catalogs", "v8", cloud)
    os.makedirs(dst, exist_ok=True)
    shutil.copy(os.path.join(payload["catalogs"], cloud, "vms.csv"), os.path.join(dst, "vms.csv"))
from sky import Task
from sky.utils import common_utils, schemas
out = []
for doc in payload["docs"]:
    try:
        common_utils.validate_schema(doc, schemas.get_task_schema(), "Invalid task YAML: ")
        task = Task.from_yaml_config(doc)
        out.append({"ok": True, "resources": str(task.resources),
                    "service": task.service is not None})
    except Exception as exc:
        out.append({"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]})
shutil.rmtree(home, ignore_errors=True)
print(json.dumps(out))
"""
CATALOGS = ROOT.parent / "shared" / "hardware" / "skypilot-catalog"


@pytest.mark.slow
def test_skypilot_accepts_the_generated_bundle_tasks() -> None:
    """The deploy bundles' own sky.yaml (planner/deploy): a Lambda instance on demand, GCP
    attached GPUs on spot, owned hardware through an SSH node pool; an instance type the
    cloud's catalog does not list, and a misspelt cloud, fail with SkyPilot's messages."""
    from dataclasses import replace

    from planner.deploy.bundle import build_bundle
    from tests.planner.test_deploy_bundles import CLOUD, OWNED

    if not (CATALOGS / "lambda" / "vms.csv").exists():
        pytest.skip(f"no SkyPilot catalog copies under {CATALOGS}")
    lam = replace(CLOUD, cloud="lambda", region="us-east-1", instance="gpu_1x_h100_pcie", count=1)
    targets = [
        lam,
        replace(CLOUD, cloud="gcp", region="us-central1", instance="gpu-attached",
                skypilot_accelerator="L4", count=1, spot=True),
        OWNED,
        replace(lam, instance="gpu_9x_imaginary"),  # not in Lambda's catalog
        replace(lam, cloud="lamda"),  # not a SkyPilot cloud
    ]  # fmt: skip
    docs = [yaml.safe_load(build_bundle(t).file("sky.yaml").content) for t in targets]
    python = tool_python("skypilot", SKYPILOT)
    payload = {"catalogs": str(CATALOGS), "clouds": ["lambda", "gcp"], "docs": docs}
    results = run_tool(python, CHECK_OFFLINE, payload)
    print("skypilot:", results)  # noqa: T201 - shown with -s, for the report
    good, spot, owned, no_instance, no_cloud = results
    assert good["ok"] is True, good
    assert "Lambda(gpu_1x_h100_pcie" in good["resources"]
    assert good["service"] is True
    assert spot["ok"] is True, spot
    assert "[Spot]" in spot["resources"]
    assert owned["ok"] is True, owned
    assert owned["resources"].startswith("{SSH(")
    assert no_instance["ok"] is False
    assert no_instance["error"] == "ValueError: No instance type gpu_9x_imaginary found."
    assert no_cloud["ok"] is False
    assert "'lamda' is not one of" in no_cloud["error"]
