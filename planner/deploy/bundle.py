"""A plan row's deploy bundle: the files that turn the row into a running service (pure).

`build_bundle(target)` takes a `SelfHostTarget` (owned or cloud row) or an `ApiTarget`
(API row) and returns a `Bundle`: self-hosted rows get `serve.sh` (the engine command
with the flags the plan assumed), `sky.yaml` (SkyPilot task with a `service:` section)
and `compose.yaml`, plus `llama-server.sh` on owned GPUs (the single-box alternative);
API rows get a LiteLLM `config.yaml` entry and an OpenAI-SDK `client.py`.
Every engine command is checked with `planner.deploy.flags` against the engine's own
argument list before it is returned (a problem raises BundleError: a bug here, never a
bundle a user should run).
"""

from __future__ import annotations

from planner.deploy import flags
from planner.deploy.api_files import api_files
from planner.deploy.engines import (
    PRE_AMPERE,
    QUANTIZATION,
    WEIGHT_NOTES,
    engine_command,
    engine_for,
    gguf_quant,
    llama_server_command,
    max_model_len,
    shell_line,
)
from planner.deploy.selfhost_files import SSH_POOL, compose_file, dump_yaml, skypilot_task
from planner.deploy.targets import (
    ENGINE_LLAMA,
    ApiTarget,
    Bundle,
    BundleFile,
    SelfHostTarget,
)


class BundleError(ValueError):
    """A generated command does not pass its engine's argument list."""


def _checked(engine: str, argv: list[str]) -> list[str]:
    problems = flags.validate_command(engine, argv)
    if problems:
        raise BundleError("; ".join(f"{p.token}: {p.message}" for p in problems))
    return argv


def _script(title: str, lines: list[str], argv: list[str]) -> str:
    head = ["#!/usr/bin/env bash", f"# {title}"] + [f"# {line}" for line in lines]
    return "\n".join([*head, "set -euo pipefail", "", "exec " + shell_line(argv), ""])


def build_bundle(target: SelfHostTarget | ApiTarget) -> Bundle:
    if isinstance(target, ApiTarget):
        return _api_bundle(target)
    return _selfhost_bundle(target)


def _api_bundle(target: ApiTarget) -> Bundle:
    files = tuple(BundleFile(*f) for f in api_files(target))
    notes = []
    if not target.base_url:
        notes.append(
            f"No reviewed or models.dev base URL for {target.provider_slug}: replace the "
            "placeholder with the provider's OpenAI-compatible endpoint."
        )
    elif target.endpoint_source:
        notes.append(f"Base URL from {target.endpoint_source}.")
    return Bundle(
        kind="api",
        title=f"{target.model_name} on {target.provider_name or target.provider_slug}",
        files=files,
        notes=tuple(notes),
        values={
            "base_url": target.base_url,
            "provider_model_id": target.provider_model_id,
            "litellm_provider": target.litellm_provider,
        },
    )


def _selfhost_bundle(target: SelfHostTarget) -> Bundle:
    engine = engine_for(target)
    argv = _checked(engine, engine_command(target, engine, gguf_repo_id=target.gguf_repo_id))
    length = max_model_len(target)
    where = (
        "owned"
        if target.kind == "owned"
        else " ".join(p for p in (target.cloud, target.region, target.instance) if p)
    )
    title = f"{target.model_name} on {target.count}× {target.accelerator_name} ({where})"
    assumed = [
        f"The plan assumed: {target.count}× {target.accelerator_name}, {target.precision}, "
        f"context {target.context_tokens} tokens, {target.max_num_seqs} streams per instance, "
        f"{target.replicas} instance(s).",
        f"Engine flags checked against {engine}'s argument list "
        f"({', '.join(f'{p}@{c[:8]}' for p, c in flags.load_engine_flags(engine).source)}).",
    ]
    files = [BundleFile("serve.sh", "bash", _script(title, assumed, argv), "The engine command.")]
    sky = skypilot_task(target, engine, shell_line(argv))
    files.append(
        BundleFile(
            "sky.yaml", "yaml", dump_yaml(sky),
            "SkyPilot: `sky launch sky.yaml` for one instance, `sky serve up sky.yaml` for "
            "the plan's replicas behind one endpoint.",
        )
    )  # fmt: skip
    compose = compose_file(target, engine, argv)
    if compose is not None:
        files.append(
            BundleFile("compose.yaml", "yaml", dump_yaml(compose), "`docker compose up -d`.")
        )
    notes = _selfhost_notes(target, engine, length)
    if target.kind == "owned" and engine != ENGINE_LLAMA and target.precision in QUANTIZATION:
        alt = _checked(ENGINE_LLAMA, llama_server_command(target, gguf_repo_id=target.gguf_repo_id))
        quant = gguf_quant(target.precision)
        files.append(
            BundleFile(
                "llama-server.sh", "bash",
                _script(f"Alternative: llama.cpp with GGUF {quant} weights", assumed[:1], alt),
                "The single-box alternative with llama.cpp (GGUF weights).",
            )
        )  # fmt: skip
        if not target.gguf_repo_id:
            notes.append(
                f"llama-server.sh expects a {quant} GGUF file under ./models (convert with "
                "llama.cpp's convert_hf_to_gguf.py and llama-quantize, or download one)."
            )
    return Bundle(
        kind=target.kind,
        title=title,
        files=tuple(files),
        engine=engine,
        command=tuple(argv),
        notes=tuple(notes),
        values={
            "engine": engine,
            "tensor_parallel_size": target.count,
            "max_model_len": length,
            "context_tokens": target.context_tokens,
            "quantization": QUANTIZATION.get(target.precision),
            "precision": target.precision,
            "gpu_memory_utilization": target.gpu_memory_utilization,
            "max_num_seqs": target.max_num_seqs,
            "replicas": target.replicas,
        },
    )


def _selfhost_notes(target: SelfHostTarget, engine: str, length: int) -> list[str]:
    notes = []
    if target.precision in WEIGHT_NOTES and not target.weights_repo_id:
        notes.append(WEIGHT_NOTES[target.precision])
    if target.weights_repo_id:
        notes.append(f"Serves {target.weights_repo_id}, the catalog's {target.precision} "
                     f"variant of {target.repo_id}.")  # fmt: skip
    if engine == "vllm" and target.precision == "fp8" and target.accelerator_family in PRE_AMPERE:
        notes.append(
            f"vLLM's fp8 needs an Ampere or newer NVIDIA GPU; {target.accelerator_name} "
            f"({target.accelerator_family}) cannot run this row as planned: serve bf16, or an "
            "AWQ/GPTQ checkpoint, instead."
        )
    limit = target.model_context_tokens
    if limit is not None and limit < target.context_tokens:
        notes.append(
            f"The plan's context ({target.context_tokens} tokens) is above the model's "
            f"limit ({limit}): the engine will refuse --max-model-len {length}."
        )
    if target.kind == "owned":
        notes.append(
            f"sky.yaml runs on your own machines through a SkyPilot SSH node pool named "
            f"{SSH_POOL!r} (~/.sky/ssh_node_pools.yaml, then `sky ssh up`)."
        )
    if target.spot:
        notes.append("Spot instances can be reclaimed: SkyServe replaces lost replicas.")
    notes.append("Gated models need HF_TOKEN in the environment (`--env HF_TOKEN` for sky).")
    return notes
