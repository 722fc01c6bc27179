"""Time the estimator: synthetic models × all accelerators × all precisions.

    .venv/bin/python bench/estimates.py [--models 10000] [--scalar-models 200]

Prints combinations/s for the scalar path (estimate_memory + accelerators_needed +
estimate_throughput per combination, timed on a subset and extrapolated) and for the
vectorized estimate_grid over the full set. Target: >= 1M combinations/s vectorized.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from benchmarks.estimate import (
    PRECISIONS,
    AcceleratorArrays,
    AcceleratorSpec,
    ModelArrays,
    ModelDims,
    accelerators_needed,
    estimate_grid,
    estimate_memory,
    estimate_throughput,
)

ROOT = Path(__file__).resolve().parent.parent


def synthetic_models(n: int, seed: int = 0) -> list[ModelDims]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        layers = int(rng.integers(12, 96))
        heads = int(rng.choice([16, 32, 64, 128]))
        hidden = heads * 128
        kv = int(rng.choice([1, 4, 8, heads]))
        params = int(12 * layers * hidden * hidden * rng.uniform(0.8, 1.3))
        moe = rng.random() < 0.2
        active = int(params * rng.uniform(0.05, 0.3)) if moe else None
        mla = rng.random() < 0.05
        window = int(rng.choice([4096, 8192])) if rng.random() < 0.1 else None
        out.append(ModelDims(
            params_total=params, params_active=active, num_layers=layers, hidden_size=hidden,
            num_heads=heads, num_kv_heads=kv, head_dim=128,
            kv_lora_rank=512 if mla else None, qk_rope_head_dim=64 if mla else None,
            sliding_window=window,
        ))  # fmt: skip
    return out


def accelerators() -> list[AcceleratorSpec]:
    rows = json.loads((ROOT / "benchmarks/data/accelerators.json").read_text())["accelerators"]
    return [AcceleratorSpec(r["slug"], r["name"], r["memory_gib"], r["bandwidth_gbps"],
                            r["bf16_tflops"], r["fp8_tflops"], r["int8_tops"], r["tdp_watts"],
                            r["kind"]) for r in rows]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument("--scalar-models", type=int, default=200)
    parser.add_argument("--smoke", action="store_true", help="50 models: crashes only")
    args = parser.parse_args()
    if args.smoke:
        args.models, args.scalar_models = 50, 5
    models = synthetic_models(args.models)
    accels = accelerators()
    precs = list(PRECISIONS)
    full = len(models) * len(accels) * len(precs)

    sub = models[: args.scalar_models]
    start = time.perf_counter()
    for d in sub:
        for p in precs:
            mem = estimate_memory(d, p, 4096)
            for a in accels:
                accelerators_needed(mem, a)
                estimate_throughput(d, p, a)
    scalar_s = time.perf_counter() - start
    scalar_n = len(sub) * len(accels) * len(precs)

    start = time.perf_counter()
    model_arrays = ModelArrays.from_dims(models)
    accel_arrays = AcceleratorArrays.from_specs(accels)
    prep_s = time.perf_counter() - start
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        grid = estimate_grid(model_arrays, accel_arrays, precs, context_tokens=4096)
        best = min(best, time.perf_counter() - start)
    assert grid.decode_tokens_per_s_per_stream.shape == (len(models), len(accels), len(precs))

    print(f"{len(models)} models x {len(accels)} accelerators x {len(precs)} precisions "
          f"= {full:,} combinations")  # fmt: skip
    print(f"{'path':<28}{'combinations':>14}{'seconds':>10}{'combinations/s':>18}")
    print(f"{'scalar (subset)':<28}{scalar_n:>14,}{scalar_s:>10.3f}{scalar_n / scalar_s:>18,.0f}")
    print(f"{'vectorized grid':<28}{full:>14,}{best:>10.3f}{full / best:>18,.0f}")
    total = best + prep_s
    print(f"{'vectorized incl. arrays':<28}{full:>14,}{total:>10.3f}{full / total:>18,.0f}")


if __name__ == "__main__":
    main()
