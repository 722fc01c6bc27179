"""Files of a self-hosted bundle: serve script, SkyPilot task, docker compose (pure).

- `serve.sh`: the engine command with the plan's values (planner.deploy.engines).
- `sky.yaml`: a SkyPilot task (https://docs.skypilot.co/en/latest/reference/yaml-spec.html):
  `resources` (accelerator:count, cloud, region, instance type, spot, the port), `setup`
  installs the engine, `run` is the serve command, and `service:` (SkyServe) holds the
  readiness probe on the engine's OpenAI-compatible `/v1/models` and the plan's instances
  as replicas. Owned hardware runs through a SkyPilot SSH node pool (`infra: ssh/<pool>`).
- `compose.yaml`: the engine's published image with the same command, the devices, the
  Hugging Face cache and a health check (not for Apple silicon: MLX needs Metal, which a
  container cannot reach).
tests/tools/test_skypilot_schema.py checks `sky.yaml` with SkyPilot's own schema.
"""

from __future__ import annotations

from typing import Any

import yaml

from planner.deploy.engines import served_name
from planner.deploy.targets import ENGINE_LLAMA, ENGINE_MLX, ENGINE_VLLM, SelfHostTarget

VLLM_IMAGE = "vllm/vllm-openai:latest"
LLAMA_IMAGE_CUDA = "ghcr.io/ggml-org/llama.cpp:server-cuda"
LLAMA_IMAGE_CPU = "ghcr.io/ggml-org/llama.cpp:server"
SETUP = {
    ENGINE_VLLM: "pip install vllm",
    ENGINE_MLX: "pip install mlx-lm",
    ENGINE_LLAMA: "command -v llama-server || brew install llama.cpp",
}
# instance names in our price rows that are no SkyPilot instance type: GCP's catalog
# prices GPUs attached to a host SkyPilot picks itself
NOT_INSTANCE_TYPES = frozenset({"gpu-attached"})
READINESS_PATH = "/v1/models"
READINESS_DELAY_S = 1200  # weights download + load + CUDA graph capture on a cold replica
SSH_POOL = "my-gpus"  # owned hardware: a SkyPilot SSH node pool (~/.sky/ssh_node_pools.yaml)


class _Dumper(yaml.SafeDumper):
    """Multi-line strings (commands) as `|` blocks, so the YAML reads like the script."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_yaml(doc: dict[str, Any]) -> str:
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=100)


def skypilot_task(target: SelfHostTarget, engine: str, run: str) -> dict[str, Any]:
    resources: dict[str, Any] = {
        "accelerators": f"{target.skypilot_accelerator}:{target.count}",
    }
    if target.kind == "owned":
        resources["infra"] = f"ssh/{SSH_POOL}"
    else:
        if target.cloud:
            resources["cloud"] = target.cloud
        if target.region:
            resources["region"] = target.region
        if target.instance and target.instance not in NOT_INSTANCE_TYPES:
            resources["instance_type"] = target.instance
        resources["use_spot"] = bool(target.spot)
    resources["ports"] = target.port
    return {
        "name": f"atlas-{served_name(target.model_name)}".replace(".", "-")[:60],
        "resources": resources,
        "envs": {"HF_HUB_ENABLE_HF_TRANSFER": "0"},
        "setup": SETUP[engine],
        "run": run + "\n",
        "service": {
            "readiness_probe": {
                "path": READINESS_PATH,
                "initial_delay_seconds": READINESS_DELAY_S,
            },
            "replicas": max(target.replicas, 1),
        },
    }


def _gpu_devices(target: SelfHostTarget) -> dict[str, Any]:
    if target.accelerator_vendor == "amd":
        return {"devices": ["/dev/kfd", "/dev/dri"], "group_add": ["video"]}
    return {
        "deploy": {
            "resources": {
                "reservations": {
                    "devices": [
                        {"driver": "nvidia", "count": target.count, "capabilities": ["gpu"]}
                    ]
                }
            }
        }
    }


def compose_file(target: SelfHostTarget, engine: str, argv: list[str]) -> dict[str, Any] | None:
    """A docker compose document serving `argv`, or None where containers cannot reach the
    accelerator (Apple silicon)."""
    if engine == ENGINE_MLX:
        return None
    port = f"{target.port}:{target.port}"
    health = {
        "test": ["CMD", "curl", "-fsS", f"http://localhost:{target.port}/health"],
        "interval": "30s",
        "timeout": "5s",
        "retries": 5,
        "start_period": f"{READINESS_DELAY_S}s",
    }
    if engine == ENGINE_VLLM:
        service: dict[str, Any] = {
            "image": VLLM_IMAGE if target.accelerator_vendor != "amd" else "rocm/vllm:latest",
            "entrypoint": ["vllm", "serve"],
            "command": argv[2:],
            "ipc": "host",
            "environment": {"HF_TOKEN": "${HF_TOKEN:-}"},
            "volumes": ["${HOME}/.cache/huggingface:/root/.cache/huggingface"],
        }
    else:
        cpu = target.accelerator_kind == "cpu"
        service = {
            "image": LLAMA_IMAGE_CPU if cpu else LLAMA_IMAGE_CUDA,
            "command": argv[1:],
            "environment": {"HF_TOKEN": "${HF_TOKEN:-}"},
            "volumes": ["./models:/models", "${HOME}/.cache/llama.cpp:/root/.cache/llama.cpp"],
        }
    service["ports"] = [port]
    service["healthcheck"] = health
    service["restart"] = "unless-stopped"
    if target.accelerator_kind != "cpu":
        service.update(_gpu_devices(target))
    name = "vllm" if engine == ENGINE_VLLM else "llama-server"
    return {"services": {name: service}}
