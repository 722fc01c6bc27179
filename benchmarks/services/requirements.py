"""Precomputed memory requirements per catalog model × precision (`ModelRequirement`).

The catalog's `fits` filter reads these rows (an indexed EXISTS), so it never runs the
estimator per request. Refreshed by the snapshot step, `manage.py refresh_requirements`
and a daily Celery task.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from benchmarks.estimate import GIB, PRECISIONS, ModelDims, estimate_memory, kv_cache_bytes
from benchmarks.models import ModelRequirement
from benchmarks.services.accelerators import DIM_FIELDS, dims_from_values
from catalog.models import Model

logger = logging.getLogger(__name__)

REQUIREMENT_CONTEXT_TOKENS = 8192
# The formats the catalog's `fits` filter offers (one row each per model).
REQUIREMENT_PRECISIONS = ("fp32", "bf16", "fp16", "fp8", "int8", "int4-awq", "int4-gptq",
                          "q8_0", "q6_k", "q5_k_m", "q4_k_m", "q3_k_m", "q2_k")  # fmt: skip
_UPDATE_FIELDS = ["weights_gib", "kv_gib_per_1k_tokens", "overhead_gib", "total_gib",
                  "context_tokens", "updated_at"]  # fmt: skip


def requirement_rows(*, model_id: int, dims: ModelDims) -> list[ModelRequirement]:
    """One unsaved row per REQUIREMENT_PRECISIONS format (8k context, batch 1, bf16 KV, one
    device, the engine that runs the format: llama.cpp for GGUF, vLLM's buffers
    otherwise). An unknown KV cache stays NULL and the total is then a lower bound."""
    kv = kv_cache_bytes(dims, 1000)
    kv_1k = None if kv is None else kv / GIB
    now = timezone.now()
    rows = []
    for precision in REQUIREMENT_PRECISIONS:
        engine = "llama.cpp" if PRECISIONS[precision].family == "gguf" else "vllm"
        memory = estimate_memory(dims, precision, REQUIREMENT_CONTEXT_TOKENS, engine=engine)
        rows.append(
            ModelRequirement(
                model_id=model_id, precision=precision, weights_gib=memory.weights_gib,
                kv_gib_per_1k_tokens=kv_1k, overhead_gib=memory.overhead_bytes / GIB,
                total_gib=memory.total_gib, context_tokens=REQUIREMENT_CONTEXT_TOKENS,
                created_at=now, updated_at=now,
            )
        )  # fmt: skip
    return rows


def model_requirements_refresh(
    *, model_ids: Iterable[int] | None = None, chunk_size: int = 2000
) -> int:
    """Recompute the requirement rows of the given models (default: every model with a
    parameter count); bulk upsert per chunk, one transaction per chunk. Models that lost
    their parameter count lose their rows. Returns the number of rows written."""
    qs = Model.objects.order_by("id")
    if model_ids is not None:
        qs = qs.filter(id__in=list(model_ids))
    written = 0
    batch: list[dict] = []

    def flush() -> int:
        rows: list[ModelRequirement] = []
        without: list[int] = []
        for values in batch:
            model_id = values.pop("id")
            if not values["params_total"]:
                without.append(model_id)
                continue
            dims = dims_from_values(values)
            if dims is None:
                without.append(model_id)
                continue
            rows.extend(requirement_rows(model_id=model_id, dims=dims))
        with transaction.atomic():
            if without:
                ModelRequirement.objects.filter(model_id__in=without).delete()
            ModelRequirement.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["model", "precision"],
                update_fields=_UPDATE_FIELDS,
                batch_size=1000,
            )
        batch.clear()
        return len(rows)

    for values in qs.values("id", *DIM_FIELDS).iterator(chunk_size=chunk_size):
        batch.append(values)
        if len(batch) >= chunk_size:
            written += flush()
    if batch:
        written += flush()
    logger.info("model requirements refreshed rows=%d", written)
    return written
