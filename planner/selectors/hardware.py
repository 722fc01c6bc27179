"""Hardware reads of the planner: owned accelerators, cloud instance shapes (cheapest
region per shape) and trusted benchmark runs (calibration and measured overrides)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from benchmarks.estimate import (
    DEFAULT_EFFICIENCY,
    PRECISIONS,
    Efficiency,
    MeasuredRun,
    calibrate_efficiency,
)
from benchmarks.models import Accelerator, BenchmarkRun
from benchmarks.services.accelerators import accelerator_spec, model_dims
from planner.selectors.sql import FloatCast
from pricing.models import InstancePrice

MAX_RUNS = 2000  # trusted benchmark runs read for calibration and measured overrides


def accelerator_list() -> list[Accelerator]:
    """Every accelerator (a few dozen rows): the owned ones and the cloud shapes' are
    looked up in one read. 1 query."""
    return list(Accelerator.objects.order_by("id"))


def accelerators_by_slug(*, slugs: Iterable[str]) -> dict[str, Accelerator]:
    wanted = sorted(set(slugs))
    if not wanted:
        return {}
    return {a.slug: a for a in Accelerator.objects.filter(slug__in=wanted)}


@dataclass(frozen=True, slots=True)
class CloudShape:
    """The cheapest current price of one (cloud, accelerator, count) instance shape."""

    accelerator: Accelerator
    count: int
    cloud: str
    region: str
    instance: str
    usd_per_hour: float


def cloud_shapes(
    *, clouds: Iterable[str] = (), regions: Iterable[str] = (), spot: bool = False,
    excluded: Iterable[str] = (), accelerators: Mapping[int, Accelerator] | None = None,
) -> list[CloudShape]:  # fmt: skip
    """Current instance prices linked to an accelerator, cheapest region per shape.
    1 query, the prices as tuples (thousands of rows: no model instances), and 1 more for
    the accelerators they name unless `accelerators` (by id) is given."""
    price = "usd_per_hour_spot" if spot else "usd_per_hour_on_demand"
    qs = InstancePrice.objects.filter(
        valid_to__isnull=True, accelerator__isnull=False, **{f"{price}__isnull": False}
    )
    if clouds := list(clouds):
        qs = qs.filter(provider__slug__in=clouds)
    if regions := list(regions):
        qs = qs.filter(region__in=regions)
    if excluded := list(excluded):
        qs = qs.exclude(provider__slug__in=excluded)
    rows = qs.order_by(price, "id").values_list(
        "provider__slug", "accelerator_id", FloatCast("accelerator_count"), "region",
        "instance_type", FloatCast(price),
    )  # fmt: skip
    best: dict[tuple[str, int, int], tuple] = {}
    for cloud, accelerator_id, count, region, instance, usd_per_hour in rows:
        whole = int(count)
        if whole < 1 or whole != count:
            continue  # fractional GPUs (0.5 on some clouds) have no estimate yet
        key = (cloud, accelerator_id, whole)
        if key not in best:
            best[key] = (region, instance, usd_per_hour)
    if not best:
        return []
    if accelerators is None:
        accelerators = Accelerator.objects.in_bulk({a for _, a, _ in best})
    return [
        CloudShape(accelerators[accelerator_id], count, cloud, region, instance, usd_per_hour)
        for (cloud, accelerator_id, count), (region, instance, usd_per_hour) in best.items()
    ]


@dataclass(frozen=True, slots=True)
class Measured:
    decode_tokens_per_s_total: float
    stream_tokens_per_s: float
    concurrency: int
    ttft_s: float | None
    prefill_tokens_per_s: float | None


@dataclass
class RunFacts:
    efficiency: dict[tuple[str, str], Efficiency]  # (vendor, kind) -> calibrated factors
    measured: dict[tuple[int, int, str, int], Measured]  # (model, accel id, precision, count)


def run_facts(*, model_ids: list[int]) -> RunFacts:
    """Trusted benchmark runs: efficiency calibrated per accelerator family (vendor + kind,
    as benchmarks.services.efficiency_for_accelerator does, over all trusted runs) and the
    newest measured figures per model × accelerator × precision × count among the
    candidates. 1 query (at most MAX_RUNS runs)."""
    runs = list(
        BenchmarkRun.objects.trusted()
        .select_related("model", "accelerator")
        .order_by("-measured_at", "-id")[:MAX_RUNS]
    )
    wanted = set(model_ids)
    by_family: dict[tuple[str, str], list[MeasuredRun]] = defaultdict(list)
    measured: dict[tuple[int, int, str, int], Measured] = {}
    for run in runs:
        dims = model_dims(run.model)
        if dims is not None and run.precision in PRECISIONS:
            by_family[(run.accelerator.vendor, run.accelerator.kind)].append(
                MeasuredRun(
                    dims=dims, precision=run.precision, accel=accelerator_spec(run.accelerator),
                    count=run.accelerator_count, concurrency=run.concurrency,
                    prompt_tokens=run.input_tokens, output_tokens=run.output_tokens,
                    decode_tokens_per_s_per_stream=run.decode_tokens_per_s_per_stream,
                    prefill_tokens_per_s=run.prefill_tokens_per_s,
                )
            )  # fmt: skip
        stream = run.decode_tokens_per_s_per_stream
        key = (run.model_id, run.accelerator_id, run.precision, run.accelerator_count)
        if run.model_id in wanted and stream and key not in measured:
            total = run.decode_tokens_per_s or stream * run.concurrency
            measured[key] = Measured(
                decode_tokens_per_s_total=total,
                stream_tokens_per_s=stream,
                concurrency=run.concurrency,
                ttft_s=run.ttft_ms / 1000.0 if run.ttft_ms else None,
                prefill_tokens_per_s=run.prefill_tokens_per_s,
            )
    efficiency = {fam: calibrate_efficiency(rs) for fam, rs in by_family.items()}
    return RunFacts(efficiency, measured)


def efficiency_for(facts: RunFacts, accelerator: Accelerator) -> Efficiency:
    return facts.efficiency.get((accelerator.vendor, accelerator.kind), DEFAULT_EFFICIENCY)
