"""Benchmark runs: record (with the roofline check), import result files, API submits."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from benchmarks.estimate import (
    PRECISIONS,
    ROOFLINE,
    AcceleratorSpec,
    ModelDims,
    estimate_speed,
    roofline_ratio,
)
from benchmarks.importers import ImportFormatError, RunRecord
from benchmarks.importers.llama_bench import parse_llama_bench
from benchmarks.importers.vllm import parse_vllm
from benchmarks.models import Accelerator, BenchmarkRun
from benchmarks.services.accelerators import accelerator_spec, model_dims
from catalog.models import Model
from config.errors import AtlasError, NotFound

logger = logging.getLogger(__name__)


ROOFLINE_TOLERANCE = 1.5
FINGERPRINT_KEYS = ("gpu_name", "gpu_count", "driver", "cuda", "engine", "engine_version",
                    "torch", "host_cpu")  # fmt: skip


class BenchmarkRunInvalid(AtlasError):
    code = "benchmark_run_invalid"


class RunnerUnavailable(AtlasError):
    code = "runner_unavailable"


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
    # The most a run can reach: tensor parallel over every device at 100% of peak.
    bound = estimate_speed(
        dims, record.precision, spec, engine="vllm", count=count,
        concurrency=record.concurrency, prompt_tokens=record.input_tokens,
        output_tokens=record.output_tokens, efficiency=ROOFLINE,
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


def _run_key(model: Model, accelerator: Accelerator | None, count: int, source: str,
             record: RunRecord, measured_at: datetime, env_fp: str) -> str:  # fmt: skip
    where = accelerator.slug if accelerator is not None else f"device:{record.accelerator_name}"
    ident = [model.repo_id, where, count, source, record.engine,
             record.engine_version, record.precision, record.batch_size, record.concurrency,
             record.input_tokens, record.output_tokens, record.ttft_ms, record.tpot_ms,
             record.prefill_tokens_per_s, record.decode_tokens_per_s, record.peak_memory_gib,
             measured_at.isoformat(), env_fp]  # fmt: skip
    return hashlib.sha256(json.dumps(ident, default=str).encode()).hexdigest()


def benchmark_run_record(
    *,
    model: Model,
    accelerator: Accelerator | None,
    record: RunRecord,
    source: str,
    accelerator_count: int | None = None,
    submitter: Any = None,
    dims: ModelDims | None = None,
    scaled_down: bool = False,
    accelerator_assumed: bool = False,
    trust: str = BenchmarkRun.Trust.TRUSTED,
    proves_fit: bool = True,
    source_url: str = "",
    submitter_name: str = "",
    now: datetime | None = None,
) -> tuple[BenchmarkRun, bool]:
    """Store one run (get-or-create on its run_key), flagged when above the roofline.

    `accelerator` None: the device string (`record.accelerator_name`) matched no
    accelerator; the run is stored with that name and is never trusted. `dims` overrides
    the catalog model's dims for the roofline check (a scaled-down random-weight model);
    `scaled_down` marks such runs untrusted for estimates.
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
    reason = "" if accelerator is None else roofline_flag(
        record=record, dims=dims or model_dims(model), spec=accelerator_spec(accelerator),
        count=count,
    )  # fmt: skip
    if accelerator is None:
        trust = BenchmarkRun.Trust.UNTRUSTED
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
            "accelerator_assumed": accelerator_assumed, "trust": trust,
            "proves_fit": proves_fit, "device_name": record.accelerator_name[:200],
            "model_name": record.model_name[:300], "source_url": source_url,
            "submitter_name": submitter_name[:200],
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
    """A remote runner's run (POST /api/benchmark-runs/): stored with source "api" and
    community trust (it calibrates, labelled as a submission), flagged when above the
    roofline. Resubmitting the same run returns the stored one.
    Raises NotFound for an unknown model or accelerator, BenchmarkRunInvalid for bad figures.
    """
    model, accelerator = _model_get(model_repo_id), _accelerator_get(accelerator_slug)
    with transaction.atomic():
        run, _ = benchmark_run_record(
            model=model, accelerator=accelerator, record=record,
            source=BenchmarkRun.Source.API, accelerator_count=accelerator_count,
            submitter=submitter, trust=BenchmarkRun.Trust.COMMUNITY,
            submitter_name=getattr(submitter, "username", "") or "",
        )  # fmt: skip
    return run
