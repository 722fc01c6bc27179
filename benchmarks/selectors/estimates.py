"""Estimates as users see them (reads): a model's requirements per accelerator, and what
runs on one accelerator — engine-aware, calibrated, measured runs first, each figure with
its provenance (benchmarks.estimate.figures).

Which engine: the one asked for, else the one that runs the format on that hardware:
GGUF -> llama.cpp, MLX -> MLX, anything else -> vLLM on GPUs and MLX on Apple silicon.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from benchmarks.estimate import (
    PRECISIONS,
    AcceleratorSpec,
    MemoryEstimate,
    ModelDims,
    WeightBytes,
    devices_needed,
    engine_get,
    estimate_memory,
    estimate_speed,
    fit_check,
    weight_bytes,
)
from benchmarks.estimate.figures import Figure, MeasuredPoint, estimated, measured_match
from benchmarks.estimate.memory import Offload, offload_plan
from benchmarks.models import Accelerator, BenchmarkRun
from benchmarks.selectors.calibration import Calibrations, calibrations
from benchmarks.services.accelerators import accelerator_spec, model_dims
from catalog.models import Model
from config.errors import AtlasError

GIB = 2**30
TENSOR_ENGINES = ("vllm", "sglang", "tensorrt-llm")
COMPARABLE = 0.10  # a measured run stands for the asked load when the model says within 10%


class NoEstimate(AtlasError):
    code = "no_estimate"
    status = 422


def default_engine(precision: str, spec: AcceleratorSpec) -> str | None:
    """The engine that runs `precision` on `spec` (module docstring); None: none does."""
    family = PRECISIONS[precision].family
    apple = spec.kind == "apple"
    if family == "gguf":
        return "llama.cpp"
    if family == "mlx":
        return "mlx" if apple else None
    if apple:
        return "mlx" if family in ("float", "fp4") else None
    return "vllm"


def engine_runs_on(engine: str, spec: AcceleratorSpec) -> bool:
    """MLX runs on Apple silicon only; the CUDA/ROCm server engines not there."""
    name = engine_get(engine).name
    if spec.kind == "apple":
        return name not in TENSOR_ENGINES
    return name != "mlx"


@dataclass(frozen=True, slots=True)
class Query:
    precision: str = "bf16"
    context_tokens: int = 8192
    batch: int = 1  # sequences held in the KV cache
    engine: str | None = None
    count: int | None = None  # devices the user has; None = the fewest that hold it
    prompt_tokens: int | None = None  # default: context − output
    output_tokens: int | None = None  # default: min(128, context)
    concurrency: int = 1
    kv_precision: str = "bf16"
    max_count: int = 8

    @property
    def output(self) -> int:
        return (
            self.output_tokens if self.output_tokens is not None else min(128, self.context_tokens)
        )

    @property
    def prompt(self) -> int:
        if self.prompt_tokens is not None:
            return self.prompt_tokens
        return max(self.context_tokens - self.output, 1)


@dataclass(frozen=True, slots=True)
class Cell:
    """One accelerator's answer."""

    accelerator: Accelerator
    engine: str | None
    count: int | None  # devices used (None: no count holds it)
    fits: bool
    reason: str
    proves_fit: bool
    needed_gib_per_device: float | None
    usable_gib_per_device: float | None
    offload_fraction: float
    memory: MemoryEstimate | None
    decode: Figure  # one stream (concurrency 1) or each stream at load
    throughput: Figure  # all streams together
    prefill: Figure
    ttft_s: Figure
    bound: str | None


def points_of(runs: Sequence[BenchmarkRun]) -> list[MeasuredPoint]:
    """The trusted ones of already-read runs (newest first), as measured points (the
    same rule as BenchmarkRun.objects.trusted())."""
    return [
        _point(r)
        for r in runs
        if r.trust in (BenchmarkRun.Trust.TRUSTED, BenchmarkRun.Trust.COMMUNITY)
        and not (r.flagged or r.scaled_down or r.accelerator_assumed)
        and r.accelerator_id is not None
    ]


def measured_points(model: Model) -> list[MeasuredPoint]:
    """Trusted runs of a model, newest first (1 query)."""
    runs = BenchmarkRun.objects.trusted().filter(model=model).order_by("-measured_at", "-id")
    return [_point(r) for r in runs.only(*_POINT_FIELDS)[:500]]


# What a measured point reads of a run.
_POINT_FIELDS = (
    "id", "accelerator_id", "accelerator_count", "precision", "engine", "concurrency",
    "input_tokens", "decode_tokens_per_s", "prefill_tokens_per_s", "peak_memory_gib",
)  # fmt: skip


def _point(r: BenchmarkRun) -> MeasuredPoint:
    return MeasuredPoint(
        r.pk,
        r.accelerator_id,
        r.accelerator_count,
        r.precision,
        engine_get(r.engine).name if _known_engine(r.engine) else r.engine,
        r.concurrency,
        r.input_tokens,
        r.decode_tokens_per_s,
        r.prefill_tokens_per_s,
        r.peak_memory_gib,
    )


def _known_engine(name: str) -> bool:
    try:
        engine_get(name)
    except ValueError:
        return False
    return True


def _unknown(note: str) -> Figure:
    return Figure(None, "unknown", note=note)


class PageEstimates:
    """The accelerator-independent parts of estimate_cell, built once per page: a model's
    memory at a precision, context, engine and device count, and its weight split per
    precision, are the same on every accelerator a page lists (a model page asks for
    about 40 accelerators × 6 formats). Lives as long as the page's request."""

    __slots__ = ("_memory", "_weights")

    def __init__(self) -> None:
        self._memory: dict[tuple, MemoryEstimate] = {}
        self._weights: dict[tuple, WeightBytes] = {}

    def memory(self, dims: ModelDims, *args: Any, **kwargs: Any) -> MemoryEstimate:
        key = (dims, args, tuple(sorted(kwargs.items())))
        found = self._memory.get(key)
        if found is None:
            found = self._memory[key] = estimate_memory(dims, *args, **kwargs)
        return found

    def weights(self, dims: ModelDims, precision: str) -> WeightBytes:
        key = (dims, precision)
        found = self._weights.get(key)
        if found is None:
            found = self._weights[key] = weight_bytes(dims, precision)
        return found


def estimate_cell(
    dims: ModelDims,
    accel: Accelerator,
    q: Query,
    points: Sequence[MeasuredPoint] = (),
    cals: Calibrations | None = None,
    page: PageEstimates | None = None,
) -> Cell:
    """Fit, memory and speed of one model on one accelerator for a query (no query of its
    own when `cals` is given; else the cached calibration set's state, 1 query). `page`:
    the estimates shared by a page's cells (PageEstimates); a fresh one by default."""
    page = page or PageEstimates()
    spec = accelerator_spec(accel)
    engine = q.engine or default_engine(q.precision, spec)
    none = _unknown("")
    if engine is None or not engine_runs_on(engine, spec):
        reason = f"no engine runs {PRECISIONS[q.precision].label} on {accel.name}"
        return Cell(
            accel,
            engine,
            None,
            False,
            reason,
            True,
            None,
            None,
            0.0,
            None,
            none,
            none,
            none,
            none,
            None,
        )
    eng = engine_get(engine)
    if q.count:
        count = 1 if spec.unified else q.count
        memory = page.memory(
            dims,
            q.precision,
            q.context_tokens,
            q.batch,
            q.kv_precision,
            engine=eng.name,
            count=count,
            apple=spec.unified,
        )
    else:
        needed, memory = devices_needed(
            dims,
            q.precision,
            spec,
            engine=eng.name,
            context_tokens=q.context_tokens,
            batch=q.batch,
            kv_precision=q.kv_precision,
            max_count=q.max_count,
            memory_of=page.memory,
        )
        count = needed or (1 if spec.unified or eng.parallel == "single" else q.max_count)
    fit = fit_check(memory, spec, count)
    # what spills to host memory: llama.cpp moves MoE experts first (--fit), Ollama layers
    w = page.weights(dims, q.precision)
    experts_total = w.expert_bytes * w.num_experts
    plan = (
        Offload()
        if fit.fits
        else offload_plan(
            memory, experts_total, spec, count, experts_first=eng.name in ("llama.cpp", "lmstudio")
        )
    )
    host_bytes = plan.layers * memory.weights_bytes + plan.experts * experts_total
    offload = host_bytes / memory.weights_bytes if memory.weights_bytes else 0.0
    if not fit.fits and offload == 0.0:
        return Cell(
            accel,
            eng.name,
            count if q.count else None,
            False,
            fit.reason,
            fit.proves_fit,
            fit.needed_gib_per_device,
            fit.usable_gib_per_device,
            0.0,
            memory,
            _unknown("does not fit"),
            _unknown("does not fit"),
            _unknown("does not fit"),
            _unknown("does not fit"),
            None,
        )
    calib = (cals or calibrations()).speed.for_accelerator(eng.name, spec)
    speed = estimate_speed(
        dims,
        q.precision,
        spec,
        engine=eng.name,
        count=count,
        concurrency=q.concurrency,
        prompt_tokens=q.prompt,
        output_tokens=q.output,
        kv_precision=q.kv_precision,
        efficiency=calib.efficiency,
        offload_fraction=plan.layers,
        host_expert_fraction=plan.experts,
    )
    note = f"{offload:.0%} of the weights offloaded to host memory" if offload else ""
    if plan.experts:
        note += f" (MoE experts first: {plan.experts:.0%} of them run on the CPU)"
    decode = estimated(speed.decode_tokens_per_s_per_stream, calib, note)
    total = estimated(speed.decode_tokens_per_s_total, calib, note)
    prefill = estimated(speed.prefill_tokens_per_s, calib, note)
    ttft = estimated(speed.ttft_s, calib, note)

    def comparable(p: MeasuredPoint) -> bool:
        # the run's context and the asked one: within COMPARABLE of each other's speed
        theirs = estimate_speed(
            dims,
            q.precision,
            spec,
            engine=eng.name,
            count=count,
            concurrency=q.concurrency,
            prompt_tokens=p.prompt_tokens,
            output_tokens=q.output,
            kv_precision=q.kv_precision,
            efficiency=calib.efficiency,
        )
        ratio = theirs.decode_tokens_per_s_total / speed.decode_tokens_per_s_total
        return abs(ratio - 1) <= COMPARABLE

    run = measured_match(
        points,
        accelerator_id=accel.pk,
        count=count,
        precision=q.precision,
        engine=eng.name,
        concurrency=q.concurrency,
        comparable=comparable,
    )
    if run is not None and run.decode_tokens_per_s:
        total = Figure(run.decode_tokens_per_s, "measured", runs=1, run_id=run.run_id)
        decode = Figure(
            run.decode_tokens_per_s / q.concurrency, "measured", runs=1, run_id=run.run_id
        )
    if run is not None and run.prefill_tokens_per_s:
        prefill = Figure(run.prefill_tokens_per_s, "measured", runs=1, run_id=run.run_id)
    reason = fit.reason if not fit.fits else ""
    return Cell(
        accel,
        eng.name,
        count,
        fit.fits,
        reason,
        fit.proves_fit,
        fit.needed_gib_per_device,
        fit.usable_gib_per_device,
        offload,
        memory,
        decode,
        total,
        prefill,
        ttft,
        speed.bound,
    )


def model_requirements(
    *,
    model: Model,
    query: Query,
    accelerators: Sequence[Accelerator] | None = None,
    cals: Calibrations | None = None,
) -> tuple[MemoryEstimate, list[Cell]]:
    """The model's memory at the query (one device, the engine asked for or llama.cpp's
    rule for GGUF / vLLM's otherwise) and one cell per accelerator (all of them unless
    given). Raises NoEstimate without a parameter count. 2 queries + the cached
    calibration set."""
    dims = model_dims(model)
    if dims is None:
        raise NoEstimate(f"{model.repo_id} has no parameter count: nothing to estimate.")
    family = PRECISIONS[query.precision].family
    engine = query.engine or (
        "llama.cpp" if family == "gguf" else "mlx" if family == "mlx" else "vllm"
    )
    memory = estimate_memory(
        dims, query.precision, query.context_tokens, query.batch, query.kv_precision, engine=engine
    )
    if accelerators is None:
        accelerators = list(Accelerator.objects.order_by("vendor", "-memory_gib", "slug"))
    points, cals = measured_points(model), cals or calibrations()
    return memory, [estimate_cell(dims, a, query, points, cals) for a in accelerators]


def memory_figure(memory: MemoryEstimate, cals: Calibrations | None = None) -> Figure:
    """The memory total as a figure (basis "formula"; unknown KV: a lower bound)."""
    cal = cals or calibrations()
    band, runs = cal.memory_band, cal.memory_runs
    note = "" if memory.kv_known else "KV cache unknown: the total is a lower bound"
    return Figure(memory.total_gib, "formula", band, runs, "memory formula", note=note)
