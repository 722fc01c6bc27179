"""Speed side of the estimate (pure): decode, prefill and throughput at load per engine.

Decode step of `b` sequences at mean context c on N devices (engines.py for "tensor" /
"layer" / "single"):
  bytes  = dense + LM head + routed experts touched by b tokens (dims.expert_bytes_read)
           + b × KV cache at c (layer kinds, dims.kv_cache_bytes)
  memory = bytes / (bandwidth × η × N_bw)    N_bw = N for tensor parallel, else 1
  compute= b × (2 × active + 4 × q_dim × KV tokens held) / (peak FLOP/s × decode MFU × N)
  step   = max(memory, compute) + layers × τ + [tensor, N > 1] layers × 2 × all-reduce
           + [layer split] (N − 1) × 250 µs per hop
η (bandwidth efficiency) and τ (per-layer overhead, µs) come from calibration per engine
× accelerator family, else the engine's defaults (engines.py). Tokens/s per stream =
1 / step; all streams = b / step.

Prefill of P tokens: max(weights bytes / (bandwidth × η × N_bw), (2 × active × P +
2 × q_dim × P × KV tokens held at P) / (peak × prefill MFU × N_tensor)) + layers × τ.
TTFT = prefill time; prefill tokens/s = P / TTFT.

Throughput at load (C concurrent requests of P prompt and O output tokens, continuous
batching): the device spends C × prefill(P) + O × step(C, P + O/2) on every C requests,
so output tokens/s = C × O / that, and each stream sees 1 / C of it. This is where
input-heavy workloads (2048 in / 128 out) lose most of their decode rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from benchmarks.estimate.dims import (
    ONE_MIXER_PER_LAYER_TYPES,
    ModelDims,
    expert_bytes_read,
    kv_cache_bytes,
    kv_tokens_held,
    weight_bytes,
)
from benchmarks.estimate.engines import CPU_DEFAULTS, Efficiency, Engine, engine_get
from benchmarks.estimate.formats import precision_get
from benchmarks.estimate.memory import AcceleratorSpec, device_class

# llama.cpp layer split: each device boundary costs a synchronisation, an activation copy and
# the next device's launches: 0.2–0.3 ms per hop in the published 2/4/6/8-GPU runs
# (XiongjieDai: 8B Q4_K_M at 111.7 / 108.1 / 104.9 tok/s on 1 / 2 / 4 RTX 3090s).
LAYER_HOP_S = 250e-6
# Host memory a CPU-offloaded share of the weights streams from: a desktop with two DDR4-3200
# / DDR5-4800 channels (51.2 / 76.8 GB/s peak), at the CPU backend's efficiency and with its
# per-layer cost for every layer that runs (part) on the CPU (engines.CPU_DEFAULTS: 0.6 of
# the DRAM peak, 70 µs per layer, from published CPU runs).
HOST_BANDWIDTH_GBPS = 64.0
HOST_EFFICIENCY = CPU_DEFAULTS.bandwidth
HOST_LAYER_S = CPU_DEFAULTS.layer_overhead_us * 1e-6
DEFAULT_EFFICIENCY = Efficiency()
ROOFLINE = Efficiency(1.0, 1.0, 1.0, 0.0, 1.0)


@dataclass(frozen=True, slots=True)
class StepParts:
    memory_s: float
    compute_s: float
    overhead_s: float

    @property
    def step_s(self) -> float:
        return max(self.memory_s, self.compute_s) + self.overhead_s

    @property
    def bound(self) -> Literal["memory", "compute"]:
        return "memory" if self.memory_s >= self.compute_s else "compute"


def _q_dim(dims: ModelDims) -> float:
    head_dim = dims.resolved_head_dim
    return float(dims.num_heads * head_dim) if dims.num_heads and head_dim else 0.0


def _scales(eng: Engine, count: int) -> tuple[int, int]:
    """(devices adding bandwidth, devices adding FLOP/s) for one token."""
    if eng.parallel == "tensor":
        return count, count
    return 1, 1


# Layer count of a MoE model whose config is unknown: its experts, not its depth, hold most
# of its parameters, so the dense rule over the total overstates it (by 1.5x on average).
# Least squares of log(layers) on log(total) over the 163 distinct MoE entries with a
# layer count in the catalog seed (../shared/hardware/llmfit/hf_models.json, from the Hub
# configs): layers ~ 24 x (billions of total parameters)^0.16, typically within a factor
# 1.4 (Qwen3.6-35B-A3B: 43 for its 40, the dense rule 59; gpt-oss-120b: 51 for 36, dense
# rule 83; DeepSeek-V3: 68 for 61, dense rule 141).
MOE_LAYERS_SCALE, MOE_LAYERS_EXPONENT = 24.0, 0.16


def layers_of(dims: ModelDims) -> int:
    """The layer count, or a guess from the size when unknown (dense transformers have
    about 20 × (billions of parameters)^0.3 layers: 16 at 1B, 32 at 8B, 80 at 70B; MoE
    models MOE_LAYERS_SCALE × total^MOE_LAYERS_EXPONENT)."""
    if dims.num_layers:
        return dims.num_layers
    billions = dims.params_total / 1e9
    if dims.is_moe:
        return max(8, round(MOE_LAYERS_SCALE * billions**MOE_LAYERS_EXPONENT))
    return max(8, round(20 * billions**0.3))


def overhead_layers(dims: ModelDims) -> float:
    """Transformer-layer equivalents the per-layer costs count: the layer count, halved for
    one-mixer-per-layer architectures (dims.ONE_MIXER_PER_LAYER_TYPES: a Mamba-2 or
    attention layer and an MLP layer make what one attention + FFN layer is)."""
    layers = layers_of(dims)
    return layers / 2 if dims.model_type in ONE_MIXER_PER_LAYER_TYPES else float(layers)


def _overhead_s(dims: ModelDims, eng: Engine, count: int, eff: Efficiency) -> float:
    layers = overhead_layers(dims)
    moe = 1 + eng.moe_layer_factor if dims.is_moe else 1.0
    overhead = layers * eff.layer_overhead_us * 1e-6 * moe
    if count > 1 and eng.parallel == "tensor":
        overhead += layers * 2 * eng.allreduce_us * 1e-6
    elif count > 1 and eng.parallel == "layer":
        overhead += (count - 1) * LAYER_HOP_S
    return overhead


def decode_step(
    dims: ModelDims,
    precision: str,
    accel: AcceleratorSpec,
    *,
    engine: str = "llama.cpp",
    count: int = 1,
    batch: int = 1,
    context_tokens: int = 512,
    kv_precision: str = "bf16",
    efficiency: Efficiency | None = None,
    offload_fraction: float = 0.0,
    tokens_per_sequence: int = 1,
    cpu_moe_layers: int = 0,
    host_expert_fraction: float = 0.0,
) -> StepParts:
    """One decode step of `batch` sequences at `context_tokens` (module docstring).

    `offload_fraction` of the layers sits in host memory (llama.cpp `-ngl` below the layer
    count, Ollama's automatic split): that share of the weights and of the KV cache streams
    at HOST_BANDWIDTH_GBPS × HOST_EFFICIENCY, and each such layer costs HOST_LAYER_S.
    `host_expert_fraction` of the routed experts (llama.cpp
    `--fit` moves experts first; `--n-cpu-moe N` = N / layers) stays in host memory and
    runs on the CPU; everything else, the KV cache included, stays on the devices.
    `tokens_per_sequence` > 1 scores a step that checks several tokens of each sequence at
    once (speculative verification): the weights and each sequence's KV cache are read
    once, the distinct experts the tokens route to and the FLOPs grow with the tokens."""
    eng = engine_get(engine)
    eff = efficiency or eng.defaults_for(device_class(accel))
    prec = precision_get(precision)
    n_bw, n_flops = _scales(eng, count)
    w = weight_bytes(dims, prec)
    tokens = max(batch, 1) * max(tokens_per_sequence, 1)
    experts = expert_bytes_read(w, tokens)
    share = max(host_expert_fraction, max(cpu_moe_layers, 0) / layers_of(dims))
    host_experts = experts * min(share, 1.0)
    on_layers = w.dense + w.head + experts - host_experts
    kv = kv_cache_bytes(dims, context_tokens, batch, kv_precision) or 0.0
    off = min(max(offload_fraction, 0.0), 1.0)
    host_bps = HOST_BANDWIDTH_GBPS * 1e9 * HOST_EFFICIENCY
    memory_s = (on_layers + kv) * (1 - off) / (accel.bandwidth_gbps * 1e9 * eff.bandwidth * n_bw)
    memory_s += ((on_layers + kv) * off + host_experts) / host_bps
    # every layer that runs on the CPU (offloaded, or whose experts are) pays its graph cost
    host_layers = overhead_layers(dims) * min(off + (share if host_experts else 0.0), 1.0)
    held = kv_tokens_held(dims, context_tokens) or 0.0
    flops = tokens * (2 * dims.active + 4 * _q_dim(dims) * held)
    peak = accel.tflops_for(prec.compute_dtype) * 1e12 * n_flops
    compute_s = flops / (peak * eff.decode_mfu) if peak > 0 else 0.0
    overhead = _overhead_s(dims, eng, count, eff) + host_layers * HOST_LAYER_S
    return StepParts(memory_s, compute_s, overhead)


def prefill_seconds(
    dims: ModelDims,
    precision: str,
    accel: AcceleratorSpec,
    *,
    engine: str = "llama.cpp",
    count: int = 1,
    prompt_tokens: int = 512,
    batch: int = 1,
    efficiency: Efficiency | None = None,
) -> float:
    """Seconds to prefill `batch` prompts of `prompt_tokens` (module docstring)."""
    eng = engine_get(engine)
    eff = efficiency or eng.defaults_for(device_class(accel))
    prec = precision_get(precision)
    n_bw, n_flops = _scales(eng, count)
    tokens = max(prompt_tokens, 1) * max(batch, 1)
    held = kv_tokens_held(dims, prompt_tokens) or 0.0
    flops = 2 * dims.active * tokens + 2 * _q_dim(dims) * held * tokens
    peak = accel.tflops_for(prec.compute_dtype) * 1e12 * n_flops
    compute_s = flops / (peak * eff.prefill_mfu) if peak > 0 else math.inf
    memory_s = weight_bytes(dims, prec).total / (accel.bandwidth_gbps * 1e9 * eff.bandwidth * n_bw)
    return max(compute_s, memory_s) + _overhead_s(dims, eng, count, eff)


@dataclass(frozen=True, slots=True)
class ThroughputEstimate:
    decode_tokens_per_s_per_stream: float
    decode_tokens_per_s_total: float
    prefill_tokens_per_s: float
    ttft_s: float
    bound: Literal["memory", "compute"]
    e2e_output_tokens_per_s: float = 0.0  # output / (TTFT + decode time), one request


def estimate_speed(
    dims: ModelDims,
    precision: str,
    accel: AcceleratorSpec,
    *,
    engine: str = "llama.cpp",
    count: int = 1,
    concurrency: int = 1,
    prompt_tokens: int = 512,
    output_tokens: int = 128,
    kv_precision: str = "bf16",
    efficiency: Efficiency | None = None,
    offload_fraction: float = 0.0,
    cpu_moe_layers: int = 0,
    host_expert_fraction: float = 0.0,
) -> ThroughputEstimate:
    """Decode and prefill speed of one engine configuration (module docstring).

    Concurrency 1: decode tokens/s at the mean context prompt + output/2 (what llama-bench
    `tg` and a chat stream report). Concurrency C > 1: throughput at load, prefill of
    every request included."""
    conc = max(int(concurrency), 1)
    mean_ctx = max(prompt_tokens, 0) + max(output_tokens, 0) // 2
    parts = decode_step(
        dims,
        precision,
        accel,
        engine=engine,
        count=count,
        batch=conc,
        context_tokens=mean_ctx,
        kv_precision=kv_precision,
        efficiency=efficiency,
        offload_fraction=offload_fraction,
        cpu_moe_layers=cpu_moe_layers,
        host_expert_fraction=host_expert_fraction,
    )
    prefill_one = prefill_seconds(
        dims,
        precision,
        accel,
        engine=engine,
        count=count,
        prompt_tokens=prompt_tokens,
        efficiency=efficiency,
    )
    prefill_rate = max(prompt_tokens, 1) / prefill_one
    out = max(output_tokens, 1)
    if conc == 1:
        stream = 1 / parts.step_s
        e2e = out / (prefill_one + out * parts.step_s)
        return ThroughputEstimate(stream, stream, prefill_rate, prefill_one, parts.bound, e2e)
    batch_prefill = prefill_seconds(
        dims,
        precision,
        accel,
        engine=engine,
        count=count,
        prompt_tokens=prompt_tokens,
        batch=conc,
        efficiency=efficiency,
    )
    total = conc * out / (batch_prefill + out * parts.step_s)
    return ThroughputEstimate(
        total / conc, total, prefill_rate, prefill_one, parts.bound, total / conc
    )


def estimate_throughput(
    dims: ModelDims,
    precision: str,
    accel: AcceleratorSpec,
    count: int = 1,
    concurrency: int = 1,
    prompt_tokens: int = 512,
    output_tokens: int = 128,
    efficiency: Efficiency = DEFAULT_EFFICIENCY,
    kv_precision: str = "bf16",
    engine: str = "vllm",
) -> ThroughputEstimate:
    """Legacy signature (cloud self-hosting): a tensor-parallel server engine."""
    return estimate_speed(
        dims,
        precision,
        accel,
        engine=engine,
        count=count,
        concurrency=concurrency,
        prompt_tokens=prompt_tokens,
        output_tokens=output_tokens,
        kv_precision=kv_precision,
        efficiency=efficiency,
    )


def roofline_ratio(measured_tokens_per_s: float, bound_tokens_per_s: float) -> float:
    """measured / roofline bound (at 100% efficiency); > 1.5 means the figure is suspect."""
    if bound_tokens_per_s <= 0 or math.isnan(bound_tokens_per_s):
        return math.inf
    return measured_tokens_per_s / bound_tokens_per_s
