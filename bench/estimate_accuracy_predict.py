"""Predictions for bench/estimate_accuracy.py: each row through the estimator (no Django).

A row is predicted with the calibration it would get in the product, leave-one-out when
the row itself calibrates (`CalibrationSet.for_accelerator(..., exclude=key)`); a row
that speculates uses the speculative model with ω fitted on the other trusted
speculative runs (benchmarks/estimate/speculative.py).
"""

from __future__ import annotations

from dataclasses import replace

from bench.estimate_accuracy_memory import predict_memory
from bench.estimate_accuracy_rows import Row
from benchmarks.estimate import (
    ROOFLINE,
    CalibrationSet,
    Observation,
    engine_get,
    estimate_memory,
    estimate_speed,
    usable_gib,
    weight_bytes,
)
from benchmarks.estimate.memory import Offload, offload_plan
from benchmarks.estimate.speculative import (
    fit_step_overhead,
    implied_step_overhead,
    speculative_tokens_per_s,
    step_seconds,
)
from benchmarks.estimate.speed import layers_of

GIB = 2**30


def observations(rows: list[Row]) -> list[Observation]:
    return [
        Observation(
            r.key,
            r.dims,
            r.precision,
            r.accel,
            r.engine,
            r.count,
            r.prompt_tokens,
            r.output_tokens,
            r.kv_precision,
            r.decode,
            r.prefill,
        )
        for r in rows
        if r.calibrates
        and r.predictable
        and r.concurrency == 1
        and (r.decode or r.prefill)
        and r.spec is None
        and not r.cpu_moe_layers
        and _offload(r) == Offload()
    ]


def _offload(row: Row) -> Offload:
    """What the run held in host memory: `--n-cpu-moe` experts, `-ngl` below the layer
    count, and whatever did not fit its devices at the context it held (experts first on
    llama.cpp, layers on Ollama: memory.offload_plan)."""
    mem = estimate_memory(
        row.dims,
        row.precision,
        row.fit_context,
        1,
        row.kv_precision,
        engine=row.engine,
        count=row.count,
        apple=row.accel.unified,
    )
    w = weight_bytes(row.dims, row.precision)
    expert_total = w.expert_bytes * w.num_experts
    stated = min(row.cpu_moe_layers / layers_of(row.dims), 1.0) if row.cpu_moe_layers else 0.0
    if stated:  # --n-cpu-moe: those layers' experts live in host memory
        host = expert_total * stated
        mem = replace(
            mem, total_bytes=mem.total_bytes - host, weights_bytes=mem.weights_bytes - host
        )
    eng = engine_get(row.engine)
    plan = offload_plan(
        replace(mem, engine="llama.cpp") if eng.fit_rule == "vllm" else mem,
        expert_total * (1 - stated),
        row.accel,
        row.count,
        experts_first=eng.name in ("llama.cpp", "lmstudio"),
    )
    layers = plan.layers
    if row.gpu_layers is not None and row.dims.num_layers and row.gpu_layers < row.dims.num_layers:
        layers = max(layers, 1 - row.gpu_layers / row.dims.num_layers)
    return Offload(layers, stated + (1 - stated) * plan.experts)


ROOFLINE_SLACK = 1.1  # spec-sheet bandwidth and timer noise


def above_roofline(row: Row) -> bool:
    """Physically impossible as labelled: plain decoding measured faster than the stated
    model's weights (+ KV) can stream through the stated devices at 100% of their peak
    bandwidth with no per-layer cost and nothing offloaded (ROOFLINE_SLACK above it).
    Such a row measured another model or format than it names (e.g. `-ngl 28` on a
    64-layer model: the layer count of a 0.6B model); it is classified, not scored.
    Only rows whose dims are the model's own are checked."""
    if row.spec is not None or not row.decode or row.concurrency != 1 or not row.own_dims:
        return False  # a size from the name (MoE unknown) bounds nothing
    bound = _roofline(row)
    return row.decode > ROOFLINE_SLACK * bound.decode_tokens_per_s_total


def _roofline(row: Row):
    """The row's speed at the hardware's peak (100% bandwidth, no per-layer cost)."""
    return estimate_speed(
        row.dims,
        row.precision,
        row.accel,
        engine=row.engine,
        count=row.count,
        prompt_tokens=row.decode_context_prompt,
        output_tokens=row.output_tokens,
        kv_precision=row.kv_precision,
        efficiency=ROOFLINE,
    )


def resolve_end_to_end(row: Row) -> None:
    """A row whose decode figure may be end to end (output / (TTFT + decode), the
    leaderboard's relation without a stated TTFT) is read as end to end only where that is
    physically possible: at most ROOFLINE_SLACK × the end-to-end rate of a prefill at the
    devices' peak FLOP/s and a decode at 100% of their bandwidth. A 27B model cannot
    prefill 60k tokens and decode 128 at 77 tok/s end to end on one RTX 5090 (the prefill
    alone takes over 7 s at 419 dense FP8 TFLOP/s), so that figure is the decode rate."""
    if not (row.extra.get("e2e_unstated") and row.e2e and row.predictable and row.decode):
        return
    bound = _roofline(row)
    if row.decode > ROOFLINE_SLACK * bound.e2e_output_tokens_per_s:
        row.e2e = False


def spec_overheads(rows: list[Row], calib: CalibrationSet) -> dict[str, float]:
    """The step overhead ω each trusted speculative run implies (its own row key -> ω),
    with the plain calibration it gets; a prediction fits ω on all but its own."""
    out = {}
    for row in rows:
        if not (row.spec and row.calibrates and row.predictable and row.decode):
            continue
        if row.concurrency != 1 or _offload(row) != Offload():
            continue
        cal = calib.for_accelerator(row.engine, row.accel, exclude=row.key)
        parts = step_seconds(
            row.dims,
            row.precision,
            row.accel,
            row.spec,
            engine=row.engine,
            count=row.count,
            context_tokens=row.decode_context_prompt + row.output_tokens // 2,
            kv_precision=row.kv_precision,
            efficiency=cal.efficiency,
        )
        out[row.key] = implied_step_overhead(row.decode, row.spec, parts)
    return out


def predict(row: Row, calib: CalibrationSet, overheads: dict[str, float] | None = None) -> dict:
    cal = calib.for_accelerator(row.engine, row.accel, exclude=row.key if row.calibrates else None)
    off = _offload(row)
    speed = estimate_speed(
        row.dims,
        row.precision,
        row.accel,
        engine=row.engine,
        count=row.count,
        concurrency=row.concurrency,
        prompt_tokens=row.decode_context_prompt,
        output_tokens=row.output_tokens,
        kv_precision=row.kv_precision,
        efficiency=cal.efficiency,
        offload_fraction=off.layers,
        host_expert_fraction=off.experts,
    )
    decode = speed.e2e_output_tokens_per_s if row.e2e else speed.decode_tokens_per_s_total
    if row.spec is not None and row.concurrency == 1:
        rate = speculative_tokens_per_s(
            row.dims,
            row.precision,
            row.accel,
            row.spec,
            engine=row.engine,
            count=row.count,
            context_tokens=row.decode_context_prompt + row.output_tokens // 2,
            kv_precision=row.kv_precision,
            efficiency=cal.efficiency,
            offload_fraction=off.layers,
            host_expert_fraction=off.experts,
            step_overhead=fit_step_overhead(
                [w for k, w in (overheads or {}).items() if k != row.key]
            ),
        )
        out_tokens = max(row.output_tokens, 1)
        decode = out_tokens / (speed.ttft_s + out_tokens / rate) if row.e2e else rate
    out = {
        "decode": decode,
        "prefill": speed.prefill_tokens_per_s,
        "level": cal.level,
        "band": cal.band,
    }
    eng = engine_get(row.engine)
    out["memory"] = predict_memory(row, off)
    if eng.fit_rule != "vllm":
        out["memory_usable"] = usable_gib(row.accel, eng)
    return out
