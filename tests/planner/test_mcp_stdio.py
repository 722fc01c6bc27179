"""`manage.py mcp` driven through the official SDK's own client: a stdio client spawns the
server, lists the five tools and calls each, including refusals.

The server runs in its own process, so it reads a database of its own: a temporary
SQLite file migrated and filled with the planner's small world (the real loaders) by a
subprocess. Skipped when the `mcp` extra is not installed.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

pytest.importorskip("mcp")

from mcp import Client
from mcp.client.stdio import StdioServerParameters

ROOT = Path(__file__).resolve().parents[2]
SEED = """
import django
django.setup()
from benchmarks.services import model_requirements_refresh
from tests.planner.db import make_world
make_world()
model_requirements_refresh()
"""


@pytest.fixture(scope="module")
def server_env(tmp_path_factory, _empty_hub) -> dict[str, str]:
    db = tmp_path_factory.mktemp("mcp") / "atlas.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "ATLAS_TESTING": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
        "HF_ENDPOINT": _empty_hub.base_url,  # a Hub with no models, never the internet
    }
    env.pop("CELERY_BROKER_URL", None)
    for args in (["manage.py", "migrate", "--noinput", "-v0"], ["-c", SEED]):
        subprocess.run([sys.executable, *args], cwd=ROOT, env=env, check=True, timeout=300)
    return {k: env[k] for k in ("DATABASE_URL", "ATLAS_TESTING", "PYTHONPATH", "HF_ENDPOINT")}


def _text(result) -> str:
    return "".join(getattr(c, "text", "") for c in result.content)


async def _session(env: dict[str, str]) -> dict:
    params = StdioServerParameters(
        command=sys.executable, args=["manage.py", "mcp"], cwd=str(ROOT), env=env
    )
    out: dict = {}
    async with Client(params, read_timeout_seconds=120) as client:
        listed = await client.list_tools()
        out["tools"] = {t.name: t.input_schema for t in listed.tools}
        calls = {
            "search": ("search_models", {"query": "llama", "open_weights": True}),
            "facts": ("model_facts", {"repo_id": "meta-llama/Llama-3.1-8B-Instruct"}),
            "price": ("price_usage", {"model": "meta-llama/Llama-3.1-8B-Instruct",
                                      "requests_per_day": 1000, "input_tokens": 500,
                                      "output_tokens": 200}),
            "plan": ("plan", {"task": "chat", "requests_per_day": 1000, "modes": ["api"]}),
            "fits": ("what_runs_on", {"accelerator": "h100-sxm"}),
            "bad_ordering": ("search_models", {"ordering": "sideways"}),
            "no_model": ("model_facts", {"repo_id": "no/such"}),
            "bad_plan": ("plan", {"task": "chat", "modes": ["teleport"]}),
            "bad_type": ("price_usage", {"model": "x", "requests_per_day": "many",
                                         "input_tokens": 1, "output_tokens": 1}),
        }  # fmt: skip
        for key, (name, arguments) in calls.items():
            result = await client.call_tool(name, arguments)
            out[key] = (result.is_error, _text(result))
    return out


def _in_own_loop(env: dict[str, str]) -> dict:
    """Run the client session on a thread of its own: another test on this worker (the
    Playwright browser tests) may keep an event loop running on the main thread."""
    box: dict = {}

    def target() -> None:
        try:
            box["out"] = asyncio.run(_session(env))
        except BaseException as exc:  # re-raised on the test's thread
            box["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=600)
    if "error" in box:
        raise box["error"]
    return box["out"]


@pytest.mark.slow
def test_the_sdk_client_drives_every_tool_over_stdio(server_env) -> None:
    out = _in_own_loop(server_env)
    assert set(out["tools"]) == {
        "search_models", "model_facts", "price_usage", "plan", "what_runs_on"
    }  # fmt: skip
    schema = out["tools"]["price_usage"]
    assert schema["properties"]["requests_per_day"]["type"] == "integer"
    assert set(schema["required"]) == {"model", "requests_per_day", "input_tokens",
                                       "output_tokens"}  # fmt: skip
    for key in ("search", "facts", "price", "plan", "fits"):
        assert out[key][0] is False, out[key]
    found = json.loads(out["search"][1])
    assert {m["repo_id"] for m in found["models"]} >= {"meta-llama/Llama-3.1-8B-Instruct"}
    assert json.loads(out["facts"][1])["params_total"] == 8_030_261_248
    assert json.loads(out["price"][1])["api"][0]["provider"] == "together"
    assert json.loads(out["plan"][1])["url"].startswith("/plan/")
    fits = [m["repo_id"] for m in json.loads(out["fits"][1])["models"]]
    assert "meta-llama/Llama-3.1-8B-Instruct" in fits
    # refusals carry the API's error body and status
    for key, status, code in (("bad_ordering", 400, "invalid"), ("no_model", 404, "not_found"),
                              ("bad_plan", 400, "invalid")):  # fmt: skip
        is_error, text = out[key]
        assert is_error is True
        body = json.loads(text[text.index("{") :])
        assert (body["status"], body["error"]["code"]) == (status, code)
    assert out["bad_ordering"][1].count("sideways") == 1
    assert out["bad_type"][0] is True  # typed inputs: the SDK refuses a non-integer
