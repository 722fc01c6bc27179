"""Accelerator specs: load the project's data file; specs and dims for the estimator."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from benchmarks.estimate import (
    PRECISIONS,
    AcceleratorSpec,
    Efficiency,
    MeasuredRun,
    ModelDims,
    calibrate_efficiency,
)
from benchmarks.models import Accelerator, BenchmarkRun
from catalog.models import Model
from config.errors import AtlasError

logger = logging.getLogger(__name__)

ACCELERATORS_PATH = Path(__file__).resolve().parent.parent / "data" / "accelerators.json"
ACCELERATOR_FIELDS = ("name", "vendor", "kind", "memory_gib", "bandwidth_gbps", "bf16_tflops",
                      "fp8_tflops", "int8_tops", "tdp_watts", "release_year", "aliases",
                      "notes", "source")  # fmt: skip
# Figures above this multiple of the 100%-efficiency roofline are stored flagged.


class AcceleratorFileError(AtlasError):
    code = "accelerator_file_invalid"


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
