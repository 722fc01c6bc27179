"""A LiteLLM proxy config.yaml of the shape the deploy bundles will write (API rows), loaded
by LiteLLM's own proxy loader (ProxyConfig.get_config) and Router in an isolated venv.
Opt-in: ATLAS_TOOL_TESTS=1 (builds the venv once, ~3 min) or ATLAS_LITELLM_PYTHON."""

from __future__ import annotations

import pytest

from tests.tools.venvs import LITELLM_PROXY, run_tool, tool_python

CHECK = """
import asyncio, json, os, sys, tempfile
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"  # no network at import
for key in ("TOGETHER_API_KEY", "NEBIUS_API_KEY"):
    os.environ.setdefault(key, "placeholder")
from litellm import Router
from litellm.proxy.proxy_server import ProxyConfig
results = []
for text in json.load(sys.stdin):
    path = tempfile.mktemp(suffix=".yaml")
    with open(path, "w") as fh:
        fh.write(text)
    try:
        config = asyncio.run(ProxyConfig().get_config(config_file_path=path))
        router = Router(model_list=config["model_list"])
        results.append({"ok": True, "models": router.get_model_names()})
    except Exception as exc:
        results.append({"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]})
print(json.dumps(results), flush=True)
os._exit(0)  # LiteLLM's background workers can hold the interpreter open at exit
"""

CONFIG = """
model_list:
  - model_name: atlas-llama-3-1-8b
    litellm_params:
      model: together_ai/meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo
      api_base: https://api.together.xyz/v1
      api_key: os.environ/TOGETHER_API_KEY
litellm_settings:
  drop_params: true
"""
BROKEN = """
model_list:
  - model_name: atlas-llama-3-1-8b
    litellm_params:
      api_base: https://api.together.xyz/v1
"""


@pytest.mark.slow
def test_litellm_loads_a_bundle_config_and_names_a_broken_one() -> None:
    python = tool_python("litellm", LITELLM_PROXY)
    ok, bad = run_tool(python, CHECK, [CONFIG, BROKEN], timeout_s=600)
    assert ok == {"ok": True, "models": ["atlas-llama-3-1-8b"]}
    assert bad["ok"] is False
    assert "model" in bad["error"]


@pytest.mark.slow
def test_litellm_loads_the_generated_bundle_configs() -> None:
    """The deploy bundles' own config.yaml (planner/deploy): a provider LiteLLM knows
    natively, an OpenAI-compatible one via api_base, and an embedding model."""
    from dataclasses import replace

    from planner.deploy.bundle import build_bundle
    from tests.planner.test_deploy_bundles import API

    targets = [
        API,
        replace(API, provider_slug="nebius", litellm_provider="", api_key_env="NEBIUS_API_KEY",
                base_url="https://api.tokenfactory.nebius.com/v1"),
        replace(API, task="embeddings", model_name="bge-m3", provider_model_id="BAAI/bge-m3"),
    ]  # fmt: skip
    configs = [build_bundle(t).file("config.yaml").content for t in targets]
    python = tool_python("litellm", LITELLM_PROXY)
    results = run_tool(python, CHECK, configs, timeout_s=600)
    print("litellm:", results)  # noqa: T201 - shown with -s, for the report
    assert [r["ok"] for r in results] == [True, True, True], results
    assert results[0]["models"] == ["llama-3.1-8b-instruct"]
    assert results[2]["models"] == ["bge-m3"]
