"""Benchmarks' figures for the knowledge guides (registered through `catalog.page_hooks`,
page "guide"): every number comes from the catalog and the estimator, none is typed in.

running-locally: the local devices we know (consumer and workstation GPUs, Apple
silicon; 1 query), the most downloaded open text-generation models with their estimated
memory at 4-bit GGUF and BF16, the smallest local device each fits on and its estimated
decode speed there (1 query, estimator in memory), measured runs per engine (1 query).
faq: how many accelerators and measured runs we hold (1 query).
Other guides: nothing, no query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from benchmarks.estimate import GIB, accelerators_needed, estimate_memory, estimate_throughput
from benchmarks.models import Accelerator, BenchmarkRun
from benchmarks.services.accelerators import accelerator_spec, model_dims
from catalog import page_hooks
from catalog.models import Model

LOCAL_KINDS = ("consumer", "workstation", "apple")
LOCAL_MODELS = 6
LOCAL_CONTEXT_TOKENS = 8192
QUANTIZED = "q4_k_m"  # what llama.cpp, Ollama and LM Studio usually run
FULL = "bf16"  # what vLLM and MLX load from a Hub repo's safetensors by default


@dataclass(frozen=True, slots=True)
class LocalFit:
    model: Model
    quantized_gib: float
    full_gib: float
    device: Accelerator | None  # the smallest local device the 4-bit build fits on, alone
    decode_tokens_per_s: float | None  # estimated, batch 1, on that device


def local_devices() -> list[Accelerator]:
    """Consumer and workstation GPUs and Apple silicon, smallest memory first (1 query)."""
    return list(
        Accelerator.objects.filter(kind__in=LOCAL_KINDS).order_by("memory_gib", "name", "slug")
    )


def local_fits(*, devices: Sequence[Accelerator], limit: int = LOCAL_MODELS) -> list[LocalFit]:
    """The `limit` most downloaded open text-generation models with a known size, each with
    estimated memory at 4-bit and BF16 for one request of LOCAL_CONTEXT_TOKENS and the
    smallest device of `devices` that holds the 4-bit build on its own (1 query)."""
    models = (
        Model.objects.filter(
            open_weights=True, task__slug="text-generation", params_total__gt=0
        ).order_by("-downloads", "id")[:limit]
    )  # fmt: skip
    specs = [(d, accelerator_spec(d)) for d in devices]
    fits = []
    for model in models:
        dims = model_dims(model)
        if dims is None:
            continue
        quantized = estimate_memory(dims, QUANTIZED, LOCAL_CONTEXT_TOKENS)
        full = estimate_memory(dims, FULL, LOCAL_CONTEXT_TOKENS)
        device, speed = None, None
        for accel, spec in specs:
            if accelerators_needed(quantized, spec, max_count=1) == 1:
                device = accel
                if spec.bf16_tflops:
                    estimate = estimate_throughput(dims, QUANTIZED, spec, count=1)
                    speed = estimate.decode_tokens_per_s_per_stream
                break
        fits.append(LocalFit(model, quantized.total_bytes / GIB, full.total_bytes / GIB,
                             device, speed))  # fmt: skip
    return fits


def runs_per_engine() -> list[dict[str, Any]]:
    """Measured benchmark runs per engine, most first (1 query)."""
    return list(
        BenchmarkRun.objects.values("engine").annotate(runs=Count("id")).order_by("-runs", "engine")
    )


def benchmark_counts() -> dict[str, int]:
    """Accelerators known and measured runs held (1 query)."""
    return Accelerator.objects.aggregate(
        accelerators=Count("id", distinct=True),
        local=Count("id", filter=Q(kind__in=LOCAL_KINDS), distinct=True),
        runs=Count("benchmark_runs", distinct=True),
    )


def guide(*, guide: str, **_: Any) -> dict[str, Any]:
    if guide == "running-locally":
        devices = local_devices()
        return {
            "local_devices": devices,
            "local_fits": local_fits(devices=devices),
            "local_context_tokens": LOCAL_CONTEXT_TOKENS,
            "runs_per_engine": runs_per_engine(),
        }
    if guide == "faq":
        return {"benchmark_counts": benchmark_counts()}
    return {}


page_hooks.register("guide", guide)
