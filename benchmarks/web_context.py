"""Benchmarks' sections on catalog's pages (registered through `catalog.page_hooks`).

model_detail: the requirements table (memory per precision, which accelerators fit and
how fast, measured runs replacing estimates) and the benchmark runs table (2 queries:
accelerators, runs).
compare: memory at each precision (no query) and the best measured decode speed (1 query).
model_list: the "fits on my GPU" filter controls (1 query, when the form renders).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from benchmarks import selectors
from benchmarks.estimate import (
    GIB,
    PRECISIONS,
    AcceleratorSpec,
    ModelDims,
    accelerators_needed,
    estimate_memory,
    estimate_throughput,
)
from benchmarks.models import Accelerator, BenchmarkRun
from benchmarks.services.accelerators import accelerator_spec, model_dims
from catalog import page_hooks
from catalog.models import Model

PAGE_PRECISIONS = ("bf16", "fp8", "int8", "int4-awq", "q4_k_m")
COMPARE_PRECISIONS = ("bf16", "fp8", "int4-awq", "q4_k_m")
COMPARE_LABELS = {"bf16": "BF16", "fp8": "FP8", "int4-awq": "INT4 AWQ", "q4_k_m": "Q4_K_M"}
DEFAULT_CONTEXT_TOKENS = 8192
CONTEXT_CHOICES = (2048, 8192, 32768, 131072)
MAX_COUNT = 8
RUNS_SHOWN = 20


@dataclass(slots=True)
class MemoryRow:
    precision: str
    label: str
    weights_gib: float
    kv_cache_gib: float
    overhead_gib: float
    total_gib: float


@dataclass(slots=True)
class FitCell:
    count: int | None  # None: does not fit on MAX_COUNT
    decode_tokens_per_s: float | None = None
    measured: bool = False


@dataclass(slots=True)
class FitRow:
    accelerator: Accelerator
    cells: list[FitCell] = field(default_factory=list)


@dataclass(slots=True)
class Requirements:
    model: Model
    context_tokens: int
    context_choices: list[int]
    precisions: list[tuple[str, str]]
    rows: list[MemoryRow]
    fit_rows: list[FitRow]
    kv_known: bool

    def __bool__(self) -> bool:
        return bool(self.rows)


def context_choices_for(model: Model) -> list[int]:
    limit = model.context_tokens or max(CONTEXT_CHOICES)
    choices = [c for c in CONTEXT_CHOICES if c <= limit]
    if model.context_tokens and model.context_tokens not in choices:
        choices.append(model.context_tokens)
    return choices or [DEFAULT_CONTEXT_TOKENS]


def default_context_for(model: Model) -> int:
    if model.context_tokens and model.context_tokens < DEFAULT_CONTEXT_TOKENS:
        return model.context_tokens
    return DEFAULT_CONTEXT_TOKENS


def measured_speeds(runs: Sequence[BenchmarkRun]) -> dict[tuple[int, str], tuple[int, float]]:
    """(accelerator id, precision) -> (count, best per-stream decode tok/s) of trusted runs."""
    best: dict[tuple[int, str], tuple[int, float]] = {}
    for run in runs:
        if run.flagged or run.scaled_down or run.accelerator_assumed:
            continue
        speed = run.decode_tokens_per_s_per_stream
        if speed is None:
            continue
        key = (run.accelerator_id, run.precision)
        if key not in best or speed > best[key][1]:
            best[key] = (run.accelerator_count, speed)
    return best


def requirements_build(
    *,
    model: Model,
    accelerators: Sequence[Accelerator],
    runs: Sequence[BenchmarkRun],
    context_tokens: int,
    precisions: Sequence[str] = PAGE_PRECISIONS,
) -> Requirements | None:
    """Memory breakdown per precision and, per accelerator that fits at some precision,
    the devices needed and decode tokens/s (batch 1): measured where a trusted run exists,
    estimated otherwise. No queries: the caller passes accelerators and runs."""
    dims = model_dims(model)
    if dims is None:
        return None
    memories = {p: estimate_memory(dims, p, context_tokens) for p in precisions}
    rows = [
        MemoryRow(
            precision=p,
            label=PRECISIONS[p].label,
            weights_gib=m.weights_bytes / GIB,
            kv_cache_gib=m.kv_cache_bytes / GIB,
            overhead_gib=m.overhead_bytes / GIB,
            total_gib=m.total_bytes / GIB,
        )
        for p, m in memories.items()
    ]
    measured = measured_speeds(runs)
    fit_rows = []
    for accel in sorted(accelerators, key=lambda a: (a.memory_gib, a.name)):
        spec = accelerator_spec(accel)
        cells = [_fit_cell(dims, spec, accel, p, memories[p], measured) for p in precisions]
        if any(c.count for c in cells):
            fit_rows.append(FitRow(accelerator=accel, cells=cells))
    return Requirements(
        model=model,
        context_tokens=context_tokens,
        context_choices=context_choices_for(model),
        precisions=[(p, PRECISIONS[p].label) for p in precisions],
        rows=rows,
        fit_rows=fit_rows,
        kv_known=next(iter(memories.values())).kv_known,
    )


def _fit_cell(
    dims: ModelDims,
    spec: AcceleratorSpec,
    accel: Accelerator,
    precision: str,
    memory,
    measured: dict[tuple[int, str], tuple[int, float]],
) -> FitCell:
    count = accelerators_needed(memory, spec, max_count=MAX_COUNT)
    if count is None:
        return FitCell(count=None)
    run = measured.get((accel.id, precision))
    if run is not None:
        return FitCell(count=run[0], decode_tokens_per_s=run[1], measured=True)
    if not spec.bf16_tflops:
        return FitCell(count=count)
    speed = estimate_throughput(dims, precision, spec, count=count).decode_tokens_per_s_per_stream
    return FitCell(count=count, decode_tokens_per_s=speed)


def requirements_for_model(*, model: Model, context_tokens: int | None = None) -> dict[str, Any]:
    """The requirements and runs context of a model page (2 queries)."""
    runs = list(selectors.benchmark_run_list_for_model(model=model)[:200])
    context: dict[str, Any] = {}
    if runs:
        context["benchmark_runs"] = runs[:RUNS_SHOWN]
        context["benchmark_runs_total"] = len(runs)
    if model.params_total:
        reqs = requirements_build(
            model=model,
            accelerators=list(selectors.accelerator_list()),
            runs=runs,
            context_tokens=context_tokens or default_context_for(model),
        )
        if reqs:
            context["requirements"] = reqs
            context["requirements_template"] = "benchmarks/partials/requirements.html"
    return context


def model_detail(*, model: Model, **_: Any) -> dict[str, Any]:
    return requirements_for_model(model=model)


def compare(*, models: Sequence[Model], **_: Any) -> dict[str, Any]:
    if not models:
        return {}
    rows = []
    dims = {m.id: model_dims(m) for m in models}
    for precision in COMPARE_PRECISIONS:
        cells = []
        for m in models:
            d = dims[m.id]
            if d is None:
                cells.append("—")
                continue
            total = estimate_memory(d, precision, default_context_for(m)).total_bytes / GIB
            cells.append(f"{total:,.1f} GiB")
        label = f"Memory, {COMPARE_LABELS[precision]} @ 8k"
        rows.append({"label": label, "cells": cells})
    runs = (
        BenchmarkRun.objects.trusted()
        .filter(model_id__in=[m.id for m in models], decode_tokens_per_s__isnull=False)
        .select_related("accelerator")
        .order_by("-decode_tokens_per_s", "-id")
    )
    best: dict[int, BenchmarkRun] = {}
    for run in runs[:500]:
        best.setdefault(run.model_id, run)
    rows.append(
        {
            "label": "Measured decode (best run)",
            "cells": [
                (
                    f"{r.decode_tokens_per_s:,.0f} tok/s · {r.accelerator_count}× "
                    f"{r.accelerator.name} ({r.engine}, {r.precision}, c={r.concurrency})"
                )
                if (r := best.get(m.id))
                else "No run"
                for m in models
            ],
        }
    )
    return {"compare_hardware_rows": rows}


def model_list(**_: Any) -> dict[str, Any]:
    return {
        "gpu_filter": {
            "template": "benchmarks/partials/gpu_filter.html",
            # Lazy: only the full page's filter form reads it (the htmx rows fragment does not).
            "accelerators": selectors.accelerator_list().only("slug", "name", "memory_gib"),
            "precisions": [(p.name, p.label) for p in PRECISIONS.values()],
            "counts": [1, 2, 4, 8],
        }
    }


page_hooks.register("model_detail", model_detail)
page_hooks.register("compare", compare)
page_hooks.register("model_list", model_list)
