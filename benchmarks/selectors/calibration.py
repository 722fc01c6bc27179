"""The calibration set: every trusted measured run as an estimator observation (reads).

The memory formula is checked against trusted runs that measured their peak: its band is
the 80th percentile of |estimate / peak − 1| (±15% until three such runs exist).

A run calibrates when it is trusted (or community), not flagged or scaled down, on a
known accelerator, at concurrency 1, with a catalog model that has a parameter count, a
weight format and an engine the estimator knows, and a model that fits on the stated
devices (a run that spilled to the CPU measures the host, not the engine). The set is
cached per process and rebuilt when the trusted runs change (count, newest update).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max

from benchmarks.estimate import (
    PRECISIONS,
    CalibrationSet,
    Observation,
    engine_get,
    engine_key,
    estimate_memory,
    fit_check,
)
from benchmarks.models import BenchmarkRun
from benchmarks.services.accelerators import accelerator_spec, model_dims

MAX_RUNS = 5000

MEMORY_BAND_DEFAULT = 0.15


@dataclass(frozen=True)
class Calibrations:
    speed: CalibrationSet
    memory_band: float  # p80 |error| of the memory formula on runs that measured their peak
    memory_runs: int


_cache: dict[tuple, Calibrations] = {}


def observation_of(run: BenchmarkRun) -> Observation | None:
    """The run as an observation, or None when it cannot calibrate (module docstring)."""
    engine = engine_key(run.engine)
    dims = model_dims(run.model)
    if (
        engine is None
        or dims is None
        or run.accelerator is None
        or run.precision not in PRECISIONS
        or run.concurrency != 1
    ):
        return None
    decode = run.decode_tokens_per_s_per_stream if run.output_tokens else None
    if not decode and not run.prefill_tokens_per_s:
        return None
    spec = accelerator_spec(run.accelerator)
    kv = str((run.environment or {}).get("kv_cache_dtype") or "bf16")
    context = run.input_tokens + run.output_tokens
    memory = estimate_memory(
        dims,
        run.precision,
        context,
        1,
        kv,
        engine=engine,
        count=run.accelerator_count,
        apple=spec.unified,
    )
    if not fit_check(memory, spec, run.accelerator_count).fits:
        return None
    return Observation(
        run_id=str(run.pk),
        dims=dims,
        precision=run.precision,
        accel=spec,
        engine=engine,
        count=run.accelerator_count,
        prompt_tokens=run.input_tokens,
        output_tokens=run.output_tokens,
        kv_precision=kv,
        decode_tokens_per_s=decode,
        prefill_tokens_per_s=run.prefill_tokens_per_s,
    )


def memory_error(run: BenchmarkRun) -> float | None:
    """|estimated / measured peak − 1| of a run, None when it cannot be checked (a vLLM-style
    engine measures its pre-allocated pool, not the model)."""
    engine = engine_key(run.engine)
    dims = model_dims(run.model)
    if (
        not run.peak_memory_gib
        or engine is None
        or dims is None
        or run.accelerator is None
        or run.precision not in PRECISIONS
        or engine_get(engine).fit_rule == "vllm"
    ):
        return None
    memory = estimate_memory(
        dims,
        run.precision,
        run.input_tokens + run.output_tokens,
        run.concurrency,
        engine=engine,
        count=run.accelerator_count,
        apple=accelerator_spec(run.accelerator).unified,
    )
    return abs(memory.total_gib / run.peak_memory_gib - 1) if memory.kv_known else None


def calibrations() -> Calibrations:
    """Speed calibrations and the memory band over the trusted runs (1 query when cached,
    2 when rebuilt)."""
    runs = BenchmarkRun.objects.trusted()
    stamp = runs.aggregate(n=Count("id"), at=Max("updated_at"))
    key = (stamp["n"], stamp["at"])
    if key not in _cache:
        rows = list(
            runs.select_related("model", "accelerator").order_by("-measured_at", "-id")[:MAX_RUNS]
        )
        observations = [o for run in rows if (o := observation_of(run))]
        errors = sorted(e for run in rows if (e := memory_error(run)) is not None)
        band = errors[min(len(errors) - 1, int(0.8 * len(errors)))] if len(errors) >= 3 else None
        _cache.clear()
        _cache[key] = Calibrations(
            CalibrationSet.build(observations),
            MEMORY_BAND_DEFAULT if band is None else band,
            len(errors),
        )
    return _cache[key]


def calibration_set() -> CalibrationSet:
    """The speed calibrations (calibrations())."""
    return calibrations().speed
