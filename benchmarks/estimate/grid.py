"""Vectorized screen over models × accelerators × precisions (numpy broadcasting).

A coarse, legacy screen (fixed overhead, tensor-parallel scaling, no engine): it answers
"which of a million combinations can possibly fit" fast. Figures users see come from the
engine-aware scalar estimate (memory.py, speed.py) with calibration."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from benchmarks.estimate.dims import GIB, ModelDims, kv_bytes_per_token_layer
from benchmarks.estimate.engines import Efficiency
from benchmarks.estimate.formats import precision_get
from benchmarks.estimate.memory import (
    DEFAULT_OVERHEAD,
    TP_SIZES,
    UNIFIED_KINDS,
    AcceleratorSpec,
    Overhead,
)
from benchmarks.estimate.speed import DEFAULT_EFFICIENCY


@dataclass(frozen=True, slots=True)
class ModelArrays:
    """Column arrays (length M) of ModelDims; KV per token per layer is precomputed in
    elements (multiply by KV bytes), 0 where the dims are incomplete."""

    params_total: np.ndarray
    params_active: np.ndarray
    num_layers: np.ndarray
    kv_elements_per_layer_token: np.ndarray
    sliding_window: np.ndarray  # 0 = none
    sliding_window_layers: np.ndarray

    @classmethod
    def from_dims(cls, dims: Sequence[ModelDims]) -> ModelArrays:
        layers = [d.num_layers or 0 for d in dims]
        sw_layers = [
            layers[i]
            if d.sliding_window_layers is None
            else min(d.sliding_window_layers, layers[i])
            for i, d in enumerate(dims)
        ]
        return cls(
            np.array([d.params_total for d in dims], dtype=np.float64),
            np.array([d.active for d in dims], dtype=np.float64),
            np.array(layers, dtype=np.float64),
            np.array([kv_bytes_per_token_layer(d, 1.0) or 0.0 for d in dims], dtype=np.float64),
            np.array([d.sliding_window or 0 for d in dims], dtype=np.float64),
            np.array(sw_layers, dtype=np.float64),
        )


@dataclass(frozen=True, slots=True)
class AcceleratorArrays:
    memory_gib: np.ndarray
    bandwidth_gbps: np.ndarray
    tflops: dict[str, np.ndarray]  # compute dtype -> TFLOP/s with bf16 fallback
    unified: np.ndarray  # bool: apple / cpu

    @classmethod
    def from_specs(cls, specs: Sequence[AcceleratorSpec]) -> AcceleratorArrays:
        return cls(
            np.array([a.memory_gib for a in specs], dtype=np.float64),
            np.array([a.bandwidth_gbps for a in specs], dtype=np.float64),
            {k: np.array([a.tflops_for(k) for a in specs]) for k in ("bf16", "fp8", "int8")},
            np.array([a.kind in UNIFIED_KINDS for a in specs]),
        )


@dataclass(frozen=True, slots=True)
class GridEstimate:
    """Arrays indexed [model, accelerator, precision] (memory: [model, precision])."""

    total_bytes: np.ndarray  # (M, P) one device
    accelerators_needed: np.ndarray  # (M, A, P) int, 0 = does not fit in max_count
    decode_tokens_per_s_per_stream: np.ndarray  # (M, A, P) on one device
    prefill_tokens_per_s: np.ndarray  # (M, A, P) on one device


def _kv_grid(models: ModelArrays, tokens: int, batch: int, kv_bytes: float) -> np.ndarray:
    window = models.sliding_window
    capped = (window > 0) & (window < tokens)
    sw = np.where(capped, models.sliding_window_layers, 0.0)
    layer_tokens = sw * np.where(capped, window, 0.0) + (models.num_layers - sw) * tokens
    return models.kv_elements_per_layer_token * kv_bytes * layer_tokens * batch


def estimate_grid(
    models: ModelArrays,
    accelerators: AcceleratorArrays,
    precisions: Sequence[str],
    context_tokens: int = 4096,
    prompt_tokens: int = 512,
    output_tokens: int = 128,
    kv_precision: str = "bf16",
    overhead: Overhead = DEFAULT_OVERHEAD,
    efficiency: Efficiency = DEFAULT_EFFICIENCY,
    max_count: int = 8,
    usable_fraction: float = 0.9,
    unified_memory_fraction: float = 0.75,
) -> GridEstimate:
    """The scalar formulas broadcast over models × accelerators × precisions (batch 1,
    concurrency 1, one device for speed). Same results as estimate_memory,
    accelerators_needed and estimate_throughput (tested)."""
    precs = [precision_get(p) for p in precisions]
    bpw = np.array([p.bytes_per_weight for p in precs])  # (P,)
    kv_bytes = precision_get(kv_precision).bytes_per_weight
    weights = models.params_total[:, None] * bpw[None, :]  # (M, P)
    per_device = overhead.per_device_gib * GIB
    kv = _kv_grid(models, context_tokens, 1, kv_bytes)[:, None]
    total = weights + kv + per_device + overhead.activation_fraction * weights
    fraction = np.where(
        accelerators.unified, min(usable_fraction, unified_memory_fraction), usable_fraction
    )
    usable = (accelerators.memory_gib * GIB * fraction)[None, :, None]  # (1, A, 1)
    shared = (total - per_device)[:, None, :]  # (M, 1, P)
    needed = np.zeros(shared.shape[:1] + usable.shape[1:2] + shared.shape[2:], dtype=np.int32)
    for n in reversed([n for n in TP_SIZES if n <= max_count]):
        fits = (shared / n + per_device <= usable) & (
            (n == 1) | ~accelerators.unified[None, :, None]
        )
        needed = np.where(fits, n, needed)
    bandwidth = accelerators.bandwidth_gbps * 1e9 * efficiency.bandwidth  # (A,)
    step_bytes = models.params_active[:, None] * bpw[None, :]
    step_bytes = (
        step_bytes + _kv_grid(models, prompt_tokens + output_tokens // 2, 1, kv_bytes)[:, None]
    )
    # a compute dtype the accelerator table has no column for runs at its bf16 rate
    tflops = [accelerators.tflops.get(p.compute_dtype, accelerators.tflops["bf16"]) for p in precs]
    flops = np.stack(tflops, axis=1) * 1e12  # (A, P)
    mem_s = step_bytes[:, None, :] / bandwidth[None, :, None]
    two_active = 2 * models.params_active[:, None, None]
    compute_s = two_active / (flops[None, :, :] * efficiency.decode_mfu)
    decode = 1.0 / np.maximum(mem_s, compute_s)
    prefill = flops[None, :, :] * efficiency.prefill_mfu / two_active
    return GridEstimate(total, needed, decode, prefill)
