"""Throughput side of the estimate: roofline decode/prefill speed and calibration."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from benchmarks.estimate.memory import (
    DEFAULT_KV,
    AcceleratorSpec,
    ModelDims,
    estimate_kv_cache_bytes,
    precision_get,
)


@dataclass(frozen=True, slots=True)
class Efficiency:
    bandwidth: float = 0.7  # achieved / peak memory bandwidth during decode
    prefill_mfu: float = 0.5  # achieved / peak dense FLOP/s during prefill
    decode_mfu: float = 0.35  # achieved / peak FLOP/s when decode is compute bound
    tp_efficiency: float = 0.85  # multi-device scaling (count > 1)


DEFAULT_EFFICIENCY = Efficiency()


@dataclass(frozen=True, slots=True)
class ThroughputEstimate:
    decode_tokens_per_s_per_stream: float
    decode_tokens_per_s_total: float
    prefill_tokens_per_s: float
    ttft_s: float
    bound: Literal["memory", "compute"]


def _decode_step_s(
    dims: ModelDims, precision: str, accel: AcceleratorSpec, count: int, concurrency: int,
    mean_ctx: int, efficiency: Efficiency, kv_precision: str,
) -> tuple[float, float, float]:  # fmt: skip
    """(memory-bound step s, compute-bound step s, effective peak FLOP/s)."""
    prec = precision_get(precision)
    scale = count * (efficiency.tp_efficiency if count > 1 else 1.0)
    bandwidth = accel.bandwidth_gbps * 1e9 * efficiency.bandwidth * scale
    peak_flops = accel.tflops_for(prec.compute_dtype) * 1e12 * scale
    step_bytes = dims.active * prec.bytes_per_weight + estimate_kv_cache_bytes(
        dims, mean_ctx, concurrency, kv_precision
    )
    compute_s = concurrency * 2 * dims.active / (peak_flops * efficiency.decode_mfu)
    return step_bytes / bandwidth, compute_s, peak_flops


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
) -> ThroughputEstimate:
    """Roofline decode/prefill speed (module docstring). KV is read at the mean context
    prompt + output/2 for every one of `concurrency` streams; MoE reads active params only."""
    mem_s, compute_s, peak_flops = _decode_step_s(
        dims, precision, accel, count, concurrency, prompt_tokens + output_tokens // 2,
        efficiency, kv_precision,
    )  # fmt: skip
    step_s = max(mem_s, compute_s)
    prefill = peak_flops * efficiency.prefill_mfu / (2 * dims.active)
    return ThroughputEstimate(
        decode_tokens_per_s_per_stream=1 / step_s,
        decode_tokens_per_s_total=concurrency / step_s,
        prefill_tokens_per_s=prefill,
        ttft_s=prompt_tokens / prefill,
        bound="memory" if mem_s >= compute_s else "compute",
    )


@dataclass(frozen=True, slots=True)
class MeasuredRun:
    """One measured run, for calibration. Tokens/s may be None where not measured."""

    dims: ModelDims
    precision: str
    accel: AcceleratorSpec
    count: int = 1
    concurrency: int = 1
    prompt_tokens: int = 512
    output_tokens: int = 128
    decode_tokens_per_s_per_stream: float | None = None
    prefill_tokens_per_s: float | None = None


def calibrate_efficiency(
    measured: Sequence[MeasuredRun], base: Efficiency = DEFAULT_EFFICIENCY
) -> Efficiency:
    """Efficiency factors that reproduce measured runs (same accelerator family).

    The regime (memory or compute bound) of each run is judged at the `base` factors;
    then measured / (speed at 100% of that factor) is the implied factor, since tokens/s
    are linear in it within one regime. Memory-bound decode runs calibrate `bandwidth`,
    compute-bound ones `decode_mfu`, prefill runs `prefill_mfu`.
    The median of each is taken, clamped to [0.01, 1]; factors without data keep `base`.
    """
    ideal = Efficiency(1.0, 1.0, 1.0, base.tp_efficiency)
    bw: list[float] = []
    dmfu: list[float] = []
    pmfu: list[float] = []
    for run in measured:
        args = (run.dims, run.precision, run.accel, run.count, run.concurrency,
                run.prompt_tokens + run.output_tokens // 2)  # fmt: skip
        mem_s, compute_s, _ = _decode_step_s(*args, base, DEFAULT_KV)
        ideal_mem_s, ideal_compute_s, peak_flops = _decode_step_s(*args, ideal, DEFAULT_KV)
        if run.decode_tokens_per_s_per_stream:
            if mem_s >= compute_s:
                bw.append(run.decode_tokens_per_s_per_stream * ideal_mem_s)
            else:
                dmfu.append(run.decode_tokens_per_s_per_stream * ideal_compute_s)
        if run.prefill_tokens_per_s:
            pmfu.append(run.prefill_tokens_per_s * 2 * run.dims.active / peak_flops)

    def pick(values: list[float], default: float) -> float:
        return min(1.0, max(0.01, statistics.median(values))) if values else default

    return replace(
        base,
        bandwidth=pick(bw, base.bandwidth),
        decode_mfu=pick(dmfu, base.decode_mfu),
        prefill_mfu=pick(pmfu, base.prefill_mfu),
    )


def roofline_ratio(measured_tokens_per_s: float, bound_tokens_per_s: float) -> float:
    """measured / roofline bound (at 100% efficiency); > 1.5 means the figure is suspect."""
    if bound_tokens_per_s <= 0 or math.isnan(bound_tokens_per_s):
        return math.inf
    return measured_tokens_per_s / bound_tokens_per_s
