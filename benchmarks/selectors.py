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


def model_requirements(*, model: Model, precision: str, context: int, batch: int) -> dict:
    """The estimator's breakdown for `model` at `precision`, `context` tokens × `batch`,
    and per accelerator the tensor-parallel size it needs (≤ 8) with the estimated decode
    speed there (default efficiency factors), beside the trusted measured runs of this
    model and precision. Two queries (accelerators, runs). Raises AtlasError (422) when
    the model has no parameter count."""
    from benchmarks.estimate import accelerators_needed, estimate_memory, estimate_throughput
    from benchmarks.services import accelerator_spec, model_dims
    from config.errors import AtlasError

    dims = model_dims(model)
    if dims is None:
        raise AtlasError(
            f"{model.repo_id} has no parameter count: nothing to estimate.",
            code="no_estimate",
            status=422,
        )
    memory = estimate_memory(dims, precision, context, batch)
    measured: dict[int, dict] = {}
    runs = BenchmarkRun.objects.trusted().filter(model=model, precision=precision)
    for run in runs.only("accelerator_id", "decode_tokens_per_s", "peak_memory_gib"):
        m = measured.setdefault(
            run.accelerator_id, {"runs": 0, "decode_tokens_per_s": None, "peak_memory_gib": None}
        )
        m["runs"] += 1
        if run.decode_tokens_per_s is not None:
            m["decode_tokens_per_s"] = max(m["decode_tokens_per_s"] or 0, run.decode_tokens_per_s)
        if run.peak_memory_gib is not None:
            best = m["peak_memory_gib"]
            m["peak_memory_gib"] = min(best, run.peak_memory_gib) if best else run.peak_memory_gib
    rows = []
    for accel in accelerator_list():
        spec = accelerator_spec(accel)
        n = accelerators_needed(memory, spec) if spec.bf16_tflops else None
        speed = None
        if n is not None:
            speed = estimate_throughput(
                dims, precision, spec, count=n, concurrency=batch,
                prompt_tokens=max(context - 128, 1), output_tokens=min(context, 128),
            )  # fmt: skip
        rows.append({
            "accelerator": accel.slug, "name": accel.name, "kind": accel.kind,
            "memory_gib": accel.memory_gib, "accelerators_needed": n,
            "decode_tokens_per_s_per_stream": speed and speed.decode_tokens_per_s_per_stream,
            "decode_tokens_per_s_total": speed and speed.decode_tokens_per_s_total,
            "bound": speed.bound if speed else None,
            "measured": measured.get(accel.id),
        })  # fmt: skip
    return {
        "model": model.repo_id, "precision": precision, "context_tokens": context,
        "batch": batch, "weights_gib": memory.weights_gib, "kv_cache_gib": memory.kv_cache_gib,
        "overhead_gib": memory.overhead_bytes / 2**30, "total_gib": memory.total_gib,
        "kv_known": memory.kv_known, "accelerators": rows,
    }  # fmt: skip
