"""The planner engine: rank model × deployment candidates, and breakeven volumes.

Pure (standard library and numpy): the Django side turns catalog models, offers, instance
prices and benchmark estimates into the records of `planner.records` and calls `rank`.
The cost formulas are in `planner.costs` (re-exported here); the row wording in
`planner.rows`. Every public name of the engine can be imported from this module.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import attrgetter

import numpy as np

from planner.breakeven import breakeven
from planner.costs import (
    _EPS,
    DEFAULT_ASSUMPTIONS,
    SECONDS_PER_HOUR,
    MissingPriceError,
    api_offer_missing_prices,
    latency_ok,
    monthly_api_cost,
    monthly_selfhost_cost,
    owned_power_hourly_usd,
    requests_per_month,
    selfhost_instances,
)
from planner.rank_models import PassingModels as _Models
from planner.rank_models import passing_table
from planner.rank_offers import rank_offers
from planner.rank_table import (
    BANNED,
    CLOSED,
    NO_FIT,
    NO_THROUGHPUT,
    NOT_OWNED,
    REASONS,
    SHORT_CONTEXT,
    SLOW,
    TOO_FEW,
    WRONG_PLACE,
    Candidates,
    Checks,
    ModelLookup,
    Sizing,
    host_codes,
    model_codes,
    quality_scores,
    rank_options,
)
from planner.ranking import Ranked
from planner.records import (
    ENGINE_VERSION,
    MODE_API,
    MODE_CLOUD,
    MODE_OWNED,
    ApiOffer,
    Assumptions,
    Budget,
    CandidateModel,
    Constraints,
    HardwareChoice,
    PlanResult,
    PlanRow,
    SelfHostOption,
    Workload,
)
from planner.rows import assumption_lines, build_row, quality_signal
from planner.tables import ApiOfferTable, CandidateTable, SelfHostTable

__all__ = [
    "DEFAULT_ASSUMPTIONS",
    "CandidateTable",
    "MissingPriceError",
    "SelfHostTable",
    "api_offer_missing_prices",
    "breakeven",
    "latency_ok",
    "monthly_api_cost",
    "monthly_selfhost_cost",
    "owned_power_hourly_usd",
    "quality_signal",
    "rank",
    "requests_per_month",
    "selfhost_instances",
]


def _model_gate(model: CandidateModel, constraints: Constraints, excluded: dict[str, int]) -> bool:
    def out(reason: str) -> bool:
        excluded[reason] = excluded.get(reason, 0) + 1
        return False

    if constraints.open_weights_only and not model.open_weights:
        return out("model: weights not open")
    if constraints.commercial_only and model.commercial_ok is not True:
        return out("model: license not known to allow commercial use")
    if constraints.languages and model.languages:
        listed = set(model.languages)
        if any(lang not in listed for lang in constraints.languages):
            return out("model: language not supported")
    if constraints.quality_floor is not None:
        if model.quality_index is None:
            return out("model: no quality index to check the floor")
        if model.quality_index < constraints.quality_floor:
            return out("model: below the quality floor")
    return True


def _counts_out(counts: dict[str, int], out: Callable[[str, int], None]) -> None:
    for reason in _SELFHOST_REASONS:
        if counts.get(reason):
            out(reason, counts[reason])


_SELFHOST_REASONS = (  # the order the reasons are reported in
    REASONS[NO_FIT], REASONS[CLOSED], REASONS[SHORT_CONTEXT], REASONS[NOT_OWNED], TOO_FEW,
    REASONS[WRONG_PLACE], REASONS[BANNED], REASONS[NO_THROUGHPUT], REASONS[SLOW],
)  # fmt: skip


def _records_prefilter(
    options: Iterable[SelfHostOption], passing: _Passing, counts: dict[str, int]
) -> list[SelfHostOption]:
    """The records worth converting to columns: of a passing model, fitting, self-hostable
    (the first three checks of the rank, counted the same way; one cheap pass each)."""
    known = [o for o in options if o.model_id in passing]
    fit = [o for o in known if o.fits]
    counts["self-host: does not fit in memory"] = len(known) - len(fit)
    ok = [o for o in fit if passing[o.model_id][3]]
    if len(ok) < len(fit):
        closed = sum(
            1 for o in fit if not passing[o.model_id][3] and not passing[o.model_id][0].open_weights
        )
        counts["self-host: weights not open"] = closed
        counts["self-host: context shorter than required"] = len(fit) - len(ok) - closed
    return ok


def _gated(constraints: Constraints) -> bool:
    """Whether _model_gate can leave a model out (else every model passes it)."""
    c = constraints
    return bool(c.open_weights_only or c.commercial_only or c.languages) or (
        c.quality_floor is not None
    )


# model id -> (model, quality score, context ok, self-hostable)
_Passing = Mapping[int, tuple[CandidateModel, float, bool, bool]]


def _passing(
    workload: Workload,
    constraints: Constraints,
    models: Iterable[CandidateModel],
    assumptions: Assumptions,
    excluded: dict[str, int],
) -> tuple[_Passing, _Models]:
    """model id -> (model, quality score, context ok, self-hostable: open weights and
    context ok), for the models of the task that pass the model checks; the same as
    arrays sorted by id. A CandidateTable is checked on its columns (the records are
    built on access, for the shown rows only)."""
    if isinstance(models, CandidateTable):
        return passing_table(workload, constraints, models, assumptions, excluded)
    kept = [m for m in models if m.task == workload.task]
    if _gated(constraints):
        kept = [m for m in kept if _model_gate(m, constraints, excluded)]
    min_ctx = constraints.min_context_tokens
    ctx = [
        min_ctx is None or (m.context_tokens is not None and m.context_tokens >= min_ctx)
        for m in kept
    ]
    hostable = [ok and m.open_weights for ok, m in zip(ctx, kept, strict=True)]
    scores = quality_scores(kept, assumptions)
    ids = list(map(attrgetter("id"), kept))
    entries = zip(kept, scores, ctx, hostable, strict=True)
    passing = dict(zip(ids, entries, strict=True))
    if len(passing) < len(kept):  # a model id twice: the last one counts
        values = passing.values()
        ids, scores = list(passing), [e[1] for e in values]
        hostable, kept = [e[3] for e in values], [e[0] for e in values]
        ctx = [e[2] for e in values]
    id_array = np.array(ids, dtype=np.int64)
    sort = np.argsort(id_array, kind="stable")
    ms = _Models(
        ids=id_array[sort],
        score=np.array(scores, dtype=np.float64)[sort],
        hostable=np.array([bool(h) for h in hostable], dtype=bool)[sort],
        ctx_ok=np.array([bool(c) for c in ctx], dtype=bool)[sort],
        open_weights=np.array([bool(m.open_weights) for m in kept], dtype=bool)[sort],
    )
    return passing, ms


def rank(
    workload: Workload,
    budget: Budget,
    hardware: HardwareChoice,
    constraints: Constraints,
    models: Iterable[CandidateModel],
    offers: Iterable[ApiOffer],
    selfhost_options: Iterable[SelfHostOption],
    *,
    assumptions: Assumptions = DEFAULT_ASSUMPTIONS,
    limit: int = 50,
    per_model: int = 0,
) -> PlanResult:
    """Rank every model × deployment: within budget first, then quality, then cost.

    When nothing fits the budget the rows are the cheapest options, marked over budget.
    Candidates failing a constraint, the hardware choice or the latency target are left
    out and counted by reason in `excluded`. Self-host options are evaluated as arrays
    (pass a SelfHostTable to skip the conversion of records); the models of a
    CandidateTable are checked on its columns; only the shown rows and the Pareto front
    (and their models) are built as records. With `per_model`, at most that many rows of one
    model are shown (its best ones); the others still count as candidates.
    """
    excluded: dict[str, int] = {}

    def out(reason: str, n: int = 1) -> None:
        excluded[reason] = excluded.get(reason, 0) + n

    passing, ms = _passing(workload, constraints, models, assumptions, excluded)
    banned = set(constraints.excluded_providers)
    offer_table = ApiOfferTable.from_offers(offers if hardware.allows(MODE_API) else ())
    api_index, api_model, api_cost = rank_offers(
        workload, offer_table, ms.ids, ms.ctx_ok, banned=banned,
        min_context_tokens=constraints.min_context_tokens,
        requests=requests_per_month(workload, assumptions),
        cache_share=min(max(workload.cacheable_input_share, 0.0), 1.0), out=out,
    )  # fmt: skip
    n_api = len(api_index)
    head = (ms.ids[api_model], ms.score[api_model], api_cost)
    table, left = _rank_selfhost(
        workload, hardware, passing, ms, banned, selfhost_options, assumptions, out, head
    )
    picked = left.index if left is not None else None

    def subject(i: int) -> object:
        if i < n_api:
            return offer_table[int(api_index[i])]
        return table[int(picked[i - n_api])]

    ranked = Ranked(
        model_id=head[0] if left is None else left.model_id,
        quality=head[1] if left is None else left.quality,
        cost=head[2] if left is None else left.cost,
        subject=subject,
        cap=math.inf if budget.monthly_usd is None else budget.monthly_usd + _EPS,
        tail=n_api,
        cheapest=None if left is None else left.cheapest,
    )
    return _result(
        workload,
        budget,
        constraints,
        assumptions,
        ranked,
        max(limit, 1),
        excluded,
        passing,
        per_model,
    )


def _rank_selfhost(
    workload: Workload,
    hardware: HardwareChoice,
    passing: _Passing,
    ms: _Models,
    banned: set[str],
    options: Iterable[SelfHostOption],
    assumptions: Assumptions,
    out: Callable[[str, int], None],
    head: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> tuple[SelfHostTable | None, Candidates | None]:
    """(table, the `head` candidates then the options left after the checks, in order,
    with their monthly cost); (None, None) when no option is left to check."""
    none = None, None
    owned_ok, cloud_ok = hardware.allows(MODE_OWNED), hardware.allows(MODE_CLOUD)
    if not (owned_ok or cloud_ok) or not passing:
        return none
    counts: dict[str, int] = {}
    if isinstance(options, SelfHostTable):
        t = options
    else:
        t = SelfHostTable.from_options(_records_prefilter(options, passing, counts))
    if len(t) == 0:
        _counts_out(counts, out)
        return none
    owned_counts: dict[str, int] = {}
    for slug, count in hardware.owned:
        owned_counts[slug] = owned_counts.get(slug, 0) + count

    # One reason code per option (rank_table): the first check it fails, else OK.
    checks = Checks(
        places=host_codes(
            t.hosts, cloud_ok=cloud_ok, clouds=set(hardware.clouds),
            regions=set(hardware.regions), banned=banned,
        ),
        owned_n=np.array([owned_counts.get(h[0], 0) for h in t.hosts], dtype=np.int64),
        owned_ok=owned_ok, spot=hardware.spot, max_ttft_s=workload.max_ttft_s,
        min_stream_tokens_per_s=workload.min_stream_tokens_per_s,
    )  # fmt: skip
    sizing = Sizing(
        out_tokens=workload.avg_output_tokens,
        prefill_tokens=workload.avg_input_tokens
        * (1.0 - min(max(workload.cacheable_input_share, 0), 1)),
        peak_concurrency=workload.peak_concurrency,
        requests_per_s=requests_per_month(workload, assumptions)
        / (assumptions.days_per_month * 24.0 * SECONDS_PER_HOUR),
        max_utilization=assumptions.max_utilization,
        hours_per_month=assumptions.hours_per_month,
    )
    lookup = ModelLookup(ms.ids, model_codes(ms.hostable, ms.open_weights), ms.score, len(t))
    left = rank_options(t, lookup, checks, sizing, head)
    for reason, n in left.counts.items():
        counts[reason] = counts.get(reason, 0) + n
    _counts_out(counts, out)
    return t, left


def _result(
    workload,
    budget,
    constraints,
    assumptions,
    ranked: Ranked,
    limit,
    excluded,
    passing,
    per_model,
) -> PlanResult:
    ordered = ranked.ordered(limit, per_model)
    front = ranked.pareto()
    front_set = set(front)
    count, within = ranked.count, ranked.within
    nothing = ranked.cap != math.inf and within == 0 and count > 0

    def row(subject, position, on_front, previous):
        model = passing[subject.model_id][0]
        return build_row(
            workload, budget, assumptions, subject, model, position, on_front, previous, nothing
        )

    rows: list[PlanRow] = []
    by_seq: dict[int, PlanRow] = {}
    for position, seq in enumerate(ordered, start=1):
        subject = ranked.subject(seq)
        rows.append(row(subject, position, seq in front_set, rows[-1] if rows else None))
        by_seq[seq] = rows[-1]
    pareto_rows = tuple(
        by_seq.get(seq) or row(ranked.subject(seq), None, True, None) for seq in front
    )
    return PlanResult(
        rows=tuple(rows),
        pareto=pareto_rows,
        candidates=count,
        within_budget=within,
        nothing_within_budget=nothing,
        message=_message(workload, budget, count, within, rows),
        excluded=tuple(sorted(excluded.items(), key=lambda kv: (-kv[1], kv[0]))),
        assumptions=assumption_lines(workload, constraints, assumptions, per_model),
        engine_version=ENGINE_VERSION,
    )


def _message(workload, budget, count, within, rows: Sequence[PlanRow]) -> str:
    if count == 0:
        return (
            f"No model and deployment for task '{workload.task}' passes the constraints, "
            "the hardware choice and the latency target."
        )
    top = rows[0]
    if budget.monthly_usd is None:
        return f"{count} options ranked; best: {top.model_name} on {top.deployment.label}."
    if within == 0:
        return (
            f"Nothing fits the ${budget.monthly_usd:,.2f}/month budget: the cheapest option "
            f"costs ${top.monthly_usd:,.2f}/month. The cheapest options are shown, marked "
            "over budget."
        )
    return (
        f"{within} of {count} options fit the ${budget.monthly_usd:,.2f}/month budget; "
        f"best: {top.model_name} on {top.deployment.label} at ${top.monthly_usd:,.2f}/month."
    )
