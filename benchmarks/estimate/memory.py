"""Memory side of the estimate: precisions, model/accelerator specs, weights + KV + overhead,
and how many devices a model needs. See the package docstring for the formulas."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

GIB = 2**30
DEFAULT_KV = "bf16"


@dataclass(frozen=True, slots=True)
class Precision:
    """A weight format. bits_per_weight includes group scales/zeros (AWQ/GPTQ group 128:
    4 + (16-bit scale + 4-bit zero) / 128 ≈ 4.156; GGUF figures are llama.cpp's average
    bits per weight over a Llama-3-8B file). compute_dtype picks the TFLOP/s column."""

    name: str
    bits_per_weight: float
    label: str
    compute_dtype: Literal["bf16", "fp8", "int8"] = "bf16"

    @property
    def bytes_per_weight(self) -> float:
        return self.bits_per_weight / 8


PRECISIONS: dict[str, Precision] = {
    p.name: p
    for p in (
        Precision("fp32", 32.0, "FP32"),
        Precision("bf16", 16.0, "BF16"),
        Precision("fp16", 16.0, "FP16"),
        Precision("fp8", 8.0, "FP8 (W8A8)", "fp8"),
        Precision("int8", 8.0, "INT8 (W8A8)", "int8"),
        Precision("int4-awq", 4.156, "INT4 AWQ (g128)"),
        Precision("int4-gptq", 4.156, "INT4 GPTQ (g128)"),
        Precision("q8_0", 8.5, "GGUF Q8_0"),
        Precision("q6_k", 6.5625, "GGUF Q6_K"),
        Precision("q5_k_m", 5.69, "GGUF Q5_K_M"),
        Precision("q4_k_m", 4.89, "GGUF Q4_K_M"),
        Precision("q3_k_m", 3.91, "GGUF Q3_K_M"),
        Precision("q2_k", 3.35, "GGUF Q2_K"),
    )
}


class UnknownPrecision(ValueError):
    pass


def precision_get(name: str) -> Precision:
    try:
        return PRECISIONS[name]
    except KeyError:
        raise UnknownPrecision(f"unknown precision {name!r}; known: {sorted(PRECISIONS)}") from None


@dataclass(frozen=True, slots=True)
class ModelDims:
    params_total: int
    params_active: int | None = None  # MoE: parameters used per token
    num_layers: int | None = None
    hidden_size: int | None = None
    num_heads: int | None = None
    num_kv_heads: int | None = None  # GQA; None = num_heads
    head_dim: int | None = None  # None = hidden_size / num_heads
    kv_lora_rank: int | None = None  # MLA
    qk_rope_head_dim: int | None = None
    sliding_window: int | None = None
    context_tokens: int | None = None  # the model's maximum context
    num_experts: int | None = None
    experts_per_token: int | None = None
    sliding_window_layers: int | None = None  # layers using the window; None = all

    @property
    def active(self) -> int:
        return self.params_active or self.params_total


@dataclass(frozen=True, slots=True)
class AcceleratorSpec:
    slug: str
    name: str
    memory_gib: float
    bandwidth_gbps: float
    bf16_tflops: float
    fp8_tflops: float | None = None
    int8_tops: float | None = None
    tdp_watts: int | None = None
    kind: str = "datacenter"

    def tflops_for(self, compute_dtype: str) -> float:
        """Dense TFLOP/s for a compute dtype; falls back to bf16 where the chip lacks it."""
        if compute_dtype == "fp8" and self.fp8_tflops:
            return self.fp8_tflops
        if compute_dtype == "int8" and self.int8_tops:
            return self.int8_tops
        return self.bf16_tflops


@dataclass(frozen=True, slots=True)
class Overhead:
    per_device_gib: float = 1.0  # CUDA context + allocator slack, per device
    activation_fraction: float = 0.05  # activations/workspace as a fraction of weights


DEFAULT_OVERHEAD = Overhead()


@dataclass(frozen=True, slots=True)
class MemoryEstimate:
    weights_bytes: float
    kv_cache_bytes: float
    overhead_bytes: float
    total_bytes: float
    per_device_overhead_bytes: float = 0.0  # the part of overhead each extra device repeats
    kv_known: bool = True  # False when the dims lacked layers/heads (KV counted as 0)

    @property
    def total_gib(self) -> float:
        return self.total_bytes / GIB

    @property
    def weights_gib(self) -> float:
        return self.weights_bytes / GIB

    @property
    def kv_cache_gib(self) -> float:
        return self.kv_cache_bytes / GIB


def kv_bytes_per_token_layerwise(dims: ModelDims, kv_bytes: float) -> float:
    """KV bytes one token adds in one layer: 2 × kv_heads × head_dim × bytes (MLA: latent)."""
    if dims.kv_lora_rank:
        return (dims.kv_lora_rank + (dims.qk_rope_head_dim or 0)) * kv_bytes
    heads = dims.num_heads
    head_dim = dims.head_dim or (dims.hidden_size // heads if dims.hidden_size and heads else None)
    kv_heads = dims.num_kv_heads or heads
    if not (kv_heads and head_dim):
        return 0.0
    return 2 * kv_heads * head_dim * kv_bytes


def estimate_kv_cache_bytes(
    dims: ModelDims, context_tokens: int, batch: int = 1, kv_precision: str = "bf16"
) -> float:
    """KV cache bytes for `batch` sequences of `context_tokens` (see module docstring)."""
    per_layer_token = kv_bytes_per_token_layerwise(
        dims, precision_get(kv_precision).bytes_per_weight
    )
    layers = dims.num_layers or 0
    window = dims.sliding_window
    if window and window < context_tokens:
        sw_layers = layers
        if dims.sliding_window_layers is not None:
            sw_layers = min(dims.sliding_window_layers, layers)
        layer_tokens = sw_layers * window + (layers - sw_layers) * context_tokens
    else:
        layer_tokens = layers * context_tokens
    return per_layer_token * layer_tokens * batch


def estimate_memory(
    dims: ModelDims,
    precision: str,
    context_tokens: int,
    batch: int = 1,
    kv_precision: str = "bf16",
    overhead: Overhead = DEFAULT_OVERHEAD,
) -> MemoryEstimate:
    """Memory to serve `batch` sequences of `context_tokens` on one device (bytes).

    weights = params_total × bits/8 (all MoE experts); KV per module docstring;
    overhead = per_device_gib × 2**30 + activation_fraction × weights.
    """
    weights = dims.params_total * precision_get(precision).bytes_per_weight
    kv = estimate_kv_cache_bytes(dims, context_tokens, batch, kv_precision)
    per_device = overhead.per_device_gib * GIB
    over = per_device + overhead.activation_fraction * weights
    known = kv_bytes_per_token_layerwise(dims, 1.0) > 0 and bool(dims.num_layers)
    return MemoryEstimate(weights, kv, over, weights + kv + over, per_device, known)


TP_SIZES = (1, 2, 4, 8, 16, 32, 64)
UNIFIED_KINDS = ("apple", "cpu")


def accelerators_needed(
    memory: MemoryEstimate,
    accel: AcceleratorSpec,
    max_count: int = 8,
    usable_fraction: float = 0.9,
    unified_memory_fraction: float = 0.75,
) -> int | None:
    """Smallest tensor-parallel size N (1, 2, 4, 8, ...; ≤ max_count) such that
    (total − per-device overhead) / N + per-device overhead ≤ usable_fraction × memory.

    Weights, KV and activations split evenly across N devices; each device repeats its own
    fixed overhead. Apple/CPU unified memory caps usable_fraction at
    unified_memory_fraction (macOS wires at most ~75% of RAM for the GPU) and is one
    machine, never tensor-parallel (N = 1 only). None: no fit.
    """
    fraction = usable_fraction
    if accel.kind in UNIFIED_KINDS:
        fraction = min(fraction, unified_memory_fraction)
        max_count = 1
    usable = accel.memory_gib * GIB * fraction
    shared = memory.total_bytes - memory.per_device_overhead_bytes
    for n in TP_SIZES:
        if n > max_count:
            break
        if shared / n + memory.per_device_overhead_bytes <= usable:
            return n
    return None
