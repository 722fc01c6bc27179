"""Inference engines as the estimator sees them (pure): how they split a model over several
devices, how they allocate memory, and their uncalibrated efficiency factors.

Parallelism at batch 1 decides what a second device buys:
- "tensor" (vLLM, SGLang, TensorRT-LLM, `--tensor-parallel-size N`): every layer is split
  over N devices, so N × bandwidth serves one token, plus two all-reduces per layer;
- "layer" (llama.cpp `--split-mode layer`, the default; Ollama; LM Studio; transformers
  `device_map="auto"`; vLLM pipeline parallel): layers are placed on devices one after the
  other, so a token still streams every weight through one device's bandwidth at a time:
  more devices add memory, not speed (XiongjieDai/GPU-Benchmarks-on-LLM-Inference: 8B
  Q4_K_M on 1 / 2 / 4 RTX 4090s runs at 128 / 123 / 118 tok/s);
- "single": one device (MLX; Apple unified memory is one machine).

Memory (fit) rules, per engine:
- "vllm": vLLM allocates `gpu_memory_utilization` (0.9) of each GPU up front, holds
  weights / N + activation peak + CUDA graphs, and refuses to start unless the rest holds
  the KV cache of one sequence at the stated context (SGLang: `mem_fraction_static` 0.88);
  the measured peak is therefore that fraction of the GPU whatever the model;
- "llamacpp": llama.cpp allocates weights + KV cache at `n_ctx` + one compute buffer per
  device (logits and activations of one 512-token micro-batch: 512 × 4 bytes × (vocab +
  4 × hidden)) next to the driver's context (CUDA ≈ 0.4 GiB per device); Ollama may
  offload layers to the CPU instead of failing, so its runs never prove a fit;
- "mlx" / Apple Metal: the GPU may wire about 70% of unified memory up to 36 GB and 75%
  above (Metal `recommendedMaxWorkingSetSize`; XiongjieDai README, Apple tech talk 10580);
- "transformers": weights + KV + the prefill's fp32 logits (prompt × vocab × 4 bytes) +
  activations + the CUDA context.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Parallel = Literal["tensor", "layer", "single"]
FitRule = Literal["vllm", "llamacpp", "mlx", "transformers"]


@dataclass(frozen=True, slots=True)
class Efficiency:
    """Factors that turn a roofline into an engine's speed (calibrated per engine × family).

    decode step s = bytes read / (bandwidth × `bandwidth`) + layers × `layer_overhead_us`
    (the per-layer launch and synchronisation cost that dominates small models);
    prefill s = FLOPs / (peak × `prefill_mfu`); compute-bound decode uses `decode_mfu`."""

    bandwidth: float = 0.7
    prefill_mfu: float = 0.5
    decode_mfu: float = 0.35
    layer_overhead_us: float = 0.0
    tp_efficiency: float = 0.85  # legacy field (planner); tensor scaling uses allreduce_us

    def scaled(self, factor: float) -> Efficiency:
        return Efficiency(
            self.bandwidth * factor,
            self.prefill_mfu,
            self.decode_mfu,
            self.layer_overhead_us,
            self.tp_efficiency,
        )


# CPU hosts (accelerator kind "cpu"): the CPU backend streams weights at about 0.6 of the
# DRAM peak and spends ~70 µs per layer on graph and thread synchronisation. Solved from
# published CPU runs (geerlingguy/ai-benchmarks#33: Framework 13, Ryzen AI 5 340, 2 × DDR5-5600
# = 89.6 GB/s; Ollama Llama 3.2 3B / Llama 3.1 8B / DeepSeek-R1 14B Q4_K_M at 23.81 / 10.46 /
# 5.83 tok/s: t = bytes / (0.61 × 89.6 GB/s) + layers × 70 µs). Calibration on trusted CPU runs
# (engine × "cpu" class) replaces them.
CPU_DEFAULTS = Efficiency(0.6, 0.5, 0.5, 70.0)


@dataclass(frozen=True, slots=True)
class Engine:
    name: str
    label: str
    parallel: Parallel
    fit_rule: FitRule
    defaults: Efficiency
    memory_utilization: float = 0.9  # vLLM gpu_memory_utilization / SGLang mem_fraction_static
    allreduce_us: float = 0.0  # one all-reduce of a token's activations (tensor parallel)
    device_reserve_gib: float = 0.4  # driver context per device outside the engine's pool
    offloads: bool = False  # may put layers on the CPU instead of failing (Ollama)
    # A MoE layer launches more kernels (router, top-k, gathers, one matmul per expert):
    # its fixed cost is (1 + this) × τ of a dense layer.
    moe_layer_factor: float = 0.5
    formats: tuple[str, ...] = ()  # precision families it runs; () = all
    cpu_defaults: Efficiency = CPU_DEFAULTS  # on a CPU host (accelerator kind "cpu")

    def defaults_for(self, device_class: str) -> Efficiency:
        """Uncalibrated factors on a device class: "cpu" (a CPU host) or "gpu"."""
        return self.cpu_defaults if device_class == "cpu" else self.defaults


# Uncalibrated defaults: bandwidth efficiency and per-layer overhead of each engine at batch
# 1, set from the published runs listed in benchmarks/data/published_runs.json (a trusted
# source group of its own); calibration per engine × accelerator family replaces them.
ENGINES: dict[str, Engine] = {
    e.name: e
    for e in (
        Engine(
            "llama.cpp",
            "llama.cpp",
            "layer",
            "llamacpp",
            Efficiency(0.80, 0.45, 0.3, 25.0),
            formats=("gguf", "float"),
        ),
        Engine(
            "ollama",
            "Ollama (llama.cpp)",
            "layer",
            "llamacpp",
            Efficiency(0.80, 0.45, 0.3, 25.0),
            offloads=True,
            formats=("gguf", "float"),
        ),
        Engine(
            "lmstudio",
            "LM Studio",
            "layer",
            "llamacpp",
            Efficiency(0.80, 0.45, 0.3, 25.0),
            formats=("gguf", "mlx", "float"),
        ),
        Engine(
            "vllm", "vLLM", "tensor", "vllm", Efficiency(0.75, 0.55, 0.4, 12.0), allreduce_us=12.0
        ),
        Engine(
            "sglang",
            "SGLang",
            "tensor",
            "vllm",
            Efficiency(0.75, 0.55, 0.4, 12.0),
            memory_utilization=0.88,
            allreduce_us=12.0,
        ),
        Engine(
            "tensorrt-llm",
            "TensorRT-LLM",
            "tensor",
            "vllm",
            Efficiency(0.8, 0.6, 0.45, 8.0),
            allreduce_us=10.0,
        ),
        Engine(
            "hipfire",
            "hipfire (ROCm)",
            "single",
            "llamacpp",
            Efficiency(0.80, 0.45, 0.3, 25.0),  # llama.cpp's defaults until runs calibrate it
            formats=("hipfire", "gguf"),
        ),
        Engine(
            "mlx",
            "MLX",
            "single",
            "mlx",
            Efficiency(0.75, 0.4, 0.3, 20.0),
            device_reserve_gib=0.0,
            formats=("mlx", "float", "fp4"),
        ),
        Engine(
            "transformers",
            "Hugging Face transformers",
            "layer",
            "transformers",
            Efficiency(0.55, 0.4, 0.3, 150.0),
        ),
    )
}
ENGINE_ALIASES = {
    "llamacpp": "llama.cpp",
    "llama-cpp": "llama.cpp",
    "llama_cpp": "llama.cpp",
    "llama.cpp": "llama.cpp",
    "ollama": "ollama",
    "lm studio": "lmstudio",
    "lmstudio": "lmstudio",
    "vllm": "vllm",
    "sglang": "sglang",
    "trtllm": "tensorrt-llm",
    "tensorrt-llm": "tensorrt-llm",
    "tensorrt_llm": "tensorrt-llm",
    "mlx": "mlx",
    "mlx-lm": "mlx",
    "mlx_lm": "mlx",
    "transformers": "transformers",
    "hf": "transformers",
    "autoawq": "transformers",
    "hipfire": "hipfire",
    "lucebox": "llama.cpp",  # Luce-Org's llama.cpp fork (lucebox-hub server)
}
DEFAULT_ENGINE = "llama.cpp"


class UnknownEngine(ValueError):
    pass


def engine_get(name: str) -> Engine:
    key = ENGINE_ALIASES.get((name or "").strip().lower(), (name or "").strip().lower())
    try:
        return ENGINES[key]
    except KeyError:
        raise UnknownEngine(f"unknown engine {name!r}; known: {sorted(ENGINES)}") from None


def engine_key(name: str) -> str | None:
    """Our engine key for a name as runs spell it, or None."""
    key = ENGINE_ALIASES.get((name or "").strip().lower(), (name or "").strip().lower())
    return key if key in ENGINES else None
