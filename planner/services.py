"""Planner services: build the engine's inputs from the database, rank, save plans.

`plan_run(inputs=...)` reads a fixed number of queries whatever the catalog size (see
planner/selectors/ for the task mapping and bounds), computes the self-host grid in one
numpy pass (planner/selfhost.py) and calls the pure engine. `plan_create` also saves it.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from benchmarks.services.accelerators import accelerator_spec
from catalog.models import Model
from config.errors import AtlasError
from planner import selectors
from planner.breakeven import breakeven
from planner.codec import inputs_to_data, result_to_data, to_data
from planner.costs import (
    api_offer_missing_prices,
    monthly_api_cost,
    owned_power_hourly_usd,
    requests_per_month,
)
from planner.engine import SelfHostTable, rank
from planner.models import Plan
from planner.records import (
    MODE_API,
    MODE_CLOUD,
    MODE_OWNED,
    ApiOffer,
    Breakeven,
    CandidateModel,
    PlanInputs,
    PlanResult,
    SelfHostOption,
    Workload,
)
from planner.selfhost import (
    PLAN_PRECISIONS,
    Host,
    HostGrid,
    best_precision,
    host_grid,
    instances_needed,
)
from planner.tables import ApiOfferTable
from planner.validate import validate_inputs

# No 0/o, 1/l/i: slugs get read aloud and typed from screenshots.
SLUG_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
SLUG_LENGTH = 10  # 31^10 ≈ 8e14 slugs: collisions are rare, and retried
SLUG_ATTEMPTS = 5
DEFAULT_TDP_WATTS = 300  # owned accelerators without a TDP figure
OWNED_COUNTS = (1, 2, 4, 8)  # tensor-parallel sizes tried on owned hardware
RESULT_ROWS = 50
# deployments of one model listed (its best): one model sold by twenty providers would
# otherwise fill the table
ROWS_PER_MODEL = 3


class PlanInvalid(AtlasError):
    code = "invalid"
    status = 400


class UnknownTask(AtlasError):
    code = "invalid"
    status = 400


@dataclass
class EngineInputs:
    """What plan_inputs_build read and computed: the engine's candidate records."""

    models: Sequence[CandidateModel] = ()  # a CandidateTable when built from the catalog
    offers: Sequence[ApiOffer] = ()  # an ApiOfferTable when built from the catalog
    options: Sequence[SelfHostOption] = ()  # a SelfHostTable when built from the catalog
    focus: Model | None = None


def plan_slug_new() -> str:
    return "".join(secrets.choice(SLUG_ALPHABET) for _ in range(SLUG_LENGTH))


def plan_inputs_check(*, inputs: PlanInputs) -> None:
    """Raise PlanInvalid with `fields` {path: message} when the inputs cannot be ranked."""
    errors = {}
    for e in validate_inputs(inputs):
        errors.setdefault(e.field, e.message)
    if inputs.workload.task not in selectors.TASKS:
        errors.setdefault("workload.task", f"Unknown task; one of {', '.join(selectors.TASKS)}.")
    if errors:
        raise PlanInvalid("The plan inputs are not valid.", fields=errors)


def plan_inputs_build(
    *, inputs: PlanInputs, max_models: int = selectors.MAX_MODELS
) -> EngineInputs:
    """Candidate models, API offers and self-host options for the inputs' task.

    Queries (fixed): focus model (only with constraints.focus_repo_id), the catalog rows
    (at most 5, see planner.selectors.catalog.plan_candidates; none when cached), and when
    self-hosting is allowed the trusted benchmark runs, the accelerators and the cloud
    instance prices (only when the cloud is allowed). Self-host options exist for
    open-weight models with a parameter count, on every owned accelerator at 1/2/4/8
    devices (up to the count owned) and every cloud shape, at bf16, fp8, int8 and
    int4-awq, where the model fits in memory.
    """
    task = selectors.TASKS.get(inputs.workload.task)
    if task is None:
        raise UnknownTask(f"Unknown task {inputs.workload.task!r}.")
    hw, wl = inputs.hardware, inputs.workload
    focus = None
    if inputs.constraints.focus_repo_id:
        focus = Model.objects.filter(repo_id=inputs.constraints.focus_repo_id).first()
    rows = selectors.plan_catalog_rows(task=task, max_models=max_models, focus=focus)
    # the catalog rows may be cached (planner.selectors.plan_catalog_rows): the model and
    # offer columns are only read
    built = EngineInputs(models=rows.models, offers=rows.offers if hw.allows(MODE_API) else [])
    built.focus = focus
    selfhost = task.tokens and (hw.allows(MODE_OWNED) or hw.allows(MODE_CLOUD))
    if not selfhost or not rows.selfhost_ids:
        return built
    hosts: list[Host] = []
    meta: list[tuple] = []  # per host: (accelerator, count, owned, cloud shape | None)
    facts = selectors.run_facts(model_ids=rows.selfhost_ids)
    accelerators = selectors.accelerator_list()
    if hw.allows(MODE_OWNED) and hw.owned:
        owned = {a.slug: a for a in accelerators}
        totals: dict[str, int] = {}
        for slug, n in hw.owned:
            totals[slug] = totals.get(slug, 0) + n
        for slug, n in totals.items():
            if (acc := owned.get(slug)) is None:
                continue
            for count in (c for c in OWNED_COUNTS if c <= n):
                efficiency = selectors.efficiency_for(facts, acc)
                hosts.append(Host(accelerator_spec(acc), count, efficiency))
                meta.append((acc, count, True, None))
    if hw.allows(MODE_CLOUD):
        for shape in selectors.cloud_shapes(
            clouds=hw.clouds, regions=hw.regions, spot=hw.spot,
            excluded=inputs.constraints.excluded_providers,
            accelerators={a.id: a for a in accelerators},
        ):  # fmt: skip
            acc = shape.accelerator
            hosts.append(
                Host(accelerator_spec(acc), shape.count, selectors.efficiency_for(facts, acc))
            )
            meta.append((acc, shape.count, False, shape))
    if not hosts:
        return built
    ids = rows.selfhost_ids
    # Hosts alike in accelerator, count and efficiency (the same GPU shape on several
    # clouds, or owned and rented) have the same fit and speed: the grid is computed once
    # per shape and read for each host. Only the price differs, and that is per host.
    shapes: dict[Host, int] = {}
    shape_of = np.array([shapes.setdefault(h, len(shapes)) for h in hosts], dtype=np.int64)
    shape_meta: list[tuple] = [()] * len(shapes)
    for k in reversed(range(len(hosts))):
        shape_meta[int(shape_of[k])] = meta[k]
    grid = host_grid(
        [rows.model_dims[i] for i in ids], list(shapes), PLAN_PRECISIONS,
        prompt_tokens=int(wl.avg_input_tokens), output_tokens=int(wl.avg_output_tokens),
        peak_concurrency=wl.peak_concurrency,
    )  # fmt: skip
    util = inputs.assumptions.max_utilization
    hourly = [
        owned_power_hourly_usd(
            tdp_watts=acc.tdp_watts or DEFAULT_TDP_WATTS, count=count,
            usd_per_kwh=hw.power_usd_per_kwh, utilization=util,
        )
        if is_owned
        else shape.usd_per_hour
        for acc, count, is_owned, shape in meta
    ]  # fmt: skip
    source = _measured_apply(grid, facts, ids, shape_meta)
    instances = instances_needed(
        grid,
        requests_per_s=requests_per_month(wl, inputs.assumptions)
        / (inputs.assumptions.days_per_month * 86400.0),
        output_tokens=wl.avg_output_tokens,
        prefill_tokens=wl.avg_input_tokens * (1.0 - min(max(wl.cacheable_input_share, 0), 1)),
        peak_concurrency=wl.peak_concurrency,
        min_stream_tokens_per_s=wl.min_stream_tokens_per_s,
        max_utilization=util,
    )
    ok = np.ones_like(grid.fits)
    if wl.max_ttft_s is not None:
        ok &= grid.ttft_s <= wl.max_ttft_s
    if wl.min_stream_tokens_per_s is not None:
        ok &= grid.stream_tokens_per_s >= wl.min_stream_tokens_per_s
    keep = best_precision(grid.fits, ok, instances)[:, shape_of, :]  # per host
    mi, ki, pi = np.nonzero(keep)
    flat = np.ravel_multi_index((mi, shape_of[ki], pi), grid.fits.shape)

    def kept(values: np.ndarray) -> np.ndarray:
        return values.reshape(-1)[flat]

    # Columns, not records: rank reads the arrays; records are built for shown rows only.
    built.options = SelfHostTable(
        model_id=np.array(ids, dtype=np.int64)[mi],
        host=ki.astype(np.int64),
        hosts=tuple(
            (acc.slug, acc.name, shape.cloud if shape else "", shape.region if shape else "",
             shape.instance if shape else "")
            for acc, _, _, shape in meta
        ),
        device_count=np.array([count for _, count, _, _ in meta], dtype=np.int64)[ki],
        precision=pi.astype(np.int64),
        precisions=PLAN_PRECISIONS,
        memory_total_gib=np.array(
            [acc.memory_gib * count for acc, count, _, _ in meta], dtype=np.float64
        )[ki],
        fits=np.ones(len(mi), dtype=bool),
        decode_tokens_per_s_total=kept(grid.decode_tokens_per_s_total),
        stream_tokens_per_s=kept(grid.stream_tokens_per_s),
        ttft_s=kept(grid.ttft_s),
        measured=kept(source),
        hourly_usd=np.array(hourly, dtype=np.float64)[ki],
        owned=np.array([is_owned for _, _, is_owned, _ in meta], dtype=bool)[ki],
        spot=np.array([bool(shape and hw.spot) for *_, shape in meta], dtype=bool)[ki],
        prefill_tokens_per_s=kept(grid.prefill_tokens_per_s),
        memory_needed_gib=kept(grid.memory_needed_gib),
    )  # fmt: skip
    return built


def _measured_apply(grid: HostGrid, facts, ids: list[int], meta: list[tuple]) -> np.ndarray:
    """Overwrite estimated cells with trusted measured figures (model × accelerator ×
    precision × count); returns the mask of measured cells. A run measured at another
    concurrency keeps its per-stream speed; the total scales only down (fewer streams than
    measured, never up)."""
    measured = np.zeros_like(grid.fits)
    if not facts.measured:
        return measured
    row = {model_id: i for i, model_id in enumerate(ids)}
    hosts: dict[tuple[int, int], list[int]] = {}
    for ki, (acc, count, _, _) in enumerate(meta):
        hosts.setdefault((acc.id, count), []).append(ki)
    column = {p: i for i, p in enumerate(PLAN_PRECISIONS)}
    for (model_id, acc_id, precision, count), m in facts.measured.items():
        mi, pi = row.get(model_id), column.get(precision)
        if mi is None or pi is None:
            continue
        for ki in hosts.get((acc_id, count), ()):
            conc = float(grid.concurrency[mi, ki, pi])
            grid.stream_tokens_per_s[mi, ki, pi] = m.stream_tokens_per_s
            grid.decode_tokens_per_s_total[mi, ki, pi] = min(
                m.decode_tokens_per_s_total, m.stream_tokens_per_s * conc
            )
            if m.ttft_s is not None:
                grid.ttft_s[mi, ki, pi] = m.ttft_s
            if m.prefill_tokens_per_s:
                grid.prefill_tokens_per_s[mi, ki, pi] = m.prefill_tokens_per_s
            measured[mi, ki, pi] = True
    return measured


def _rank(inputs: PlanInputs, built: EngineInputs, limit: int) -> PlanResult:
    return rank(
        inputs.workload, inputs.budget, inputs.hardware, inputs.constraints,
        built.models, built.offers, built.options,
        assumptions=inputs.assumptions, limit=limit, per_model=ROWS_PER_MODEL,
    )  # fmt: skip


def plan_run(
    *, inputs: PlanInputs, max_models: int = selectors.MAX_MODELS, limit: int = RESULT_ROWS
) -> PlanResult:
    """Rank every candidate for the inputs (raises PlanInvalid for bad inputs)."""
    plan_inputs_check(inputs=inputs)
    return _rank(inputs, plan_inputs_build(inputs=inputs, max_models=max_models), limit)


def plan_breakeven(
    *, inputs: PlanInputs, built: EngineInputs, result: PlanResult
) -> Breakeven | None:
    """Breakeven of the best-ranked model that has both an API and a self-host row: its
    cheapest API offer against its cheapest self-host option (pure, no query)."""
    order: list[int] = []
    for row in (*result.rows, *result.pareto):
        if row.model_id not in order:
            order.append(row.model_id)
    wl, a = inputs.workload, inputs.assumptions
    kinds = {(r.model_id, r.deployment.kind) for r in (*result.rows, *result.pareto)}
    for model_id in order:
        if (model_id, MODE_API) not in kinds or not (
            (model_id, MODE_OWNED) in kinds or (model_id, MODE_CLOUD) in kinds
        ):
            continue
        rows = [r for r in result.rows if r.model_id == model_id and r.deployment.kind != MODE_API]
        if not rows:
            continue
        d = min(rows, key=lambda r: r.monthly_usd).deployment
        option = next(
            (
                o for o in _model_options(built.options, model_id)
                if o.model_id == model_id and o.accelerator_slug == d.accelerator_slug
                and o.count == d.count and o.precision == d.precision and o.cloud == d.cloud
                and o.owned == (d.kind == MODE_OWNED)
            ),
            None,
        )  # fmt: skip
        priced = [o for o in _model_offers(built.offers, model_id) if not _missing(wl, o)]
        if option is None or not priced:
            continue
        offer = min(priced, key=lambda o: monthly_api_cost(wl, o, a).monthly_usd)
        return breakeven(wl, offer, option, assumptions=a)
    return None


def _model_offers(offers: Sequence[ApiOffer], model_id: int):
    """The offers of one model (an ApiOfferTable builds only those records)."""
    if isinstance(offers, ApiOfferTable):
        return (offers[i] for i in np.flatnonzero(offers.model_id == model_id))
    return (o for o in offers if o.model_id == model_id)


def _model_options(options: Sequence[SelfHostOption], model_id: int):
    """The options of one model (a SelfHostTable builds only those records)."""
    if isinstance(options, SelfHostTable):
        return (options[i] for i in np.flatnonzero(options.model_id == model_id))
    return (o for o in options if o.model_id == model_id)


def _missing(workload: Workload, offer: ApiOffer) -> bool:
    return bool(api_offer_missing_prices(workload, offer))


@transaction.atomic
def plan_save(
    *,
    inputs: PlanInputs,
    result: PlanResult,
    user: AbstractBaseUser | None = None,
    breakeven: Breakeven | None = None,
) -> Plan:
    """Store the wizard's answers and the ranked result under a new unique slug.

    `result` is stored with an extra "breakeven" key (None when there is none). Not
    idempotent on purpose: each save is a new shareable snapshot. Raises IntegrityError
    only if SLUG_ATTEMPTS random slugs in a row are taken.
    """
    fields = {
        "inputs": inputs_to_data(inputs),
        "result": {**result_to_data(result), "breakeven": to_data(breakeven)},
        "engine_version": result.engine_version,
        "user": user,
    }
    for _ in range(SLUG_ATTEMPTS - 1):
        try:
            with transaction.atomic():
                return Plan.objects.create(slug=plan_slug_new(), **fields)
        except IntegrityError:
            continue  # slug taken: draw another
    return Plan.objects.create(slug=plan_slug_new(), **fields)


def plan_create(
    *,
    inputs: PlanInputs,
    user: AbstractBaseUser | None = None,
    max_models: int = selectors.MAX_MODELS,
) -> Plan:
    """Run the plan and save inputs, ranked result and breakeven under a new slug.

    Raises PlanInvalid (400, with per-field messages) for inputs that cannot be ranked."""
    plan_inputs_check(inputs=inputs)
    built = plan_inputs_build(inputs=inputs, max_models=max_models)
    result = _rank(inputs, built, RESULT_ROWS)
    even = plan_breakeven(inputs=inputs, built=built, result=result)
    user = user if user is not None and user.is_authenticated else None
    return plan_save(inputs=inputs, result=result, user=user, breakeven=even)
