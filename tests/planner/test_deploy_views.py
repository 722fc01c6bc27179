"""Deploy bundles of saved plan rows: the page, single files, the zip, the API and
`manage.py plan --deploy N`, built from the real planner world (tests/planner/db.py)."""

from __future__ import annotations

import io
import zipfile
from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command

from planner.answers import inputs_from_answers
from planner.deploy import flags
from planner.deploy.api_files import endpoint_for
from planner.services import plan_create
from tests.planner.db import make_world

pytestmark = pytest.mark.django_db
CLOUD_PLAN = {
    "task": "chat", "requests_per_day": "200000", "avg_input_tokens": "3000",
    "avg_output_tokens": "500", "peak_concurrency": "32", "budget_monthly_usd": "",
    "modes": ["api", "cloud"], "min_context_tokens": "8000",
}  # fmt: skip


def saved_plan(answers=CLOUD_PLAN):
    make_world()
    return plan_create(inputs=inputs_from_answers(answers).inputs)


def first(plan, kind: str) -> tuple[int, dict]:
    for n, row in enumerate(plan.result["rows"], start=1):
        if row["deployment"]["kind"] == kind:
            return n, row
    raise AssertionError(f"no {kind} row")


def test_cloud_row_bundle_carries_the_plans_gpus_context_and_precision(client) -> None:
    plan = saved_plan()
    n, row = first(plan, "cloud")
    d = row["deployment"]
    body = client.get(f"/api/plans/{plan.slug}/rows/{n}/deploy/").json()
    assert body["kind"] == "cloud"
    assert body["engine"] == "vllm"
    spec = flags.load_engine_flags("vllm")
    cmd = flags.parse_command(spec, body["command"])
    assert cmd.ok, cmd.problems
    assert cmd.positionals == [row["repo_id"]]
    assert int(flags.flag_value(spec, cmd, "-tp")) == d["count"]
    assert int(flags.flag_value(spec, cmd, "--max-model-len")) >= 8000  # the plan's context
    quant = {"bf16": None, "fp8": "fp8", "int8": "compressed-tensors", "int4-awq": "awq"}
    assert flags.flag_value(spec, cmd, "--quantization") == quant[d["precision"]]
    files = {f["name"]: f["content"] for f in body["files"]}
    assert set(files) == {"serve.sh", "sky.yaml", "compose.yaml"}
    task = yaml.safe_load(files["sky.yaml"])
    assert task["resources"]["accelerators"] == f"H100:{d['count']}"  # SkyPilot's name
    assert task["resources"]["cloud"] == d["cloud"]
    assert task["resources"]["region"] == d["region"]
    assert task["service"]["replicas"] == row["cost"]["instances"]


def test_api_row_bundle_names_the_provider_endpoint_and_model_id(client) -> None:
    plan = saved_plan()
    n, row = first(plan, "api")
    body = client.get(f"/api/plans/{plan.slug}/rows/{n}/deploy/").json()
    files = {f["name"]: f["content"] for f in body["files"]}
    entry = yaml.safe_load(files["config.yaml"])["model_list"][0]["litellm_params"]
    # LiteLLM's own prefix for the provider (reviewed list), not our provider slug
    prefix = endpoint_for(row["deployment"]["provider_slug"]).litellm_provider
    assert entry["model"] == f"{prefix}/{body['values']['provider_model_id']}"
    assert body["values"]["base_url"].startswith("https://api.")
    assert body["values"]["base_url"] in files["client.py"]
    assert f"model={body['values']['provider_model_id']!r}" in files["client.py"]


def test_page_lists_files_with_copy_and_download_and_the_zip_holds_them(client) -> None:
    plan = saved_plan()
    n, _ = first(plan, "cloud")
    page = client.get(f"/plan/{plan.slug}/rows/{n}/deploy/")
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("serve.sh", "sky.yaml", "compose.yaml"):
        assert f"/plan/{plan.slug}/rows/{n}/deploy/{name}" in html
    assert 'data-copy-target="file-1"' in html
    one = client.get(f"/plan/{plan.slug}/rows/{n}/deploy/sky.yaml")
    assert one.status_code == 200
    assert 'filename="sky.yaml"' in one["Content-Disposition"]
    assert "readiness_probe" in one.content.decode()
    archive = zipfile.ZipFile(
        io.BytesIO(client.get(f"/plan/{plan.slug}/rows/{n}/deploy/bundle.zip").content)
    )
    assert {p.rsplit("/", 1)[1] for p in archive.namelist()} >= {"serve.sh", "sky.yaml"}
    detail = client.get(f"/plan/{plan.slug}/").content.decode()
    assert f"/plan/{plan.slug}/rows/1/deploy/" in detail


@pytest.mark.parametrize(
    "url", ["/plan/{slug}/rows/0/deploy/", "/plan/{slug}/rows/999/deploy/",
            "/plan/{slug}/rows/1/deploy/nope.txt", "/api/plans/{slug}/rows/999/deploy/",
            "/plan/nosuchplan/rows/1/deploy/"],
)  # fmt: skip
def test_missing_rows_files_and_plans_are_404(client, url) -> None:
    plan = saved_plan()
    assert client.get(url.format(slug=plan.slug)).status_code == 404


def test_plan_command_prints_and_writes_a_rows_bundle(tmp_path) -> None:
    plan = saved_plan()
    n, _ = first(plan, "cloud")
    out = StringIO()
    call_command("plan", "--plan", plan.slug, "--deploy", str(n), stdout=out)
    text = out.getvalue()
    assert "===== serve.sh =====" in text
    assert "--tensor-parallel-size" in text
    call_command("plan", "--plan", plan.slug, "--deploy", str(n), "--deploy-dir",
                 str(tmp_path), stdout=StringIO())  # fmt: skip
    assert (tmp_path / "sky.yaml").exists()
    assert (tmp_path / "serve.sh").stat().st_mode & 0o111
    fresh = StringIO()  # an unsaved run: the same options as the table, plus --deploy
    call_command("plan", "--task", "chat", "--hardware", "api", "--deploy", "1", stdout=fresh)
    assert "===== config.yaml =====" in fresh.getvalue()
    with pytest.raises(CommandError, match="no row 999"):
        call_command("plan", "--plan", plan.slug, "--deploy", "999", stdout=StringIO())
