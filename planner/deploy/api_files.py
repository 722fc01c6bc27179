"""Files of an API bundle: a LiteLLM proxy `config.yaml` entry and an OpenAI-SDK snippet
(pure).

Base URLs come from `data/provider_endpoints.json`: a reviewed list (each provider's
OpenAI-compatibility page, with LiteLLM's own provider prefix) and, for the rest, the
provider `api` / `env` fields of models.dev at a cited commit. A provider LiteLLM knows
natively is written as `<prefix>/<model id>` (LiteLLM knows its endpoint); any other as
`openai/<model id>` with `api_base` (LiteLLM's OpenAI-compatible route). The snippet
always uses the OpenAI SDK against the provider's OpenAI-compatible base URL.
tests/tools/test_litellm_config.py loads `config.yaml` with LiteLLM's own proxy loader.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from planner.deploy.engines import served_name
from planner.deploy.selfhost_files import dump_yaml
from planner.deploy.targets import ApiTarget

ENDPOINTS_FILE = Path(__file__).resolve().parent / "data" / "provider_endpoints.json"


@dataclass(frozen=True, slots=True)
class Endpoint:
    base_url: str
    api_key_env: str
    litellm_provider: str  # "" : reach it as openai/<model> with api_base
    source: str


def _norm(slug: str) -> str:
    return slug.strip().lower().replace("_", "-")


@cache
def _endpoints() -> dict[str, Endpoint]:
    doc = json.loads(ENDPOINTS_FILE.read_text())
    found: dict[str, Endpoint] = {}
    commit = doc["models_dev_source"]["commit"][:8]
    for key, e in doc["models_dev"].items():
        found[_norm(key)] = Endpoint(
            e["base_url"], e.get("api_key_env", ""), "", f"models.dev @ {commit}: {key}.api"
        )
    for key, e in doc["reviewed"].items():
        endpoint = Endpoint(e["base_url"], e["api_key_env"], e["litellm"], e["source_url"])
        for alias in (key, *e.get("aliases", ())):
            found[_norm(alias)] = endpoint
    return found


def endpoint_for(provider_slug: str) -> Endpoint | None:
    """The provider's OpenAI-compatible endpoint, by any slug the feeds use for it."""
    return _endpoints().get(_norm(provider_slug))


def provider_model_id(model_name: str, provider_slug: str, litellm_provider: str = "") -> str:
    """The id the provider's API takes: the feed's name without a LiteLLM-style
    "<provider>/" prefix ("together_ai/meta-llama/X" -> "meta-llama/X")."""
    for prefix in {provider_slug, litellm_provider} - {""}:
        if model_name.lower().startswith(prefix.lower() + "/"):
            return model_name[len(prefix) + 1 :]
    return model_name


def api_key_env(target: ApiTarget) -> str:
    if target.api_key_env:
        return target.api_key_env
    return f"{_norm(target.provider_slug).replace('-', '_').upper()}_API_KEY"


def litellm_config(target: ApiTarget) -> dict:
    params: dict[str, str] = {}
    if target.litellm_provider:
        params["model"] = f"{target.litellm_provider}/{target.provider_model_id}"
    else:
        params["model"] = f"openai/{target.provider_model_id}"
        params["api_base"] = target.base_url or "https://REPLACE-WITH-THE-PROVIDER-BASE-URL/v1"
    params["api_key"] = f"os.environ/{api_key_env(target)}"
    entry: dict = {"model_name": served_name(target.model_name), "litellm_params": params}
    if target.task == "embeddings":
        entry["model_info"] = {"mode": "embedding"}
    return {"model_list": [entry], "litellm_settings": {"drop_params": True}}


_CALLS = {
    "embeddings": (
        'response = client.embeddings.create(model={model!r}, input=["Hello"])\n'
        "print(len(response.data[0].embedding))\n"
    ),
    "text-to-image": (
        'response = client.images.generate(model={model!r}, prompt="A lighthouse at dawn")\n'
        'print(response.data[0].url or "(base64 image)")\n'
    ),
    "speech-to-text": (
        'with open("audio.mp3", "rb") as audio:\n'
        "    response = client.audio.transcriptions.create(model={model!r}, file=audio)\n"
        "print(response.text)\n"
    ),
}
_CHAT = (
    "response = client.chat.completions.create(\n"
    "    model={model!r},\n"
    '    messages=[{{"role": "user", "content": "Say hello in one sentence."}}],\n'
    ")\n"
    "print(response.choices[0].message.content)\n"
)


def openai_snippet(target: ApiTarget) -> str:
    base = target.base_url or "https://REPLACE-WITH-THE-PROVIDER-BASE-URL/v1"
    head = (
        f'"""{target.model_name} on {target.provider_name or target.provider_slug}: '
        "pip install openai, then set the key and run."
        f'"""\nimport os\n\nfrom openai import OpenAI\n\n'
        f"client = OpenAI(base_url={base!r}, api_key=os.environ[{api_key_env(target)!r}])\n"
    )
    call = _CALLS.get(target.task, _CHAT).format(model=target.provider_model_id)
    return head + call


def api_files(target: ApiTarget) -> tuple[tuple[str, str, str, str], ...]:
    """(name, language, content, description) of each file."""
    return (
        (
            "config.yaml", "yaml", dump_yaml(litellm_config(target)),
            "LiteLLM proxy entry: `litellm --config config.yaml`, then call the proxy with "
            "the model name above.",
        ),
        (
            "client.py", "python", openai_snippet(target),
            "The provider directly, with the OpenAI SDK.",
        ),
    )  # fmt: skip
