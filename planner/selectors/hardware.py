"""Hardware reads of the planner: owned accelerators, cloud instance shapes (cheapest
region per shape) and trusted benchmark runs (calibration per engine × accelerator family
from benchmarks.selectors.calibration, and measured overrides)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import islice

from benchmarks.estimate import Calibration, CalibrationSet, Efficiency
from benchmarks.models import Accelerator, BenchmarkRun
from benchmarks.selectors.calibration import calibration_set
from benchmarks.services.accelerators import accelerator_spec
from planner.selectors.sql import FloatCast
from pricing.models import InstancePrice
from quality.models import Score

MAX_RUNS = 2000  # trusted benchmark runs read for calibration and measured overrides
IN_LIST_MAX = 1000  # candidate ids sent as an IN list; more: the runs filtered here
# what run_facts reads of a run
_RUN_FIELDS = (
    "model_id", "accelerator_id", "precision", "accelerator_count", "concurrency", "tpot_ms",
    "decode_tokens_per_s", "ttft_ms", "prefill_tokens_per_s",
)  # fmt: skip


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
    calibration: dict[int, Calibration]  # accelerator id -> the engine's calibration there
    measured: dict[tuple[int, int, str, int], Measured]  # (model, accel id, precision, count)
    calibrations: CalibrationSet | None = None


def run_facts(*, model_ids: list[int]) -> RunFacts:
    """Trusted benchmark runs: the calibration set (benchmarks.selectors.calibration, per
    engine × accelerator family, cached) and the newest measured figures per model ×
    accelerator × precision × count among the candidates. 1 query for the candidates' runs
    + 1 for the calibration set's state (+ 1 when the trusted runs changed)."""
    calibrations = calibration_set()
    wanted = set(model_ids)
    runs = BenchmarkRun.objects.trusted().only(*_RUN_FIELDS).order_by("-measured_at", "-id")
    if len(wanted) <= IN_LIST_MAX:
        runs = runs.filter(model_id__in=wanted)[:MAX_RUNS]
    else:
        # every sized model of a task (10k ids and more): an IN list that long costs more
        # to build and send (one parameter each) than reading the trusted runs, newest
        # first, and keeping the candidates' first MAX_RUNS here
        runs = islice(
            (r for r in runs.filter(model_id__isnull=False).iterator(2000) if r.model_id in wanted),
            MAX_RUNS,
        )
    measured: dict[tuple[int, int, str, int], Measured] = {}
    for run in runs:
        stream = run.decode_tokens_per_s_per_stream
        key = (run.model_id, run.accelerator_id, run.precision, run.accelerator_count)
        if stream and key not in measured:
            total = run.decode_tokens_per_s or stream * run.concurrency
            measured[key] = Measured(
                decode_tokens_per_s_total=total,
                stream_tokens_per_s=stream,
                concurrency=run.concurrency,
                ttft_s=run.ttft_ms / 1000.0 if run.ttft_ms else None,
                prefill_tokens_per_s=run.prefill_tokens_per_s,
            )
    return RunFacts({}, measured, calibrations)


def _calibration(facts: RunFacts, accelerator: Accelerator) -> Calibration:
    if accelerator.id not in facts.calibration:
        spec = accelerator_spec(accelerator)
        engine = "mlx" if spec.kind == "apple" else "vllm"
        calibrations = facts.calibrations or calibration_set()
        facts.calibration[accelerator.id] = calibrations.for_accelerator(engine, spec)
    return facts.calibration[accelerator.id]


def efficiency_for(facts: RunFacts, accelerator: Accelerator) -> Efficiency:
    """The efficiency factors the engine serving `accelerator` is calibrated to."""
    return _calibration(facts, accelerator).efficiency


def estimate_label_for(facts: RunFacts, accelerator: Accelerator) -> str:
    """What the self-host speed on `accelerator` rests on, e.g. "calibrated on 12 runs
    (vllm × nvidia-hopper datacenter), ±14%" or "roofline estimate (uncalibrated), ±50%"."""
    cal = _calibration(facts, accelerator)
    band = f"±{cal.band * 100:.0f}%" if cal.band == cal.band else ""
    if cal.calibrated:
        return f"calibrated on {cal.runs} runs ({cal.group}), {band}"
    return f"roofline estimate (uncalibrated), {band}"


def rtfx_by_model(*, model_ids: list[int]) -> dict[int, float]:
    """model id -> the Open ASR leaderboard's measured RTFx (seconds of audio per second
    of compute, A100-SXM4-80GB; quality.feeds.open_asr), the newest score of each. 1 query."""
    out: dict[int, float] = {}
    rows = (
        Score.objects.filter(model_id__in=model_ids, metric="rtfx", value__gt=0)
        .order_by("model_id", "-id")
        .values_list("model_id", "value")
    )
    for model_id, value in rows:
        out.setdefault(model_id, float(value))
    return out
