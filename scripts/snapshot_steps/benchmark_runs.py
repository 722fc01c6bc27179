"""Snapshot step: measured runs the estimates calibrate on, and a few CPU smoke runs.

- published runs (benchmarks/data/published_runs.json: each with its source URL), trusted;
- llmfit community submissions (../shared/hardware/llmfit/community, MIT), community
  trust, hardware resolved by exact alias (unknown hardware kept as unknown);
- real CPU runs of tiny random-weight models built from the dims of a few catalog models
  (scaled down: untrusted, shown, never used for estimates), when torch is installed.

benchmark_cache.json in ../shared is a third-party scrape: it is not imported here (it is
only scored against in bench/estimate_accuracy.py and tests).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

ARCH_TYPES = ("llama", "qwen2", "mistral")
MAX_MODELS = 3


def run(shared: Path, log: Callable[[str], None]) -> None:
    from benchmarks.services import community_runs_import, published_runs_import

    published = published_runs_import()
    log(f"published runs: created={published.created} rejected={published.rejected}")
    community_root = shared / "hardware/llmfit/community"
    if community_root.is_dir():
        counts = community_runs_import(root=community_root)
        log(
            f"community runs: created={counts.created} rejected={counts.rejected} "
            f"unknown hardware={counts.unknown_hardware}"
        )
    from benchmarks.selectors.calibration import calibrations

    for cal in calibrations().speed.family_calibrations():
        log(f"calibration {cal.group}: {cal.runs} runs, ±{cal.band:.0%} (leave-one-out p80)")
    _cpu_smoke_runs(log)


def _cpu_smoke_runs(log: Callable[[str], None]) -> None:
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError:
        log("torch/transformers not installed: no CPU runs recorded")
        return
    from benchmarks.services import benchmark_run_local
    from catalog.models import Model

    models = list(
        Model.objects.filter(model_type__in=ARCH_TYPES, num_layers__isnull=False,
                             num_heads__isnull=False, params_total__isnull=False)
        .order_by("-downloads", "id")[:MAX_MODELS]
    )  # fmt: skip
    if not models:
        log("no llama/qwen2/mistral catalog models with dims: no CPU runs recorded")
        return
    for model in models:
        runs = benchmark_run_local(
            model_repo_id=model.repo_id, engine="transformers", precision="bf16",
            input_len=128, output_len=16, concurrency=[1, 4], random_weights=True,
        )  # fmt: skip
        for r in runs:
            log(
                f"{model.repo_id} (scaled down) c={r.concurrency}: ttft={r.ttft_ms:.1f}ms "
                f"decode={r.decode_tokens_per_s:.1f} tok/s peak={r.peak_memory_gib:.3f} GiB"
            )
