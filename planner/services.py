"""Planner services: build the engine's inputs from the database, rank, save plans.

`plan_run(inputs=...)` reads a fixed number of queries whatever the catalog size (see
planner/selectors/ for the task mapping and bounds), computes the self-host grid in one
numpy pass (planner/engine/options.py) and calls the pure engine. `plan_create` also saves it.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from benchmarks.estimate.support import served_precision
from benchmarks.models import Accelerator
from benchmarks.services.accelerators import accelerator_spec
from catalog.models import Model
from config.errors import AtlasError
from planner import selectors
from planner.codec import inputs_to_data, result_to_data, to_data
from planner.engine import SelfHostTable, rank
from planner.engine.breakeven import plan_breakeven as pick_breakeven
from planner.engine.candidates import passing, undominated
from planner.engine.costs import (
    output_units,
    owned_hourly_usd,
    requests_per_month,
)
from planner.engine.options import (
    ENGINE_LABELS,
    PLAN_PRECISIONS,
    Host,
    HostPrice,
    MediaModel,
    best_precision,
    host_grid,
    instances_needed,
    measured_apply,
    media_table,
    supported_on,
    with_per_second,
)
from planner.lifecycle import plan_find_reusable, plan_inputs_key
from planner.models import Plan
from planner.records import (
    MODE_API,
    MODE_CLOUD,
    MODE_OWNED,
    TASK_SPEECH,
    ApiOffer,
    Breakeven,
    CandidateModel,
    PlanInputs,
    PlanResult,
    SelfHostOption,
)
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
    pruned: int = 0  # self-host candidates left out as exactly dominated
    unsupported: int = 0  # model × host × precision cells the engine cannot serve there
    not_stored: int = 0  # cells at a precision other than a pre-quantized checkpoint's own


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
    *, inputs: PlanInputs, max_models: int | None = selectors.MAX_MODELS
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
    selfhost = hw.allows(MODE_OWNED) or hw.allows(MODE_CLOUD)
    if not selfhost or not rows.selfhost_ids:
        return built
    hosts: list[Host] = []
    meta: list[tuple] = []  # per host: (accelerator, count, owned, cloud shape | None)
    facts = selectors.run_facts(model_ids=rows.selfhost_ids if task.tokens else [])
    # candidates -> options: the models that pass the model checks, less the exactly
    # dominated ones (same dims as a better model, no run of their own)
    _, models = passing(wl, inputs.constraints, rows.models, inputs.assumptions, {})
    measured = {key[0] for key in facts.measured}
    if task.tokens:
        ids, built.pruned = undominated(rows.selfhost_ids, rows.dims_class, models, measured)
    else:
        at = dict(zip(models.ids.tolist(), models.hostable.tolist(), strict=True))
        ids = [i for i in rows.selfhost_ids if at.get(i)]
    if not ids:
        return built
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
                label = selectors.estimate_label_for(facts, acc)
                hosts.append(Host(accelerator_spec(acc), count, efficiency, label))
                meta.append((acc, count, True, None))
    if hw.allows(MODE_CLOUD):
        for shape in selectors.cloud_shapes(
            clouds=hw.clouds, regions=hw.regions, spot=hw.spot,
            excluded=inputs.constraints.excluded_providers,
            accelerators={a.id: a for a in accelerators},
        ):  # fmt: skip
            acc = shape.accelerator
            hosts.append(
                Host(
                    accelerator_spec(acc),
                    shape.count,
                    selectors.efficiency_for(facts, acc),
                    selectors.estimate_label_for(facts, acc),
                )
            )
            meta.append((acc, shape.count, False, shape))
    if not hosts:
        return built
    if not task.tokens:
        built.options, built.unsupported = _media_options(inputs, rows, ids, hosts, meta)
        return built
    # Hosts alike in accelerator, count and efficiency (the same GPU shape on several
    # clouds, or owned and rented) have the same fit and speed: the grid is computed once
    # per shape and read for each host. Only the price differs, and that is per host.
    shapes: dict[Host, int] = {}
    shape_of = np.array([shapes.setdefault(h, len(shapes)) for h in hosts], dtype=np.int64)
    shape_meta: list[tuple] = [()] * len(shapes)
    for k in reversed(range(len(hosts))):
        shape_meta[int(shape_of[k])] = meta[k]
    # the models' estimator columns, read from the (cached) catalog rows
    dims = rows.dims_columns.take([rows.selfhost_index[i] for i in ids])
    grid = host_grid(
        dims, list(shapes), PLAN_PRECISIONS,
        prompt_tokens=int(wl.avg_input_tokens), output_tokens=int(wl.avg_output_tokens),
        peak_concurrency=wl.peak_concurrency,
    )  # fmt: skip
    util = inputs.assumptions.max_utilization
    purchases = _purchases(inputs, meta)
    hourly = _hourly(inputs, meta)
    source = measured_apply(grid, facts, ids, shape_meta)
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
    # checks: the engine must serve the precision on that accelerator (support table)
    runs = np.array(
        [[supported_on(h, name) for name in PLAN_PRECISIONS] for h in shapes], dtype=bool
    ).reshape(len(shapes), len(PLAN_PRECISIONS))
    served = grid.fits & runs[None, :, :]
    # checks: a pre-quantized checkpoint is served only in its own format
    stored_ok = rows.precision_ok[[rows.selfhost_index[i] for i in ids]]
    fits = served & stored_ok[:, None, :]
    # per shape, then once for each host of that shape
    per_shape = np.count_nonzero(grid.fits & ~served, axis=(0, 2))
    built.unsupported = int(per_shape[shape_of].sum())
    built.not_stored = int(np.count_nonzero(served & ~fits, axis=(0, 2))[shape_of].sum())
    keep = best_precision(fits, ok, instances)
    if len(shapes) < len(hosts):
        keep = keep[:, shape_of, :]  # per host
    mi, ki, pi = np.nonzero(keep)
    # vLLM serves 16-bit weights as fp16 below compute capability 8.0 (support table)
    half = np.array(
        [served_precision(h.engine, h.spec.family, "bf16") == "fp16" for h in hosts], dtype=bool
    )
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
        precision=np.where(
            half[ki] & (pi == PLAN_PRECISIONS.index("bf16")), len(PLAN_PRECISIONS), pi
        ).astype(np.int64),
        precisions=(*PLAN_PRECISIONS, "fp16"),
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
        max_streams=kept(grid.max_streams),
        host_estimates=tuple(h.estimate for h in hosts),
        host_engines=tuple(ENGINE_LABELS.get(h.engine, h.engine) for h in hosts),
        host_purchase=tuple(purchases[acc.slug][0] if own else None for acc, _, own, _ in meta),
        host_purchase_source=tuple(
            purchases[acc.slug][1] if own else "" for acc, _, own, _ in meta
        ),
    )  # fmt: skip
    if hw.per_second_for(wl.task):
        built.options = with_per_second(built.options)
    return built


def owned_purchase(
    accelerator: Accelerator, entered: Iterable[tuple[str, float]]
) -> tuple[float | None, str]:
    """(purchase USD per device, where it comes from) for owned hardware: the price the
    user entered ("@0": already paid, no purchase), else the accelerator's list price with
    its source and date, else none (power only)."""
    prices = dict(entered)
    if accelerator.slug in prices:
        usd = prices[accelerator.slug]
        return (usd or None), ("entered" if usd else "")
    if accelerator.list_price_usd:
        when = accelerator.list_price_date.isoformat() if accelerator.list_price_date else "?"
        source = accelerator.list_price_source.split(":")[0] or "list"
        return float(accelerator.list_price_usd), f"list price, {source}, {when}"
    return None, ""


def _purchases(inputs: PlanInputs, meta: list[tuple]) -> dict[str, tuple[float | None, str]]:
    """Per owned accelerator slug: (purchase USD per device, its source) (owned_purchase)."""
    owned = inputs.hardware.owned_prices
    return {acc.slug: owned_purchase(acc, owned) for acc, _, is_owned, _ in meta if is_owned}


def _hourly(inputs: PlanInputs, meta: list[tuple]) -> list[float]:
    """Per host: the instance price (cloud), or power plus the amortised purchase (owned)."""
    hw, util = inputs.hardware, inputs.assumptions.max_utilization
    purchases = _purchases(inputs, meta)
    return [
        owned_hourly_usd(
            tdp_watts=acc.tdp_watts or DEFAULT_TDP_WATTS, count=count,
            usd_per_kwh=hw.power_usd_per_kwh, utilization=util,
            purchase_usd=purchases[acc.slug][0], assumptions=inputs.assumptions,
        )
        if is_owned
        else shape.usd_per_hour
        for acc, count, is_owned, shape in meta
    ]  # fmt: skip


def _media_options(
    inputs: PlanInputs, rows: selectors.CatalogRows, ids: list[int], hosts: list[Host],
    meta: list[tuple],
) -> tuple[SelfHostTable, int]:  # fmt: skip
    """Self-host options of an image or speech task (planner.engine.options.media_table),
    the speech models' Open ASR RTFx read here (1 query)."""
    wl, hw = inputs.workload, inputs.hardware
    table = rows.models
    at = {int(i): k for k, i in enumerate(table.id.tolist())}
    rtfx = selectors.rtfx_by_model(model_ids=ids) if wl.task == TASK_SPEECH else {}
    models = [
        MediaModel(i, table.repo_id[at[i]], float(table.params_total[at[i]]), rtfx.get(i))
        for i in ids
    ]
    purchases = _purchases(inputs, meta)
    prices = [
        HostPrice(
            acc.slug, acc.name, shape.cloud if shape else "", shape.region if shape else "",
            shape.instance if shape else "", hourly, is_owned, bool(shape and hw.spot),
            purchases[acc.slug][0] if is_owned else None,
            purchases[acc.slug][1] if is_owned else "",
        )
        for (acc, _, is_owned, shape), hourly in zip(meta, _hourly(inputs, meta), strict=True)
    ]  # fmt: skip
    options, unsupported = media_table(
        wl.task, models, hosts, prices, units_per_request=output_units(wl),
        peak_concurrency=wl.peak_concurrency,
    )  # fmt: skip
    if hw.per_second_for(wl.task):
        options = with_per_second(options)
    return options, unsupported


NOT_STORED = (
    "self-host: precision other than a pre-quantized checkpoint's own format (model × host × "
    "precision cells; the original repo is the candidate for those)"
)
DOMINATED = "self-host: same architecture as a better model (exactly dominated)"
UNSUPPORTED = (
    "self-host: precision the engine cannot serve on that accelerator (model × host × "
    "precision cells; support table)"
)


def _rank(inputs: PlanInputs, built: EngineInputs, limit: int) -> PlanResult:
    result = rank(
        inputs.workload, inputs.budget, inputs.hardware, inputs.constraints,
        built.models, built.offers, built.options,
        assumptions=inputs.assumptions, limit=limit, per_model=ROWS_PER_MODEL,
    )  # fmt: skip
    extra = [
        (DOMINATED, built.pruned), (UNSUPPORTED, built.unsupported),
        (NOT_STORED, built.not_stored),
    ]  # fmt: skip
    extra = [(reason, n) for reason, n in extra if n]
    if not extra:
        return result
    excluded = (*result.excluded, *extra)
    return replace(result, excluded=tuple(sorted(excluded, key=lambda kv: (-kv[1], kv[0]))))


def plan_run(
    *, inputs: PlanInputs, max_models: int | None = selectors.MAX_MODELS, limit: int = RESULT_ROWS
) -> PlanResult:
    """Rank every candidate for the inputs (raises PlanInvalid for bad inputs)."""
    plan_inputs_check(inputs=inputs)
    return _rank(inputs, plan_inputs_build(inputs=inputs, max_models=max_models), limit)


def plan_run_breakeven(*, inputs: PlanInputs) -> tuple[PlanResult, Breakeven | None]:
    """plan_run and the plan's breakeven (as plan_create saves them), without saving."""
    plan_inputs_check(inputs=inputs)
    built = plan_inputs_build(inputs=inputs)
    result = _rank(inputs, built, RESULT_ROWS)
    return result, plan_breakeven(inputs=inputs, built=built, result=result)


def plan_breakeven(
    *, inputs: PlanInputs, built: EngineInputs, result: PlanResult
) -> Breakeven | None:
    """The plan's breakeven (planner.engine.breakeven.plan_breakeven; no query). When the
    rows show no self-host option although self-hosting is allowed, the best self-host
    option (the rank on those modes alone, first row) stands in for that side."""
    even = pick_breakeven(inputs.workload, inputs.assumptions, built.offers, built.options, result)
    hw = inputs.hardware
    modes = tuple(m for m in (MODE_OWNED, MODE_CLOUD) if hw.allows(m))
    api = next((r for r in result.rows if r.deployment.kind == MODE_API), None)
    own = next((r for r in result.rows if r.deployment.kind != MODE_API), None)
    if even is None and api is None and own is not None and len(built.offers):
        # the rows show no API offer (self-hosting is cheaper per model): the best API
        # offer (the rank on the API alone, first row) stands in for that side
        alone = rank(
            inputs.workload, inputs.budget, replace(hw, modes=(MODE_API,)), inputs.constraints,
            built.models, built.offers, (), assumptions=inputs.assumptions, limit=1,
        )  # fmt: skip
        if not alone.rows:
            return None
        both = replace(result, rows=(alone.rows[0], own), pareto=())
        return pick_breakeven(
            inputs.workload, inputs.assumptions, built.offers, built.options, both
        )
    if even is not None or api is None or not modes or not len(built.options):
        return even
    alone = rank(
        inputs.workload, inputs.budget, replace(hw, modes=modes), inputs.constraints,
        built.models, (), built.options, assumptions=inputs.assumptions, limit=1,
    )  # fmt: skip
    if not alone.rows:
        return None
    both = replace(result, rows=(api, alone.rows[0]), pareto=())
    return pick_breakeven(inputs.workload, inputs.assumptions, built.offers, built.options, both)


@transaction.atomic
def plan_save(
    *,
    inputs: PlanInputs,
    result: PlanResult,
    user: AbstractBaseUser | None = None,
    breakeven: Breakeven | None = None,
    inputs_key: str = "",
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
        "inputs_key": inputs_key,
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
    max_models: int | None = selectors.MAX_MODELS,
) -> Plan:
    """Run the plan and save inputs, ranked result and breakeven under a new slug.

    Raises PlanInvalid (400, with per-field messages) for inputs that cannot be ranked."""
    plan_inputs_check(inputs=inputs)
    user = user if user is not None and user.is_authenticated else None
    # identical inputs on the same data: the saved plan (planner.lifecycle)
    key = plan_inputs_key(inputs)
    if (reused := plan_find_reusable(key=key, user_id=user.pk if user else None)) is not None:
        return reused
    built = plan_inputs_build(inputs=inputs, max_models=max_models)
    result = _rank(inputs, built, RESULT_ROWS)
    even = plan_breakeven(inputs=inputs, built=built, result=result)
    return plan_save(inputs=inputs, result=result, user=user, breakeven=even, inputs_key=key)
