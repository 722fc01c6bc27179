"""Self-host speed and fit of models × hosts × precisions in one numpy pass (pure).

A "host" is one instance shape: an accelerator spec × a device count, with the efficiency
factors for that accelerator (calibrated from measured runs where there are some). The
formulas are those of `benchmarks.estimate` (estimate_memory, accelerators_needed,
estimate_throughput), broadcast over arrays instead of called once per cell, and extended
to the concurrency the planner needs:

- per-sequence KV bytes at the workload's context (prompt + output) and at its mean
  (prompt + output/2), from `estimate_kv_cache_bytes`;
- fits: (weights × (1 + activation fraction) + KV of one sequence) / count
  + per-device overhead ≤ usable fraction × memory (unified memory: one device only);
- largest batch that fits: (usable × count − count × per-device overhead
  − weights × (1 + activation fraction)) / KV per sequence;
- concurrency = clip(min(peak streams, largest batch, max_concurrency), 1);
- decode step s = max((active × bytes/weight + concurrency × mean KV) / (bandwidth × eff
  × scale), concurrency × 2 × active / (FLOP/s × decode MFU × scale)), scale = count ×
  tp_efficiency (count > 1) — stream tokens/s = 1 / step, total = concurrency / step;
- prefill tokens/s = FLOP/s × prefill MFU × scale / (2 × active); TTFT = prompt / prefill.

`tests/planner/test_selfhost.py` checks cells against the scalar estimator functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from benchmarks.estimate import (
    DEFAULT_EFFICIENCY,
    DEFAULT_OVERHEAD,
    GIB,
    UNIFIED_KINDS,
    AcceleratorSpec,
    Efficiency,
    ModelDims,
    Overhead,
    estimate_kv_cache_bytes,
    precision_get,
)

PLAN_PRECISIONS = ("bf16", "fp8", "int8", "int4-awq")


@dataclass(frozen=True, slots=True)
class Host:
    spec: AcceleratorSpec
    count: int
    efficiency: Efficiency = DEFAULT_EFFICIENCY


@dataclass(frozen=True, slots=True)
class HostGrid:
    """Arrays indexed [model, host, precision]."""

    fits: np.ndarray  # bool
    memory_needed_gib: np.ndarray  # all devices together, one sequence at the context
    concurrency: np.ndarray  # streams one instance serves at once
    decode_tokens_per_s_total: np.ndarray
    stream_tokens_per_s: np.ndarray
    prefill_tokens_per_s: np.ndarray
    ttft_s: np.ndarray


def host_grid(
    dims: Sequence[ModelDims],
    hosts: Sequence[Host],
    precisions: Sequence[str] = PLAN_PRECISIONS,
    *,
    prompt_tokens: int,
    output_tokens: int,
    peak_concurrency: int,
    max_concurrency: int = 256,
    overhead: Overhead = DEFAULT_OVERHEAD,
    usable_fraction: float = 0.9,
    unified_memory_fraction: float = 0.75,
) -> HostGrid:
    """Fit and speed of every model on every host at every precision (module docstring)."""
    k, p = len(hosts), len(precisions)
    precs = [precision_get(name) for name in precisions]
    bpw = np.array([x.bytes_per_weight for x in precs])  # (P,)
    prompt = max(int(prompt_tokens), 1)
    context = prompt + max(int(output_tokens), 0)
    mean_ctx = prompt + max(int(output_tokens), 0) // 2
    total = np.array([d.params_total for d in dims], dtype=np.float64)
    active = np.array([d.active for d in dims], dtype=np.float64)
    kv_seq = np.array([estimate_kv_cache_bytes(d, context) for d in dims], dtype=np.float64)
    kv_mean = np.array([estimate_kv_cache_bytes(d, mean_ctx) for d in dims], dtype=np.float64)

    unified = np.array([h.spec.kind in UNIFIED_KINDS for h in hosts])
    count = np.array([h.count for h in hosts], dtype=np.float64)
    fraction = np.where(unified, min(usable_fraction, unified_memory_fraction), usable_fraction)
    usable = np.array([h.spec.memory_gib for h in hosts]) * GIB * fraction  # (K,)
    scale = count * np.array([h.efficiency.tp_efficiency if h.count > 1 else 1.0 for h in hosts])
    bandwidth = (
        np.array([h.spec.bandwidth_gbps * 1e9 * h.efficiency.bandwidth for h in hosts]) * scale
    )
    flops = (
        np.array(
            [[h.spec.tflops_for(x.compute_dtype) * 1e12 for x in precs] for h in hosts]
        ).reshape(k, p)
        * scale[:, None]
    )  # (K, P)
    decode_mfu = np.array([h.efficiency.decode_mfu for h in hosts])[:, None]
    prefill_mfu = np.array([h.efficiency.prefill_mfu for h in hosts])[:, None]

    # In-place steps on a few (M, K, P) buffers (fresh arrays would each cost page faults
    # on a grid of ~10^5 cells); each line keeps the scalar formula's operation order, so
    # the cells equal the estimator functions' figures bit for bit.
    per_device = overhead.per_device_gib * GIB
    weights = total[:, None] * bpw[None, :] * (1.0 + overhead.activation_fraction)  # (M, P)
    shared = (weights + kv_seq[:, None])[:, None, :]  # (M, 1, P)
    c3 = count[None, :, None]
    needed = shared / c3
    needed += per_device
    fits = needed <= usable[None, :, None]
    fits &= ((count == 1) | ~unified)[None, :, None]
    fits &= (total > 0)[:, None, None]
    # largest batch that fits, then the streams one instance serves
    conc = (usable - per_device)[None, :, None] * c3 - weights[:, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(conc, kv_seq[:, None, None], out=conc)
    conc[kv_seq <= 0] = max_concurrency
    np.floor(conc, out=conc)
    np.minimum(conc, min(peak_concurrency, max_concurrency), out=conc)
    np.maximum(conc, 1, out=conc)

    safe_active = np.where(active > 0, active, 1.0)[:, None, None]
    step = conc * kv_mean[:, None, None]  # memory-bound step: bytes read / bandwidth
    step += active[:, None, None] * bpw[None, None, :]
    step /= bandwidth[None, :, None]
    compute_s = conc * 2
    compute_s *= safe_active
    compute_s /= (flops * decode_mfu)[None, :, :]
    np.maximum(step, compute_s, out=step)
    stream = np.divide(1.0, step, out=compute_s)
    prefill = (flops * prefill_mfu)[None, :, :] / (2 * safe_active)
    memory = shared + per_device * c3
    memory /= GIB
    return HostGrid(
        fits=fits,
        memory_needed_gib=memory,
        concurrency=conc,
        decode_tokens_per_s_total=conc / step,
        stream_tokens_per_s=stream,
        prefill_tokens_per_s=prefill,
        ttft_s=prompt / prefill,
    )


def instances_needed(
    grid: HostGrid,
    *,
    requests_per_s: float,
    output_tokens: float,
    prefill_tokens: float,
    peak_concurrency: int,
    min_stream_tokens_per_s: float | None,
    max_utilization: float,
) -> np.ndarray:
    """Instances each cell needs: planner.costs.selfhost_instances broadcast over the grid,
    max(1, ⌈peak × stream ÷ total⌉, ⌈R/s × (out ÷ total + prefill ÷ prefill/s) ÷ util⌉)."""
    total = np.where(grid.decode_tokens_per_s_total > 0, grid.decode_tokens_per_s_total, np.inf)
    stream = (
        grid.stream_tokens_per_s if min_stream_tokens_per_s is None else min_stream_tokens_per_s
    )
    need = peak_concurrency * stream / total  # peak streams (same operation order, in place)
    seconds = output_tokens / total
    prefill = np.where(grid.prefill_tokens_per_s > 0, grid.prefill_tokens_per_s, np.inf)
    np.divide(prefill_tokens, prefill, out=prefill)
    seconds += prefill
    avg_need = np.multiply(requests_per_s, seconds, out=seconds)
    avg_need /= max_utilization
    np.maximum(need, avg_need, out=need)
    need -= 1e-9
    np.ceil(need, out=need)
    return np.maximum(need, 1).astype(np.int64)


def best_precision(fits: np.ndarray, ok: np.ndarray, instances: np.ndarray) -> np.ndarray:
    """One precision per (model, host): among the cells that fit and meet the latency
    target, the fewest instances, ties to the widest precision (first in the precision
    axis); where none meets the target, the widest that fits (the engine then counts it as
    missing the target). The others cost the same or more at lower precision, so they are
    left out before ranking. Returns the mask of kept cells."""
    big = np.iinfo(np.int64).max
    score = np.where(fits & ok, instances, big)
    pick = np.argmin(score, axis=2)  # first minimum: the widest precision among equals
    has_ok = (score < big).any(axis=2)
    first_fit = np.argmax(fits, axis=2)
    pick = np.where(has_ok, pick, first_fit)
    keep = np.zeros_like(fits)
    m_idx, k_idx = np.indices(pick.shape)
    keep[m_idx, k_idx, pick] = True
    return keep & fits
