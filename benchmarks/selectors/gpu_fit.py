"""What runs on my GPU (reads): for a task, a device count and a context length, the
catalog's open-weights models that fit on N × one accelerator, ranked by quality (the
stored best quality index, then downloads for the models no board has scored), each with
the best precision that fits, its decode speed with provenance (measured run, calibrated
or roofline estimate: benchmarks.estimate.figures) and the longest context that still
fits. Models whose own context window is shorter than the one asked for are left out
(counted). Encoder-only models get their input (prefill) speed and no decode speed
(catalog.facts.generation).

Precision order: best quality first (BF16, FP8, 4-bit AWQ, GGUF Q4_K_M, MLX 4-bit); a
format no engine runs on the accelerator is skipped. 3 queries (scored candidates,
unscored ones, this accelerator's trusted runs) + the cached calibration set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from benchmarks.estimate import PRECISIONS, AcceleratorArrays, ModelArrays, estimate_grid
from benchmarks.estimate.context import longest_context
from benchmarks.estimate.figures import Figure
from benchmarks.models import Accelerator, BenchmarkRun
from benchmarks.selectors.calibration import calibrations
from benchmarks.selectors.estimates import Query, default_engine, estimate_cell, points_of
from benchmarks.services.accelerators import DIM_FIELDS, accelerator_spec, dims_from_values
from catalog.facts.generation import generates_tokens
from catalog.models import Model

PRECISION_ORDER = ("bf16", "fp8", "int4-awq", "q4_k_m", "mlx-4bit")
CANDIDATE_CAP = 2000  # the best-ranked open-weights models with a size that are screened


@dataclass(frozen=True, slots=True)
class FitRow:
    repo_id: str
    task: str
    params_total: int
    quality: float | None
    downloads: int
    precision: str
    precision_label: str
    engine: str
    count: int
    total_gib: float | None
    kv_known: bool
    decodes: bool
    decode: Figure  # one stream's decode tokens/s (decoders only)
    prefill: Figure  # input tokens/s
    longest_context: int | None  # None: unknown (no KV cache estimate)
    model_context: int | None  # the model's own limit, when known

    @property
    def context_is_full(self) -> bool:
        return bool(self.model_context and self.longest_context == self.model_context)


@dataclass(frozen=True, slots=True)
class FitAnswer:
    rows: list[FitRow]
    considered: int  # candidates screened
    capped: bool
    fit_count: int  # candidates the coarse screen lets through (at any precision)
    scored: int  # shown rows ranked by a quality index (the rest by downloads)
    too_short: int = 0  # candidates left out: their own context window is shorter


def what_runs(
    *,
    accelerator: Accelerator,
    count: int,
    context_tokens: int,
    task_slug: str = "",
    shown: int = 20,
    precisions: Sequence[str] = PRECISION_ORDER,
) -> FitAnswer:
    models = Model.objects.filter(
        open_weights=True, params_total__isnull=False, params_total__gt=0, is_test_repo=False
    )
    if task_slug:
        models = models.filter(task__slug=task_slug)
    fields = ("id", "repo_id", "downloads", "quality_index_best", "model_type",
              "task__slug", "task__name", *DIM_FIELDS)  # fmt: skip
    # Two index-ordered reads (model_keyset_quality, model_keyset_downloads read backwards)
    # rather than one sort of every sized model: bounded at a million models.
    scored = list(
        models.filter(quality_index_best__isnull=False)
        .order_by("-quality_index_best", "-id")
        .values(*fields)[:CANDIDATE_CAP]
    )
    unscored = list(
        models.filter(quality_index_best__isnull=True)
        .order_by("-downloads", "-id")
        .values(*fields)[: CANDIDATE_CAP - len(scored)]
    ) if len(scored) < CANDIDATE_CAP else []  # fmt: skip
    rows = scored + unscored
    if not rows:
        return FitAnswer([], 0, False, 0, 0)
    dims = [dims_from_values(r) for r in rows]
    spec = accelerator_spec(accelerator)
    engines = {p: default_engine(p, spec) for p in precisions}
    usable = [p for p in precisions if engines[p] is not None]
    if not usable:
        return FitAnswer([], len(rows), len(rows) == CANDIDATE_CAP, 0, 0)
    grid = estimate_grid(
        ModelArrays.from_dims(dims),
        AcceleratorArrays.from_specs([spec]),
        usable,
        context_tokens=context_tokens,
        max_count=count,
    )
    # the rows some precision holds on `count` devices or fewer (one array test for all)
    screened = np.flatnonzero((grid.accelerators_needed[:, 0, :] > 0).any(axis=1)).tolist()
    runs = BenchmarkRun.objects.trusted().filter(accelerator=accelerator)
    points: dict[int, list] = {}
    for run in runs.order_by("-measured_at", "-id")[:500]:
        points.setdefault(run.model_id, []).extend(points_of([run]))
    cals = calibrations()
    out: list[FitRow] = []
    too_short = 0
    for i in screened:
        if (rows[i]["context_tokens"] or context_tokens) < context_tokens:
            too_short += 1
            continue
        row = _best_fit(rows[i], dims[i], accelerator, spec, usable, engines, count,
                        context_tokens, points.get(rows[i]["id"], ()), cals)  # fmt: skip
        if row is not None:
            out.append(row)
        if len(out) >= shown:
            break
    return FitAnswer(
        rows=out,
        considered=len(rows),
        capped=len(rows) == CANDIDATE_CAP,
        fit_count=len(screened),
        scored=sum(1 for r in out if r.quality is not None),
        too_short=too_short,
    )


def _best_fit(values, dims, accelerator, spec, precisions, engines, count, context_tokens,
              points, cals) -> FitRow | None:  # fmt: skip
    decodes = generates_tokens(values["task__slug"], values["model_type"])
    for precision in precisions:
        query = Query(precision=precision, context_tokens=context_tokens, max_count=count)
        cell = estimate_cell(dims, accelerator, query, points, cals)
        if not cell.fits or cell.count is None:
            continue
        longest = longest_context(
            dims, precision, spec, engine=cell.engine or engines[precision],
            count=cell.count, floor=context_tokens, ceiling=values["context_tokens"],
        )  # fmt: skip
        return FitRow(
            repo_id=values["repo_id"],
            task=values["task__name"] or "",
            params_total=values["params_total"],
            quality=values["quality_index_best"],
            downloads=values["downloads"],
            precision=precision,
            precision_label=PRECISIONS[precision].label,
            engine=cell.engine or "",
            count=cell.count,
            total_gib=cell.memory.total_gib if cell.memory else None,
            kv_known=bool(cell.memory and cell.memory.kv_known),
            decodes=decodes,
            decode=cell.decode if decodes else Figure(None, "unknown", note="encoder-only"),
            prefill=cell.prefill,
            longest_context=longest,
            model_context=values["context_tokens"],
        )
    return None
