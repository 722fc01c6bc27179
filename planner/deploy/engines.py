"""Engine command lines for a self-hosted plan row (pure).

The engine is the one the plan's estimate assumed (planner/selfhost.py `Host.engine`):
MLX on Apple silicon, vLLM on every other accelerator; llama.cpp's `llama-server` for a
CPU-only host, and as the single-box alternative on owned hardware (GGUF weights).
Each command carries the values the plan assumed, and `planner.deploy.flags` checks it
against the engine's own argument list (tests/planner/test_deploy_bundles.py):

- vLLM: `--tensor-parallel-size` = the plan's device count; `--max-model-len` ≥ the
  plan's context (rounded up to 1024, never past the model's own limit when that still
  covers the plan); `--quantization` from the plan's precision (QUANTIZATION);
  `--gpu-memory-utilization` = the memory share the fit check used; `--max-num-seqs` =
  the streams one instance serves.
- llama-server: `-ngl` (all layers on the GPU, none on a CPU host), `-c` = context per
  slot × slots (llama-server splits its context between the `--parallel` slots),
  `--parallel` = the streams one instance serves; weights as GGUF at GGUF_QUANT.
- mlx_lm.server: `--model`, `--decode-concurrency` = the streams one instance serves.
"""

from __future__ import annotations

import re
import shlex

from planner.deploy.targets import (
    ENGINE_LLAMA,
    ENGINE_MLX,
    ENGINE_VLLM,
    SelfHostTarget,
)

CONTEXT_STEP = 1024
LISTEN = "0.0.0.0"  # noqa: S104 - a server in a container or VM listens on every interface
ALL_LAYERS = 999  # llama.cpp: more than any model has = every layer on the GPU
# plan precision -> vLLM --quantization (None: unquantized, served as --dtype bfloat16).
# fp8 quantizes the bf16 checkpoint at load time; awq and compressed-tensors (W8A8 INT8)
# read a checkpoint quantized ahead of time (see WEIGHT_NOTES).
# "fp16": a 16-bit row the planner serves as float16 (pre-Ampere GPUs: no bfloat16)
QUANTIZATION = {
    "bf16": None, "fp16": None, "fp8": "fp8", "int8": "compressed-tensors", "int4-awq": "awq",
}  # fmt: skip
# plan precision -> the GGUF type llama-server runs at about the same bits per weight
GGUF_QUANT = {
    "bf16": "BF16", "fp16": "F16", "fp8": "Q8_0", "int8": "Q8_0", "int4-awq": "Q4_K_M",
}  # fmt: skip
WEIGHT_NOTES = {
    "int8": "INT8 needs a W8A8 checkpoint (e.g. made with llm-compressor): serve that repo "
    "instead of the base weights.",
    "int4-awq": "AWQ needs an AWQ-quantized checkpoint: serve that repo instead of the base "
    "weights.",
}


# NVIDIA families below compute capability 8.0: no bfloat16 (vLLM serves 16-bit weights
# as float16 there) and no fp8 (Ampere weight-only via Marlin, Ada/Hopper natively)
PRE_AMPERE = frozenset(
    {"nvidia-volta", "nvidia-turing", "nvidia-pascal", "nvidia-maxwell", "nvidia-kepler"}
)


class UnsupportedPrecision(ValueError):
    """The plan row's precision has no engine mapping here."""


def engine_for(target: SelfHostTarget) -> str:
    if target.accelerator_kind == "apple":
        return ENGINE_MLX
    if target.accelerator_kind == "cpu":
        return ENGINE_LLAMA
    return ENGINE_VLLM


def served_name(model_name: str) -> str:
    """A short model name for the API: "Llama-3.1-8B-Instruct" -> "llama-3.1-8b-instruct"."""
    name = re.sub(r"[^a-z0-9.]+", "-", model_name.lower()).strip("-.")
    return name or "model"


def max_model_len(target: SelfHostTarget) -> int:
    """The plan's context rounded up to CONTEXT_STEP, capped at the model's own limit
    when that limit still covers the plan's context (never below the plan's context)."""
    need = max(int(target.context_tokens), 1)
    rounded = -(-need // CONTEXT_STEP) * CONTEXT_STEP
    limit = target.model_context_tokens
    if limit is not None and limit >= need:
        return min(rounded, limit)
    return rounded


def vllm_command(target: SelfHostTarget) -> list[str]:
    if target.precision not in QUANTIZATION:
        raise UnsupportedPrecision(f"no vLLM mapping for precision {target.precision!r}")
    argv = [
        "vllm", "serve", target.serve_repo_id,
        "--served-model-name", served_name(target.model_name),
        "--host", LISTEN, "--port", str(target.port),
        "--tensor-parallel-size", str(target.count),
        "--max-model-len", str(max_model_len(target)),
        "--gpu-memory-utilization", f"{target.gpu_memory_utilization:g}",
        "--max-num-seqs", str(max(target.max_num_seqs, 1)),
    ]  # fmt: skip
    quantization = QUANTIZATION[target.precision]
    if quantization is None:
        half = target.precision == "fp16" or target.accelerator_family in PRE_AMPERE
        argv += ["--dtype", "float16" if half else "bfloat16"]
    else:
        argv += ["--quantization", quantization]
    return argv


def gguf_quant(precision: str) -> str:
    if precision not in GGUF_QUANT:
        raise UnsupportedPrecision(f"no GGUF type for precision {precision!r}")
    return GGUF_QUANT[precision]


def llama_server_command(target: SelfHostTarget, *, gguf_repo_id: str = "") -> list[str]:
    slots = max(target.max_num_seqs, 1)
    quant = gguf_quant(target.precision)
    weights = (
        ["-hf", f"{gguf_repo_id}:{quant}"]
        if gguf_repo_id
        else ["-m", f"/models/{served_name(target.model_name)}-{quant}.gguf"]
    )
    layers = 0 if target.accelerator_kind == "cpu" else ALL_LAYERS
    return [
        "llama-server", *weights,
        "--alias", served_name(target.model_name),
        "--host", LISTEN, "--port", str(target.port),
        "-ngl", str(layers),
        "-c", str(max_model_len(target) * slots),
        "--parallel", str(slots),
        "--jinja",
    ]  # fmt: skip


def mlx_command(target: SelfHostTarget) -> list[str]:
    return [
        "mlx_lm.server", "--model", target.serve_repo_id,
        "--host", LISTEN, "--port", str(target.port),
        "--decode-concurrency", str(max(target.max_num_seqs, 1)),
    ]  # fmt: skip


def engine_command(target: SelfHostTarget, engine: str, *, gguf_repo_id: str = "") -> list[str]:
    if engine == ENGINE_VLLM:
        return vllm_command(target)
    if engine == ENGINE_LLAMA:
        return llama_server_command(target, gguf_repo_id=gguf_repo_id)
    if engine == ENGINE_MLX:
        return mlx_command(target)
    raise ValueError(f"unknown engine {engine!r}")


def shell_line(argv: list[str], *, width: int = 88) -> str:
    """The command as a shell line, one flag per continued line when it is long."""
    quoted = [shlex.quote(a) for a in argv]
    line = " ".join(quoted)
    if len(line) <= width:
        return line
    parts: list[str] = []
    for token in quoted:
        if not parts or (token.startswith("-") and not _is_number(token)):
            parts.append(token)
        else:
            parts[-1] += f" {token}"
    return " \\\n  ".join(parts)


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True
