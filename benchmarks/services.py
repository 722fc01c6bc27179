"""Benchmark writes: load accelerator specs, record benchmark runs (with the roofline check)."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from benchmarks.estimate import (
    PRECISIONS,
    AcceleratorSpec,
    Efficiency,
    MeasuredRun,
    ModelDims,
    calibrate_efficiency,
    estimate_throughput,
    roofline_ratio,
)
from benchmarks.importers import ImportFormatError, RunRecord
from benchmarks.importers.llama_bench import parse_llama_bench
from benchmarks.importers.vllm import parse_vllm
from benchmarks.models import Accelerator, BenchmarkRun
from benchmarks.selectors import accelerator_match
from catalog.models import Model
from config.errors import AtlasError, NotFound

logger = logging.getLogger(__name__)

ACCELERATORS_PATH = Path(__file__).resolve().parent / "data" / "accelerators.json"
ACCELERATOR_FIELDS = ("name", "vendor", "kind", "memory_gib", "bandwidth_gbps", "bf16_tflops",
                      "fp8_tflops", "int8_tops", "tdp_watts", "release_year", "aliases",
                      "notes", "source")  # fmt: skip
# Figures above this multiple of the 100%-efficiency roofline are stored flagged.
ROOFLINE_TOLERANCE = 1.5
FINGERPRINT_KEYS = ("gpu_name", "gpu_count", "driver", "cuda", "engine", "engine_version",
                    "torch", "host_cpu")  # fmt: skip


class AcceleratorFileError(AtlasError):
    code = "accelerator_file_invalid"


class BenchmarkRunInvalid(AtlasError):
    code = "benchmark_run_invalid"


class RunnerUnavailable(AtlasError):
    code = "runner_unavailable"


@dataclass(frozen=True, slots=True)
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def accelerators_load(*, path: Path | None = None) -> LoadCounts:
    """Upsert accelerators from the project's JSON file, keyed on `slug`.

    Idempotent: a second load of the same file reports everything unchanged. Rows not in
    the file are left alone (runs and prices point at them). Raises AcceleratorFileError
    when the file is unreadable or a row misses a required field; nothing is written then.
    """
    source = path or ACCELERATORS_PATH
    try:
        rows = json.loads(Path(source).read_text())["accelerators"]
        wanted = {r["slug"]: {f: r.get(f) for f in ACCELERATOR_FIELDS} for r in rows}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise AcceleratorFileError(f"cannot read accelerators from {source}: {exc}") from exc
    for values in wanted.values():
        values["aliases"] = values["aliases"] or []
        values["notes"] = values["notes"] or ""
        values["source"] = values["source"] or ""
    with transaction.atomic():
        existing = {a.slug: a for a in Accelerator.objects.filter(slug__in=wanted)}
        new, changed = [], []
        for slug, values in wanted.items():
            row = existing.get(slug)
            if row is None:
                new.append(Accelerator(slug=slug, **values))
            elif any(getattr(row, f) != v for f, v in values.items()):
                for f, v in values.items():
                    setattr(row, f, v)
                changed.append(row)
        Accelerator.objects.bulk_create(new)
        Accelerator.objects.bulk_update(changed, [*ACCELERATOR_FIELDS, "updated_at"])
    counts = LoadCounts(len(new), len(changed), len(wanted) - len(new) - len(changed))
    logger.info("accelerators loaded created=%d updated=%d", counts.created, counts.updated)
    return counts


def accelerator_spec(accel: Accelerator) -> AcceleratorSpec:
    return AcceleratorSpec(
        slug=accel.slug, name=accel.name, memory_gib=accel.memory_gib,
        bandwidth_gbps=accel.bandwidth_gbps, bf16_tflops=accel.bf16_tflops or 0.0,
        fp8_tflops=accel.fp8_tflops, int8_tops=accel.int8_tops, tdp_watts=accel.tdp_watts,
        kind=accel.kind,
    )  # fmt: skip


def model_dims(model: Model) -> ModelDims | None:
    """The catalog model's dims for the estimator; None without a parameter count."""
    if not model.params_total:
        return None
    return ModelDims(
        params_total=model.params_total, params_active=model.params_active,
        num_layers=model.num_layers, hidden_size=model.hidden_size,
        num_heads=model.num_heads, num_kv_heads=model.num_kv_heads, head_dim=model.head_dim,
        kv_lora_rank=model.kv_lora_rank, qk_rope_head_dim=model.qk_rope_head_dim,
        sliding_window=model.sliding_window, context_tokens=model.context_tokens,
        num_experts=model.num_experts, experts_per_token=model.experts_per_token,
    )  # fmt: skip


def environment_fingerprint(environment: dict[str, Any]) -> str:
    """sha256 over GPU name and count, driver, CUDA, engine + version, torch, host CPU."""
    picked = {k: environment.get(k) for k in FINGERPRINT_KEYS}
    return hashlib.sha256(json.dumps(picked, sort_keys=True).encode()).hexdigest()


def roofline_flag(
    *, record: RunRecord, dims: ModelDims | None, spec: AcceleratorSpec, count: int
) -> str:
    """Why the run's figures are implausible ("" when they are not, or cannot be checked).

    Bound = estimate_throughput at 100% bandwidth and MFU (the roofline); a per-stream
    decode or prefill rate above ROOFLINE_TOLERANCE × bound is flagged.
    """
    if dims is None or record.precision not in PRECISIONS or not spec.bf16_tflops:
        return ""
    bound = estimate_throughput(
        dims, record.precision, spec, count=count, concurrency=record.concurrency,
        prompt_tokens=record.input_tokens, output_tokens=record.output_tokens,
        efficiency=Efficiency(1.0, 1.0, 1.0, 1.0),
    )  # fmt: skip
    reasons = []
    per_stream = (1000 / record.tpot_ms) if record.tpot_ms else None
    if per_stream is None and record.decode_tokens_per_s:
        per_stream = record.decode_tokens_per_s / record.concurrency
    if per_stream:
        ratio = roofline_ratio(per_stream, bound.decode_tokens_per_s_per_stream)
        if ratio > ROOFLINE_TOLERANCE:
            bound_s = bound.decode_tokens_per_s_per_stream
            reasons.append(
                f"decode {per_stream:.1f} tok/s per stream is {ratio:.1f}x "
                f"the roofline bound {bound_s:.1f}"
            )
    if record.prefill_tokens_per_s:
        ratio = roofline_ratio(record.prefill_tokens_per_s, bound.prefill_tokens_per_s)
        if ratio > ROOFLINE_TOLERANCE:
            reasons.append(
                f"prefill {record.prefill_tokens_per_s:.0f} tok/s is {ratio:.1f}x "
                f"the roofline bound {bound.prefill_tokens_per_s:.0f}"
            )
    return "; ".join(reasons)


def _run_key(model: Model, accelerator: Accelerator, count: int, source: str,
             record: RunRecord, measured_at: datetime, env_fp: str) -> str:  # fmt: skip
    ident = [model.repo_id, accelerator.slug, count, source, record.engine,
             record.engine_version, record.precision, record.batch_size, record.concurrency,
             record.input_tokens, record.output_tokens, record.ttft_ms, record.tpot_ms,
             record.prefill_tokens_per_s, record.decode_tokens_per_s, record.peak_memory_gib,
             measured_at.isoformat(), env_fp]  # fmt: skip
    return hashlib.sha256(json.dumps(ident, default=str).encode()).hexdigest()


def benchmark_run_record(
    *,
    model: Model,
    accelerator: Accelerator,
    record: RunRecord,
    source: str,
    accelerator_count: int | None = None,
    submitter: Any = None,
    dims: ModelDims | None = None,
    scaled_down: bool = False,
    now: datetime | None = None,
) -> tuple[BenchmarkRun, bool]:
    """Store one run (get-or-create on its run_key), flagged when above the roofline.

    `dims` overrides the catalog model's dims for the roofline check (a scaled-down
    random-weight model); `scaled_down` marks such runs untrusted for estimates.
    Returns (run, created). Raises BenchmarkRunInvalid for impossible figures.
    """
    count = accelerator_count or record.accelerator_count or 1
    if count < 1 or record.concurrency < 1 or record.batch_size < 1:
        raise BenchmarkRunInvalid("accelerator count, batch and concurrency must be >= 1")
    figures = (record.ttft_ms, record.tpot_ms, record.prefill_tokens_per_s,
               record.decode_tokens_per_s, record.peak_memory_gib)  # fmt: skip
    if any(v is not None and v < 0 for v in figures):
        raise BenchmarkRunInvalid("measured figures must not be negative")
    measured_at = record.measured_at or now or timezone.now()
    env_fp = environment_fingerprint(record.environment)
    key = _run_key(model, accelerator, count, source, record, measured_at, env_fp)
    reason = roofline_flag(
        record=record, dims=dims or model_dims(model), spec=accelerator_spec(accelerator),
        count=count,
    )  # fmt: skip
    run, created = BenchmarkRun.objects.get_or_create(
        run_key=key,
        defaults={
            "model": model, "accelerator": accelerator, "accelerator_count": count,
            "engine": record.engine, "engine_version": record.engine_version,
            "precision": record.precision, "batch_size": record.batch_size,
            "concurrency": record.concurrency, "input_tokens": record.input_tokens,
            "output_tokens": record.output_tokens, "ttft_ms": record.ttft_ms,
            "tpot_ms": record.tpot_ms, "prefill_tokens_per_s": record.prefill_tokens_per_s,
            "decode_tokens_per_s": record.decode_tokens_per_s,
            "peak_memory_gib": record.peak_memory_gib, "environment": record.environment,
            "environment_fingerprint": env_fp, "raw_result": record.raw,
            "submitter": submitter, "source": source, "scaled_down": scaled_down,
            "flagged": bool(reason), "flag_reason": reason, "measured_at": measured_at,
        },
    )  # fmt: skip
    if created and reason:
        logger.warning("benchmark run flagged run=%s reason=%s", run.pk, reason)
    return run, created


def _model_get(repo_id: str) -> Model:
    try:
        return Model.objects.get(repo_id=repo_id)
    except Model.DoesNotExist:
        raise NotFound(f"no catalog model {repo_id!r}", code="model_not_found") from None


def _accelerator_get(slug: str) -> Accelerator:
    try:
        return Accelerator.objects.get(slug=slug)
    except Accelerator.DoesNotExist:
        raise NotFound(f"no accelerator {slug!r}", code="accelerator_not_found") from None


@dataclass(frozen=True, slots=True)
class ImportResult:
    created: int
    unchanged: int
    rejected: int
    errors: list[str]
    runs: list[BenchmarkRun]


PARSERS = {"vllm": parse_vllm, "llama-bench": parse_llama_bench}


def benchmark_runs_import(
    *,
    file_format: str,
    data: bytes,
    model_repo_id: str,
    accelerator_slug: str,
    precision: str | None = None,
    accelerator_count: int | None = None,
) -> ImportResult:
    """Import a vLLM or llama-bench result file as runs of one model on one accelerator.

    `precision` fills in records whose file does not state it. Idempotent (run_key), one
    transaction. ImportFormatError (unreadable file) becomes BenchmarkRunInvalid and
    writes nothing; a bad record is counted as rejected with its reason.
    """
    parse = PARSERS.get(file_format)
    if parse is None:
        raise BenchmarkRunInvalid(f"unknown format {file_format!r}; known: {sorted(PARSERS)}")
    try:
        records, errors = parse(data)
    except ImportFormatError as exc:
        raise BenchmarkRunInvalid(str(exc), code="benchmark_file_invalid") from exc
    model, accelerator = _model_get(model_repo_id), _accelerator_get(accelerator_slug)
    source = BenchmarkRun.Source.VLLM if file_format == "vllm" else BenchmarkRun.Source.LLAMA_BENCH
    created = unchanged = 0
    runs = []
    errors = list(errors)
    with transaction.atomic():
        for record in records:
            if precision and not record.precision:
                record = replace(record, precision=precision)
            try:
                run, was_created = benchmark_run_record(
                    model=model, accelerator=accelerator, record=record, source=source,
                    accelerator_count=accelerator_count,
                )  # fmt: skip
            except BenchmarkRunInvalid as exc:
                errors.append(f"{record.model_name or model_repo_id}: {exc.message}")
                continue
            runs.append(run)
            created += was_created
            unchanged += not was_created
    return ImportResult(created, unchanged, len(errors), errors, runs)


def benchmark_run_submit(
    *,
    submitter: Any,
    model_repo_id: str,
    accelerator_slug: str,
    record: RunRecord,
    accelerator_count: int = 1,
) -> BenchmarkRun:
    """A remote runner's run (POST /api/benchmark-runs/): stored with source "api", flagged
    when above the roofline. Resubmitting the same run returns the stored one.
    Raises NotFound for an unknown model or accelerator, BenchmarkRunInvalid for bad figures.
    """
    model, accelerator = _model_get(model_repo_id), _accelerator_get(accelerator_slug)
    with transaction.atomic():
        run, _ = benchmark_run_record(
            model=model, accelerator=accelerator, record=record,
            source=BenchmarkRun.Source.API, accelerator_count=accelerator_count,
            submitter=submitter,
        )  # fmt: skip
    return run


def benchmark_run_local(
    *,
    model_repo_id: str,
    engine: str,
    precision: str,
    input_len: int,
    output_len: int,
    concurrency: list[int],
    weights: str | None = None,
    random_weights: bool = False,
    full_size: bool = False,
    accelerator_slug: str | None = None,
) -> list[BenchmarkRun]:
    """Run a real engine here (benchmarks.runner) and record one run per concurrency.

    The accelerator is `accelerator_slug`, else the local GPU matched by name, else a CPU
    baseline row. Random-weight runs are built from the catalog model's dims (scaled
    down unless `full_size`); scaled-down runs are stored with `scaled_down` set and
    checked against the dims that ran. Raises RunnerUnavailable when the engine is
    missing or the run cannot be set up; NotFound for an unknown model/accelerator.
    """
    from benchmarks import runner

    model = _model_get(model_repo_id)
    arch = runner.ArchDims(
        num_layers=model.num_layers or 2, hidden_size=model.hidden_size or 128,
        num_heads=model.num_heads or 4, num_kv_heads=model.num_kv_heads or model.num_heads or 4,
        intermediate_size=model.intermediate_size, vocab_size=model.vocab_size or 32000,
        model_type=model.model_type or "llama",
    )  # fmt: skip
    config = runner.RunnerConfig(
        engine=engine, precision=precision, input_len=input_len, output_len=output_len,
        concurrency=tuple(concurrency), weights=weights, random_weights=random_weights,
        full_size=full_size, arch=arch,
    )  # fmt: skip
    try:
        result = runner.run_benchmark(config)
    except runner.RunnerError as exc:
        raise RunnerUnavailable(str(exc)) from exc
    if accelerator_slug:
        accelerator = _accelerator_get(accelerator_slug)
    elif result.gpu_name:
        accelerator = accelerator_match(name=result.gpu_name) or _accelerator_get("h100-sxm")
    else:
        big = (result.environment.get("cpu_count") or 0) >= 32
        accelerator = _accelerator_get("cpu-server-ddr5-2s" if big else "cpu-desktop-ddr5")
    runs = []
    with transaction.atomic():
        for m in result.measurements:
            record = RunRecord(
                engine=result.engine, engine_version=result.engine_version,
                input_tokens=input_len, output_tokens=output_len, precision=precision,
                concurrency=m.concurrency, batch_size=m.concurrency, ttft_ms=m.ttft_ms,
                tpot_ms=m.tpot_ms, prefill_tokens_per_s=m.prefill_tokens_per_s,
                decode_tokens_per_s=m.decode_tokens_per_s, peak_memory_gib=m.peak_memory_gib,
                environment=result.environment, raw=m.raw,
            )  # fmt: skip
            run, _ = benchmark_run_record(
                model=model, accelerator=accelerator, record=record,
                source=BenchmarkRun.Source.RUNNER, accelerator_count=max(1, result.gpu_count),
                dims=result.dims if result.scaled_down or random_weights else None,
                scaled_down=result.scaled_down,
            )  # fmt: skip
            runs.append(run)
    return runs


def efficiency_for_accelerator(*, accelerator: Accelerator) -> Efficiency:
    """Efficiency factors calibrated from trusted runs on the same family (vendor + kind);
    the defaults where there are none. Reads at most 500 recent runs."""
    runs = (
        BenchmarkRun.objects.trusted()
        .filter(accelerator__vendor=accelerator.vendor, accelerator__kind=accelerator.kind)
        .select_related("model", "accelerator")
        .order_by("-measured_at")[:500]
    )
    measured = []
    for run in runs:
        dims = model_dims(run.model)
        if dims is None or run.precision not in PRECISIONS:
            continue
        measured.append(MeasuredRun(
            dims=dims, precision=run.precision, accel=accelerator_spec(run.accelerator),
            count=run.accelerator_count, concurrency=run.concurrency,
            prompt_tokens=run.input_tokens, output_tokens=run.output_tokens,
            decode_tokens_per_s_per_stream=run.decode_tokens_per_s_per_stream,
            prefill_tokens_per_s=run.prefill_tokens_per_s,
        ))  # fmt: skip
    return calibrate_efficiency(measured)
