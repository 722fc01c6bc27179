"""Accelerator and benchmark run lists."""

from __future__ import annotations

from django.db.models import QuerySet

from benchmarks.models import Accelerator, BenchmarkRun
from catalog.models import Model


def accelerator_list() -> QuerySet[Accelerator]:
    return Accelerator.objects.order_by("vendor", "-memory_gib", "slug")


def accelerator_get(*, slug: str) -> Accelerator:
    return Accelerator.objects.get(slug=slug)


def benchmark_run_list(
    *, model: Model | None = None, accelerator: Accelerator | None = None
) -> QuerySet[BenchmarkRun]:
    """Runs newest first, joined to model, accelerator and submitter (one query a page)."""
    qs = BenchmarkRun.objects.select_related("model", "accelerator", "submitter").order_by(
        "-measured_at", "-id"
    )
    if model is not None:
        qs = qs.filter(model=model)
    if accelerator is not None:
        qs = qs.filter(accelerator=accelerator)
    return qs


def benchmark_run_list_for_model(*, model: Model) -> QuerySet[BenchmarkRun]:
    return benchmark_run_list(model=model)
