"""Benchmarks' sections on catalog's pages (registered through `catalog.page_hooks`).

model_detail: the requirements section — memory per format at the chosen context (KV cache
"unknown", never 0, when the dims lack it), and per accelerator the devices needed and the
decode speed of one stream for the engine that runs each format, every speed with what it
rests on (measured run, calibrated ±X% on N runs, roofline) — and the benchmark runs.
compare: memory at each format (no query) and the best measured decode speed (1 query).
model_list: the "fits on my GPU" filter controls (1 query, when the form renders).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from benchmarks import selectors
from benchmarks.estimate import GIB, PRECISIONS, estimate_memory
from benchmarks.estimate.figures import Figure
from benchmarks.models import Accelerator, BenchmarkRun
from benchmarks.selectors.calibration import calibrations
from benchmarks.selectors.estimates import (
    Cell,
    PageEstimates,
    Query,
    estimate_cell,
    memory_figure,
    points_of,
)
from benchmarks.services.accelerators import model_dims
from catalog import page_hooks
from catalog.models import Model

# Formats shown, each served by the engine that runs it (GGUF: llama.cpp; MLX: MLX; the
# rest: vLLM on GPUs, MLX on Apple silicon).
PAGE_PRECISIONS = ("bf16", "fp8", "int4-awq", "q8_0", "q4_k_m", "mlx-4bit")
COMPARE_PRECISIONS = ("bf16", "fp8", "int4-awq", "q4_k_m")
COMPARE_LABELS = {"bf16": "BF16", "fp8": "FP8", "int4-awq": "INT4 AWQ", "q4_k_m": "Q4_K_M"}
DEFAULT_CONTEXT_TOKENS = 8192
CONTEXT_CHOICES = (2048, 8192, 32768, 131072)
FIT_ROWS_SHOWN = 40
RUNS_SHOWN = 20


@dataclass(slots=True)
class MemoryRow:
    precision: str
    label: str
    engine: str
    weights_gib: float
    kv_cache_gib: float | None  # None: unknown
    overhead_gib: float
    total_gib: float
    total: Figure


@dataclass(slots=True)
class FitRow:
    accelerator: Accelerator
    cells: list[Cell] = field(default_factory=list)


@dataclass(slots=True)
class Requirements:
    model: Model
    context_tokens: int
    context_choices: list[int]
    precisions: list[tuple[str, str]]
    rows: list[MemoryRow]
    fit_rows: list[FitRow]
    kv_known: bool
    accelerators: list[Accelerator]
    mine: FitRow | None = None  # the accelerator × count the visitor asked about
    mine_count: int = 1

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


def _engine_for_memory(precision: str) -> str:
    family = PRECISIONS[precision].family
    return "llama.cpp" if family == "gguf" else "mlx" if family == "mlx" else "vllm"


def requirements_build(
    *,
    model: Model,
    accelerators: Sequence[Accelerator],
    runs: Sequence[BenchmarkRun] = (),
    context_tokens: int,
    precisions: Sequence[str] = PAGE_PRECISIONS,
    mine: Accelerator | None = None,
    mine_count: int = 1,
) -> Requirements | None:
    """Memory per format and, per accelerator that holds the model at some format, the
    cells of estimate_cell (calibrated; the trusted ones of `runs` first). No query of its
    own beyond the cached calibration set's state (1)."""
    dims = model_dims(model)
    if dims is None:
        return None
    rows = []
    cals = calibrations()
    for p in precisions:
        m = estimate_memory(dims, p, context_tokens, engine=_engine_for_memory(p))
        rows.append(
            MemoryRow(
                p,
                PRECISIONS[p].label,
                m.engine,
                m.weights_bytes / GIB,
                m.kv_cache_gib,
                m.overhead_bytes / GIB,
                m.total_gib,
                memory_figure(m, cals),
            )
        )
    points = points_of(runs)
    page = PageEstimates()  # each memory estimate built once for all the accelerators
    fit_rows: list[FitRow] = []
    for accel in sorted(accelerators, key=lambda a: (a.memory_gib, a.name)):
        cells = [
            estimate_cell(
                dims, accel, Query(precision=p, context_tokens=context_tokens), points, cals, page
            )
            for p in precisions
        ]
        if any(c.fits for c in cells):
            fit_rows.append(FitRow(accel, cells))
        if len(fit_rows) >= FIT_ROWS_SHOWN:
            break
    mine_row = None
    if mine is not None:
        mine_row = FitRow(
            mine,
            [
                estimate_cell(
                    dims,
                    mine,
                    Query(precision=p, context_tokens=context_tokens, count=mine_count),
                    points,
                    cals,
                    page,
                )
                for p in precisions
            ],
        )
    return Requirements(
        model=model,
        context_tokens=context_tokens,
        context_choices=context_choices_for(model),
        precisions=[(p, PRECISIONS[p].label) for p in precisions],
        rows=rows,
        fit_rows=fit_rows,
        kv_known=all(r.kv_cache_gib is not None for r in rows),
        accelerators=list(accelerators),
        mine=mine_row,
        mine_count=mine_count,
    )


def requirements_for_model(
    *, model: Model, context_tokens: int | None = None, mine_slug: str = "", mine_count: int = 1
) -> dict[str, Any]:
    """The requirements and runs context of a model page: runs, accelerators and the
    calibration set's state (3 queries; 4 when the trusted runs changed since the last)."""
    runs = list(selectors.benchmark_run_list_for_model(model=model)[:200])
    context: dict[str, Any] = {}
    if runs:
        context["benchmark_runs"] = runs[:RUNS_SHOWN]
        context["benchmark_runs_total"] = len(runs)
    if model.params_total:
        accelerators = list(selectors.accelerator_list())
        mine = next((a for a in accelerators if a.slug == mine_slug), None)
        reqs = requirements_build(
            model=model,
            accelerators=accelerators,
            runs=runs,
            context_tokens=context_tokens or default_context_for(model),
            mine=mine,
            mine_count=max(1, min(mine_count, 64)),
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
            mem = estimate_memory(
                d, precision, default_context_for(m), engine=_engine_for_memory(precision)
            )
            prefix = "" if mem.kv_known else "≥ "
            cells.append(f"{prefix}{mem.total_gib:,.1f} GiB")
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
            "precisions": [(p, PRECISIONS[p].label) for p in _FITS_PRECISIONS],
            "counts": [1, 2, 4, 8],
        }
    }


_FITS_PRECISIONS = (
    "fp32",
    "bf16",
    "fp16",
    "fp8",
    "int8",
    "int4-awq",
    "int4-gptq",
    "q8_0",
    "q6_k",
    "q5_k_m",
    "q4_k_m",
    "q3_k_m",
    "q2_k",
)

page_hooks.register("model_detail", model_detail)
page_hooks.register("compare", compare)
page_hooks.register("model_list", model_list)
