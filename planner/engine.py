"""The planner engine: rank model × deployment candidates, and breakeven volumes.

Pure (standard library and numpy): the Django side turns catalog models, offers, instance
prices and benchmark estimates into the records of `planner.records` and calls `rank`.
The cost formulas are in `planner.costs` (re-exported here); the row wording in
`planner.rows`. Every public name of the engine can be imported from this module.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
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
    monthly_api_usd,
    monthly_selfhost_cost,
    owned_power_hourly_usd,
    requests_per_month,
    selfhost_instances,
)
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
    cheapest_per_model,
    host_codes,
    model_codes,
    quality_scores,
    rank_options,
)
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

__all__ = [
    "DEFAULT_ASSUMPTIONS",
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


@dataclass(frozen=True, eq=False)
class SelfHostTable(Sequence[SelfHostOption]):
    """Self-host options as columns (numpy arrays), one entry per option, in order.

    A Sequence of SelfHostOption (indexing or iterating builds the records), so it can be
    passed wherever a list of options is; `rank` reads the columns directly. The strings
    are held once per host: `host` indexes `hosts` (accelerator slug, accelerator name,
    cloud, region, instance); `precision` indexes `precisions`; `measured` picks the
    throughput source. NaN in `prefill_tokens_per_s` / `memory_needed_gib` means None.
    """

    model_id: np.ndarray  # int64
    host: np.ndarray  # int64, index into hosts
    hosts: tuple[tuple[str, str, str, str, str], ...]
    device_count: np.ndarray  # int64 (the records' `count`)
    precision: np.ndarray  # int64, index into precisions
    precisions: tuple[str, ...]
    memory_total_gib: np.ndarray
    fits: np.ndarray  # bool
    decode_tokens_per_s_total: np.ndarray
    stream_tokens_per_s: np.ndarray
    ttft_s: np.ndarray
    measured: np.ndarray  # bool: throughput_source "measured" (else "estimated")
    hourly_usd: np.ndarray
    owned: np.ndarray  # bool
    spot: np.ndarray  # bool
    prefill_tokens_per_s: np.ndarray
    memory_needed_gib: np.ndarray

    def __len__(self) -> int:
        return len(self.model_id)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = int(i)
        slug, name, cloud, region, instance = self.hosts[int(self.host[i])]
        prefill = float(self.prefill_tokens_per_s[i])
        needed = float(self.memory_needed_gib[i])
        return SelfHostOption(
            model_id=int(self.model_id[i]), accelerator_slug=slug, accelerator_name=name,
            count=int(self.device_count[i]), precision=self.precisions[int(self.precision[i])],
            memory_total_gib=float(self.memory_total_gib[i]), fits=bool(self.fits[i]),
            decode_tokens_per_s_total=float(self.decode_tokens_per_s_total[i]),
            stream_tokens_per_s=float(self.stream_tokens_per_s[i]), ttft_s=float(self.ttft_s[i]),
            throughput_source="measured" if self.measured[i] else "estimated",
            hourly_usd=float(self.hourly_usd[i]), owned=bool(self.owned[i]),
            cloud=cloud, region=region, instance=instance, spot=bool(self.spot[i]),
            prefill_tokens_per_s=None if math.isnan(prefill) else prefill,
            memory_needed_gib=None if math.isnan(needed) else needed,
        )  # fmt: skip

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    @classmethod
    def from_options(cls, options: Iterable[SelfHostOption]) -> SelfHostTable:
        """The columns of records (one pass); `rank` calls it for a plain iterable."""
        if isinstance(options, SelfHostTable):
            return options
        records = options if isinstance(options, list | tuple) else list(options)
        n = len(records)
        hosts: dict[tuple, int] = {}
        precisions: dict[str, int] = {}
        host_of = attrgetter("accelerator_slug", "accelerator_name", "cloud", "region", "instance")
        host = [hosts.setdefault(k, len(hosts)) for k in map(host_of, records)]
        precision = [
            precisions.setdefault(p, len(precisions)) for p in map(attrgetter("precision"), records)
        ]

        def column(name: str, dtype) -> np.ndarray:  # one C-level pass per field
            return np.fromiter(map(attrgetter(name), records), dtype=dtype, count=n)

        def optional(name: str) -> np.ndarray:
            values = map(attrgetter(name), records)
            return np.fromiter(
                (math.nan if v is None else v for v in values), dtype=np.float64, count=n
            )

        sources = map(attrgetter("throughput_source"), records)
        return cls(
            model_id=column("model_id", np.int64), host=np.array(host, dtype=np.int64),
            hosts=tuple(hosts), device_count=column("count", np.int64),
            precision=np.array(precision, dtype=np.int64), precisions=tuple(precisions),
            memory_total_gib=column("memory_total_gib", np.float64),
            fits=column("fits", bool),
            decode_tokens_per_s_total=column("decode_tokens_per_s_total", np.float64),
            stream_tokens_per_s=column("stream_tokens_per_s", np.float64),
            ttft_s=column("ttft_s", np.float64),
            measured=np.fromiter((v == "measured" for v in sources), dtype=bool, count=n),
            hourly_usd=column("hourly_usd", np.float64), owned=column("owned", bool),
            spot=column("spot", bool),
            prefill_tokens_per_s=optional("prefill_tokens_per_s"),
            memory_needed_gib=optional("memory_needed_gib"),
        )  # fmt: skip


@dataclass
class _Ranked:
    """Every ranked candidate as arrays, in candidate order (API offers, then self-host).

    `subject(i)` builds the offer or option record of candidate i (only for shown rows).
    Candidates from `tail` on may arrive grouped by model (self-host options model-major).
    """

    model_id: np.ndarray
    quality: np.ndarray
    cost: np.ndarray
    subject: Callable[[int], object]
    cap: float
    tail: int = 0
    cheapest: np.ndarray | None = None  # from `tail` on: each model's cheapest is among them

    @property
    def count(self) -> int:
        return len(self.cost)

    @cached_property
    def over(self) -> np.ndarray:
        return self.cost > self.cap

    @cached_property
    def within(self) -> int:
        return self.count - int(np.count_nonzero(self.over))

    def ordered(self, limit: int) -> list[int]:
        """Indices of the rows, best first: within budget, then quality (high first), then
        cost, then candidate order; when nothing is within a budget, the cheapest."""
        n = self.count
        if n == 0:
            return []
        if self.cap != math.inf and self.within == 0:
            return _top(np.arange(n), (self.cost, -self.quality), limit)
        over = self.over
        inside = np.flatnonzero(~over)
        first = _top(inside, (-self.quality[inside], self.cost[inside]), limit)
        if len(first) >= limit:
            return first
        outside = np.flatnonzero(over)
        rest = _top(outside, (-self.quality[outside], self.cost[outside]), limit - len(first))
        return first + rest

    def pareto(self) -> list[int]:
        """Cheapest first; on the front when better than every cheaper point. Only a
        model's cheapest candidate (first in order among equals) can be on the front."""
        if self.count == 0:
            return []
        tail, rest = self.tail, self.cheapest
        if rest is None:
            rest = cheapest_per_model(self.model_id[tail:], self.cost[tail:]) + tail
        points = np.concatenate((np.arange(tail), rest))  # each model's cheapest is here
        points = points[cheapest_per_model(self.model_id[points], self.cost[points])]
        order = points[np.lexsort((points, -self.quality[points], self.cost[points]))]
        q = self.quality[order]
        before = np.maximum.accumulate(np.concatenate(([-np.inf], q[:-1])))
        return order[q > before].tolist()


def _counts_out(counts: dict[str, int], out: Callable[[str, int], None]) -> None:
    for reason in _SELFHOST_REASONS:
        if counts.get(reason):
            out(reason, counts[reason])


_SELFHOST_REASONS = (  # the order the reasons are reported in
    REASONS[NO_FIT], REASONS[CLOSED], REASONS[SHORT_CONTEXT], REASONS[NOT_OWNED], TOO_FEW,
    REASONS[WRONG_PLACE], REASONS[BANNED], REASONS[NO_THROUGHPUT], REASONS[SLOW],
)  # fmt: skip


def _records_prefilter(
    options: Iterable[SelfHostOption], passing: dict, counts: dict[str, int]
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


def _top(index: np.ndarray, keys: tuple[np.ndarray, np.ndarray], k: int) -> list[int]:
    """The k entries of `index` smallest by (keys[0], keys[1], index), in that order.

    Exact: everything at or below the k-th smallest primary key is kept, then sorted.
    """
    if k <= 0 or len(index) == 0:
        return []
    primary, secondary = keys
    if len(index) > k:
        cut = np.partition(primary, k - 1)[k - 1]
        keep = primary <= cut
        index, primary, secondary = index[keep], primary[keep], secondary[keep]
    order = np.lexsort((index, secondary, primary))[:k]
    return index[order].tolist()


def _gated(constraints: Constraints) -> bool:
    """Whether _model_gate can leave a model out (else every model passes it)."""
    c = constraints
    return bool(c.open_weights_only or c.commercial_only or c.languages) or (
        c.quality_floor is not None
    )


def _passing(
    workload: Workload,
    constraints: Constraints,
    models: Iterable[CandidateModel],
    assumptions: Assumptions,
    excluded: dict[str, int],
) -> tuple[dict[int, tuple[CandidateModel, float, bool, bool]], _Models]:
    """model id -> (model, quality score, context ok, self-hostable: open weights and
    context ok), for the models of the task that pass the model checks; the same as
    arrays sorted by id."""
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
    id_array = np.array(ids, dtype=np.int64)
    sort = np.argsort(id_array, kind="stable")
    ms = _Models(
        ids=id_array[sort],
        score=np.array(scores, dtype=np.float64)[sort],
        hostable=np.array([bool(h) for h in hostable], dtype=bool)[sort],
        open_weights=np.array([bool(m.open_weights) for m in kept], dtype=bool)[sort],
    )
    return passing, ms


@dataclass(frozen=True)
class _Models:
    """The passing models as arrays sorted by id."""

    ids: np.ndarray
    score: np.ndarray
    hostable: np.ndarray
    open_weights: np.ndarray


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
) -> PlanResult:
    """Rank every model × deployment: within budget first, then quality, then cost.

    When nothing fits the budget the rows are the cheapest options, marked over budget.
    Candidates failing a constraint, the hardware choice or the latency target are left
    out and counted by reason in `excluded`. Self-host options are evaluated as arrays
    (pass a SelfHostTable to skip the conversion of records); only the shown rows and the
    Pareto front are built as records.
    """
    excluded: dict[str, int] = {}

    def out(reason: str, n: int = 1) -> None:
        excluded[reason] = excluded.get(reason, 0) + n

    passing, ms = _passing(workload, constraints, models, assumptions, excluded)
    min_ctx = constraints.min_context_tokens
    banned = set(constraints.excluded_providers)
    api: list[tuple[int, float, float, ApiOffer]] = []
    requests = requests_per_month(workload, assumptions)
    cache_share = min(max(workload.cacheable_input_share, 0.0), 1.0)
    if hardware.allows(MODE_API):
        for offer in offers:
            entry = passing.get(offer.model_id)
            if entry is None:
                continue
            if offer.provider_slug in banned:
                out("api: provider excluded")
                continue
            if offer.context_tokens is not None:
                ctx_ok = min_ctx is None or offer.context_tokens >= min_ctx
            else:
                ctx_ok = entry[2]
            if not ctx_ok:
                out("api: context shorter than required")
                continue
            if api_offer_missing_prices(workload, offer):
                out("api: no price for a unit the workload uses")
                continue
            if latency_ok(workload, offer.ttft_s, offer.stream_tokens_per_s) is False:
                out("api: misses the latency target")
                continue
            cost = monthly_api_usd(workload, offer, requests, cache_share)
            api.append((offer.model_id, entry[1], cost, offer))
    n_api = len(api)
    head = (
        np.array([a[0] for a in api], dtype=np.int64),
        np.array([a[1] for a in api], dtype=np.float64),
        np.array([a[2] for a in api], dtype=np.float64),
    )
    table, left = _rank_selfhost(
        workload, hardware, passing, ms, banned, selfhost_options, assumptions, out, head
    )
    picked = left.index if left is not None else None

    def subject(i: int) -> object:
        if i < n_api:
            return api[i][3]
        return table[int(picked[i - n_api])]

    ranked = _Ranked(
        model_id=head[0] if left is None else left.model_id,
        quality=head[1] if left is None else left.quality,
        cost=head[2] if left is None else left.cost,
        subject=subject,
        cap=math.inf if budget.monthly_usd is None else budget.monthly_usd + _EPS,
        tail=n_api,
        cheapest=None if left is None else left.cheapest,
    )
    return _result(
        workload, budget, constraints, assumptions, ranked, max(limit, 1), excluded, passing
    )


def _rank_selfhost(
    workload: Workload,
    hardware: HardwareChoice,
    passing: dict[int, tuple[CandidateModel, float, bool, bool]],
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
    workload, budget, constraints, assumptions, ranked: _Ranked, limit, excluded, passing
) -> PlanResult:
    ordered = ranked.ordered(limit)
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
        assumptions=assumption_lines(workload, constraints, assumptions),
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
