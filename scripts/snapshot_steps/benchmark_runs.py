"""Snapshot step: real CPU benchmark runs of tiny random-weight models built from the dims
of a few catalog models (stored as scaled-down, untrusted runs).

No vLLM or llama-bench result files exist in ../shared (llmfit's community data is
another format), so nothing is imported: we do not invent measurements.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

ARCH_TYPES = ("llama", "qwen2", "mistral")
MAX_MODELS = 3


def run(shared: Path, log: Callable[[str], None]) -> None:
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
    log("no vLLM / llama-bench result files in ../shared: nothing imported")
