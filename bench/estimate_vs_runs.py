"""Compare recorded benchmark runs with the estimator (peak memory, decode tokens/s).

    DATABASE_URL=... .venv/bin/python bench/estimate_vs_runs.py

For each run that is not scaled down: the dims that ran (catalog dims, or the runner's
`params_run` + arch for random-weight runs), the estimate on the run's accelerator row
(CPU/Apple rows: no per-device CUDA overhead), measured values and error %.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from benchmarks.estimate import (  # noqa: E402
    DEFAULT_OVERHEAD,
    MeasuredRun,
    ModelDims,
    Overhead,
    calibrate_efficiency,
    estimate_memory,
    estimate_throughput,
)
from benchmarks.models import BenchmarkRun  # noqa: E402
from benchmarks.services import accelerator_spec, model_dims  # noqa: E402


def run_dims(run: BenchmarkRun) -> ModelDims | None:
    env = run.environment
    if env.get("random_weights") and env.get("params_run"):
        a = env["arch"]
        return ModelDims(params_total=env["params_run"], num_layers=a["num_layers"],
                         hidden_size=a["hidden_size"], num_heads=a["num_heads"],
                         num_kv_heads=a["num_kv_heads"])  # fmt: skip
    return model_dims(run.model)


def main() -> None:
    print(f"{'model':<30}{'prec':>5}{'c':>3}{'accel':>18}{'est GiB':>9}{'meas GiB':>9}{'err%':>7}"
          f"{'est tok/s':>10}{'meas tok/s':>11}{'err%':>8}")  # fmt: skip
    measured = []
    runs = BenchmarkRun.objects.filter(scaled_down=False).select_related("model", "accelerator")
    for run in runs:
        dims = run_dims(run)
        if dims is None:
            continue
        spec = accelerator_spec(run.accelerator)
        unified = spec.kind in ("cpu", "apple")
        overhead = (
            Overhead(per_device_gib=0, activation_fraction=0.05) if unified else DEFAULT_OVERHEAD
        )
        ctx = run.input_tokens + run.output_tokens
        mem = estimate_memory(dims, run.precision, ctx, run.concurrency, overhead=overhead)
        est = estimate_throughput(dims, run.precision, spec, run.accelerator_count,
                                  run.concurrency, run.input_tokens, run.output_tokens)  # fmt: skip
        meas = run.decode_tokens_per_s_per_stream or 0
        mem_err = (mem.total_gib - run.peak_memory_gib) / run.peak_memory_gib * 100
        tok_err = (est.decode_tokens_per_s_per_stream - meas) / meas * 100
        print(f"{run.model.repo_id[-30:]:<30}{run.precision:>5}{run.concurrency:>3}"
              f"{spec.slug[-18:]:>18}{mem.total_gib:>9.3f}{run.peak_memory_gib:>9.3f}"
              f"{mem_err:>7.1f}{est.decode_tokens_per_s_per_stream:>10.1f}{meas:>11.2f}"
              f"{tok_err:>8.0f}")  # fmt: skip
        measured.append(MeasuredRun(dims, run.precision, spec, run.accelerator_count,
                                    run.concurrency, run.input_tokens, run.output_tokens,
                                    meas, run.prefill_tokens_per_s))  # fmt: skip
    if measured:
        eff = calibrate_efficiency(measured)
        print(f"calibrated from these runs: bandwidth={eff.bandwidth:.3f} "
              f"prefill_mfu={eff.prefill_mfu:.4f} decode_mfu={eff.decode_mfu:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
