"""Benchmark reads shared by the website, the API and the planner."""

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


def _norm(name: str) -> str:
    name = name.lower().replace("nvidia", "").replace("geforce", "").replace("tesla", "")
    return "".join(ch for ch in name if ch.isalnum())


def accelerator_match(*, name: str) -> Accelerator | None:
    """The accelerator a device or cloud name refers to ("NVIDIA H100 80GB HBM3" -> h100-sxm):
    exact alias or name after normalizing case, vendor words and punctuation; else the
    longest alias contained in the name."""
    wanted = _norm(name)
    if not wanted:
        return None
    best: tuple[int, Accelerator] | None = None
    for accel in Accelerator.objects.all():
        keys = [_norm(a) for a in [accel.slug, accel.name, *accel.aliases]]
        if wanted in keys:
            return accel
        for key in keys:
            if len(key) >= 2 and key in wanted and (best is None or len(key) > best[0]):
                best = (len(key), accel)
    return best[1] if best else None
