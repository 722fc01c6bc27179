"""What a deploy bundle is built from and what it holds (pure: standard library only).

The Django side (planner/deploy_service.py) reads a saved plan's row, the accelerator and
the offer, and fills one of the two targets; the generators in this package turn it into
files. Nothing here reads the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ENGINE_VLLM = "vllm"
ENGINE_LLAMA = "llama.cpp"
ENGINE_MLX = "mlx-lm"
DEFAULT_PORT = 8000


@dataclass(frozen=True, slots=True)
class SelfHostTarget:
    """One self-hosted plan row: a model on `count` accelerators at a precision.

    `context_tokens` is the plan's context: the longest sequence one request needs
    (the workload's input + output tokens, or the plan's minimum context when larger).
    `max_num_seqs` is the streams one instance serves at once (the plan's peak streams
    spread over its instances). `replicas` is the instances the plan pays for.
    """

    repo_id: str
    model_name: str
    kind: str  # owned | cloud
    accelerator_slug: str
    accelerator_name: str
    accelerator_kind: str  # datacenter, consumer, workstation, apple, unified, cpu, ...
    accelerator_vendor: str  # nvidia, amd, apple, intel, ...
    skypilot_accelerator: str  # SkyPilot's name for it: "H100", "L4", "RTX4090"
    count: int
    precision: str  # bf16 | fp8 | int8 | int4-awq (planner/selfhost.py PLAN_PRECISIONS)
    context_tokens: int
    max_num_seqs: int
    replicas: int = 1
    model_context_tokens: int | None = None  # the model's own limit, when known
    accelerator_family: str = ""  # nvidia-ampere, nvidia-turing, ... (benchmarks data)
    weights_repo_id: str = ""  # a quantized variant in the catalog, when one matches
    gguf_repo_id: str = ""  # a GGUF variant in the catalog (llama-server), when one exists
    gpu_memory_utilization: float = 0.9  # the share of device memory the plan assumed
    cloud: str = ""
    region: str = ""
    instance: str = ""
    spot: bool = False
    port: int = DEFAULT_PORT

    @property
    def serve_repo_id(self) -> str:
        return self.weights_repo_id or self.repo_id


@dataclass(frozen=True, slots=True)
class ApiTarget:
    """One API plan row: a provider's model id and how to reach the provider."""

    repo_id: str
    model_name: str
    provider_slug: str
    provider_name: str
    provider_model_id: str  # the id the provider's API takes
    task: str = "chat"  # planner task: chat, code, embeddings, text-to-image, ...
    base_url: str = ""  # empty: no reviewed or models.dev endpoint for the provider
    api_key_env: str = ""
    litellm_provider: str = ""  # LiteLLM's own prefix; empty: OpenAI-compatible via api_base
    endpoint_source: str = ""  # where the base URL comes from


@dataclass(frozen=True, slots=True)
class BundleFile:
    name: str  # file name in the bundle: "serve.sh", "sky.yaml", "compose.yaml", ...
    language: str  # bash | yaml | python | text
    content: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Bundle:
    kind: str  # api | owned | cloud
    title: str
    files: tuple[BundleFile, ...]
    engine: str = ""  # self-host: the engine the plan assumed
    command: tuple[str, ...] = ()  # self-host: the engine's argv
    notes: tuple[str, ...] = ()  # what to check or replace before running
    values: dict[str, object] = field(default_factory=dict)  # the plan's numbers, for checks

    def file(self, name: str) -> BundleFile | None:
        return next((f for f in self.files if f.name == name), None)
