"""How close are the estimates to measured reality? Scores every public measurement we have.

    .venv/bin/python bench/estimate_accuracy.py [--shared ../shared] [--rows CSV] [--worst N]
                                                [--smoke]

Sources (every row of each is scored; a row the estimator cannot predict is counted and its
reason printed):
- ../shared/hardware/llmfit/benchmark_cache.json: 1,010 distinct rows (1,111 with the
  presets' repeats) that llmfit scraped from a third-party leaderboard ("localmaxxing",
  2026-08-10). Validation only: no product constant is fitted on it and it is never
  imported. https://github.com/AlexsJones/llmfit (llmfit-core/data/benchmark_cache.json)
- ../shared/hardware/llmfit/community/: 70 llmfit community submissions (MIT),
  https://github.com/AlexsJones/llmfit/tree/main/llmfit-core/data/community
- benchmarks/data/published_runs.json: curated published runs, each with its source URL
  (XiongjieDai/GPU-Benchmarks-on-LLM-Inference README, LLaMA 3 tables, May 2024;
  sudoingX/qwen38-mtp README, Qwen3.8-27B with and without MTP speculative decoding on 27
  single GPUs, Aug 2026, with the VRAM its footnotes state; treeru.com AWQ speed benchmark,
  SGLang 0.5.8 single request on an RTX PRO 6000, 12 models, Feb 2026; joshua8.ai vLLM
  v0.15/v0.16 sequential runs on an RTX 5090; voipmonitor/rtx6kpro, vLLM TP4 Qwen3.5-397B-
  A17B single-user decode at 0-128k context, Mar 2026).
The community and published rows are what the product calibrates on, so each of them is
predicted leave-one-out: by a calibration fitted without that row (speculative rows: the
step overhead fitted on the other trusted speculative runs).

How rows are read (bench/estimate_accuracy_cache.py, _flags.py, _memory.py): speculative
decoding, `-np` slots, `--n-cpu-moe`, `-c` / llama-bench contexts and vLLM's memory
utilization from the command line and notes; a vLLM row loading a GGUF k-quant is scored
as the llama.cpp-compatible server it ran on. Classified and counted apart, never scored:
plain decoding measured above the stated model's 100%-bandwidth roofline (mislabelled),
memory readings the notes call whole-machine, and flat memory series (module docstrings).

Model dims come from the catalog seed llmfit ships (../shared/hardware/llmfit/hf_models.json,
from the Hub API) with ../shared/hub/configs layered on top where a config is there (layer
kinds, tied embeddings), then bench/estimate_accuracy_models.json (model cards, each with
its source); a benchmark_cache row whose model is in none uses the row's own published
size (billions of parameters) and so has no KV dims.

Baselines on the same rows: "roofline × 0.7" (0.7 × one device's bandwidth / weight bytes)
and llmfit's own formula (llmfit-core fit.rs estimate_tps: bandwidth from its substring
table / (params × its bytes-per-param) × 0.55, × 0.9 on several GPUs).
Error = predicted / measured − 1; tables show median and p90 of |error|.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.estimate_accuracy_cache import rows_benchmark_cache  # noqa: E402
from bench.estimate_accuracy_memory import flat_series  # noqa: E402
from bench.estimate_accuracy_predict import (  # noqa: E402
    above_roofline,
    observations,
    predict,
    resolve_end_to_end,
    spec_overheads,
)
from bench.estimate_accuracy_report import report, worst  # noqa: E402
from bench.estimate_accuracy_rows import (  # noqa: E402
    Row,
    load_catalog,
    rows_community,
    rows_published,
)
from benchmarks.estimate import CalibrationSet, weight_bytes  # noqa: E402


def baseline_roofline(row: Row) -> float:
    w = weight_bytes(row.dims, row.precision)
    return 0.7 * row.accel.bandwidth_gbps * 1e9 / w.read_per_token


def baseline_llmfit(row: Row, llmfit_bw: list[tuple[str, float]]) -> float | None:
    name = (row.device or "").lower()
    bw = next((v for k, v in llmfit_bw if k in name), None)
    if bw is None:
        return None
    bpp = {
        "gguf-f16": 2.0,
        "fp16": 2.0,
        "bf16": 2.0,
        "q8_0": 1.0,
        "q6_k": 0.75,
        "q5_k_m": 0.625,
        "q4_k_m": 0.5,
        "q4_0": 0.5,
        "q3_k_m": 0.375,
        "q2_k": 0.25,
        "mxfp4": 0.53,
        "mxfp4_moe": 0.53,
        "mlx-4bit": 0.5,
        "mlx-8bit": 1.0,
        "fp8": 1.0,
        "int8": 1.0,
    }.get(row.precision, 0.5)
    params = row.dims.active / 1e9
    tps = bw / (params * bpp) * 0.55
    return tps * (0.9 if row.count > 1 else 1.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--rows", help="write every row with its predictions to this CSV")
    parser.add_argument("--worst", type=int, default=0, help="print the N worst decode rows")
    parser.add_argument(
        "--smoke", action="store_true", help="every 10th row of each source (seconds; CI)"
    )
    args = parser.parse_args()
    shared = Path(args.shared)
    if not (shared / "hardware/llmfit/benchmark_cache.json").exists():
        print(f"SKIP: {shared}/hardware/llmfit is absent (the shared reference data)")
        return 0
    catalog = load_catalog(shared)
    sources = [
        rows_published(catalog),
        rows_community(shared, catalog),
        rows_benchmark_cache(shared, catalog),
    ]
    rows = [r for rs in sources for r in (rs[::10] if args.smoke else rs)]
    for row in rows:
        resolve_end_to_end(row)
        if row.predictable and above_roofline(row):
            row.reason = "measured above the stated model's memory roofline (mislabelled run)"
    calib = CalibrationSet.build(observations(rows))
    overheads = spec_overheads(rows, calib)
    llmfit_bw = [
        (r["name_substring_lowercase"], float(r["memory_bandwidth_gb_s"]))
        for r in csv.DictReader((shared / "hardware/llmfit/gpu_memory_bandwidth_gbps.csv").open())
    ]
    results = []
    for row in rows:
        res = {"row": row}
        if row.predictable:
            res.update(predict(row, calib, overheads))
            res["roof"] = baseline_roofline(row) if row.concurrency == 1 else None
            res["llmfit"] = baseline_llmfit(row, llmfit_bw) if row.concurrency == 1 else None
        results.append(res)
    flat = flat_series(results)
    for res in results:  # memory readings that do not follow the allocation
        if res["row"].key in flat:
            res["memory"] = None
            res["row"].extra["memory_class"] = "flat reading: does not follow the allocation"
    report(results)
    if args.worst:
        worst(results, args.worst)
    if args.rows:
        write_rows(results, Path(args.rows))
    return 0


def write_rows(results: list[dict], path: Path) -> None:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "source",
                "key",
                "engine",
                "accelerator",
                "count",
                "precision",
                "model",
                "prompt",
                "output",
                "concurrency",
                "measured_decode",
                "predicted_decode",
                "level",
                "band",
                "measured_memory",
                "predicted_memory",
                "reason",
                "spec",
            ]
        )
        for r in results:
            row = r["row"]
            w.writerow(
                [
                    row.source,
                    row.key,
                    row.engine,
                    row.accel.slug if row.accel else "",
                    row.count,
                    row.precision,
                    row.model,
                    row.prompt_tokens,
                    row.output_tokens,
                    row.concurrency,
                    row.decode,
                    r.get("decode"),
                    r.get("level"),
                    r.get("band"),
                    row.memory,
                    r.get("memory"),
                    row.reason,
                    _spec_label(row),
                ]
            )


def _spec_label(row: Row) -> str:
    spec = row.spec
    if spec is None:
        return ""
    acc = f"r={spec.accepted_ratio:.2f}" if spec.accepted_ratio is not None else f"a={spec.alpha}"
    return f"{spec.method} k={spec.k} {acc}"


if __name__ == "__main__":
    raise SystemExit(main())
