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
from planner.rows import assumption_lines, build_row, quality_score, quality_signal

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
    """

    model_id: np.ndarray
    quality: np.ndarray
    cost: np.ndarray
    subject: Callable[[int], object]
    cap: float

    @property
    def count(self) -> int:
        return len(self.cost)

    @property
    def over(self) -> np.ndarray:
        return self.cost > self.cap

    @property
    def within(self) -> int:
        return int(np.count_nonzero(~self.over))

    def ordered(self, limit: int) -> list[int]:
        """Indices of the rows, best first: within budget, then quality (high first), then
        cost, then candidate order; when nothing is within a budget, the cheapest."""
        n = self.count
        if n == 0:
            return []
        seq = np.arange(n)
        if self.cap != math.inf and self.within == 0:
            return _top(seq, (self.cost, -self.quality), limit)
        over = self.over
        inside = seq[~over]
        first = _top(inside, (-self.quality[inside], self.cost[inside]), limit)
        if len(first) >= limit:
            return first
        outside = seq[over]
        rest = _top(outside, (-self.quality[outside], self.cost[outside]), limit - len(first))
        return first + rest

    def pareto(self) -> list[int]:
        """Cheapest first; on the front when better than every cheaper point. Only a
        model's cheapest candidate (first in order among equals) can be on the front."""
        if self.count == 0:
            return []
        inverse = _dense(self.model_id)
        lowest = np.full(int(inverse.max()) + 1, np.inf)
        np.minimum.at(lowest, inverse, self.cost)
        at_min = np.flatnonzero(self.cost <= lowest[inverse])
        _, first = np.unique(inverse[at_min], return_index=True)
        points = at_min[first]
        order = points[np.lexsort((points, -self.quality[points], self.cost[points]))]
        q = self.quality[order]
        before = np.maximum.accumulate(np.concatenate(([-np.inf], q[:-1])))
        return order[q > before].tolist()


def _dense(values: np.ndarray) -> np.ndarray:
    """Small non-negative integers with the same equalities as `values` (ids)."""
    if len(values) and values.min() >= 0 and values.max() < 4 * len(values) + 1_000_000:
        lut = np.zeros(int(values.max()) + 1, dtype=bool)
        lut[values] = True
        dense = np.cumsum(lut) - 1
        return dense[values]
    return np.unique(values, return_inverse=True)[1]


def _lookup(ids: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(position of each value in the sorted unique `ids`, whether it is there)."""
    if len(ids) == 0:
        return np.zeros(len(values), dtype=np.int64), np.zeros(len(values), dtype=bool)
    top = int(ids[-1])
    if ids[0] >= 0 and top < 4 * len(values) + 1_000_000:
        lut = np.full(top + 2, -1, dtype=np.int64)
        lut[ids] = np.arange(len(ids))
        inside = len(values) == 0 or (values.min() >= 0 and values.max() <= top)
        pos = lut[values if inside else np.clip(values, -1, top + 1)]
        return np.maximum(pos, 0), pos >= 0
    pos = np.minimum(np.searchsorted(ids, values), len(ids) - 1)
    return pos, ids[pos] == values


_SELFHOST_REASONS = (
    "self-host: does not fit in memory",
    "self-host: weights not open",
    "self-host: context shorter than required",
    "owned: accelerator not owned (or too few)",
    "owned: too few accelerators for the load",
    "cloud: other cloud, region or pricing",
    "cloud: provider excluded",
    "self-host: no throughput figure",
    "self-host: misses the latency target",
)


def _counts_out(counts: dict[str, int], out: Callable[[str, int], None]) -> None:
    for reason in _SELFHOST_REASONS:
        if counts.get(reason):
            out(reason, counts[reason])


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

    # model id -> (model, quality score, context ok, self-hostable: open weights and context ok)
    passing: dict[int, tuple[CandidateModel, float, bool, bool]] = {}
    min_ctx = constraints.min_context_tokens
    for m in models:
        if m.task != workload.task or not _model_gate(m, constraints, excluded):
            continue
        ctx_ok = min_ctx is None or (m.context_tokens is not None and m.context_tokens >= min_ctx)
        quality = quality_score(m, assumptions)
        passing[m.id] = (m, quality, ctx_ok, ctx_ok and m.open_weights)

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
    table, picked, sh_cost = _rank_selfhost(
        workload, hardware, passing, banned, selfhost_options, assumptions, out
    )
    n_api = len(api)
    sh_model = table.model_id[picked] if table is not None else np.zeros(0, dtype=np.int64)
    ids = np.fromiter(passing, dtype=np.int64, count=len(passing))
    scores = np.fromiter((e[1] for e in passing.values()), dtype=np.float64, count=len(passing))
    sort = np.argsort(ids)
    sh_quality = scores[sort][_lookup(ids[sort], sh_model)[0]] if len(sh_model) else sh_model

    def subject(i: int) -> object:
        if i < n_api:
            return api[i][3]
        return table[int(picked[i - n_api])]

    ranked = _Ranked(
        model_id=np.concatenate(
            (np.array([a[0] for a in api], dtype=np.int64), sh_model.astype(np.int64))
        ),
        quality=np.concatenate(
            (np.array([a[1] for a in api], dtype=np.float64), sh_quality.astype(np.float64))
        ),
        cost=np.concatenate((np.array([a[2] for a in api], dtype=np.float64), sh_cost)),
        subject=subject,
        cap=math.inf if budget.monthly_usd is None else budget.monthly_usd + _EPS,
    )
    return _result(
        workload, budget, constraints, assumptions, ranked, max(limit, 1), excluded, passing
    )


def _rank_selfhost(
    workload: Workload,
    hardware: HardwareChoice,
    passing: dict[int, tuple[CandidateModel, float, bool, bool]],
    banned: set[str],
    options: Iterable[SelfHostOption],
    assumptions: Assumptions,
    out: Callable[[str, int], None],
) -> tuple[SelfHostTable | None, np.ndarray, np.ndarray]:
    """(table, indices of the ranked options in order, their monthly cost)."""
    none = (None, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
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
    clouds, regions, spot = set(hardware.clouds), set(hardware.regions), hardware.spot

    # Per passing model (sorted ids): self-hostable, open weights.
    ids = np.array(sorted(passing), dtype=np.int64)
    hostable = np.array([passing[i][3] for i in ids.tolist()], dtype=bool)
    open_w = np.array([passing[i][0].open_weights for i in ids.tolist()], dtype=bool)
    pos_c, known = _lookup(ids, t.model_id)
    # Per host: owned count available, cloud filter, banned cloud.
    owned_n = np.array([owned_counts.get(h[0], 0) for h in t.hosts], dtype=np.int64)
    wrong_place = np.array(
        [bool((clouds and h[2] not in clouds) or (regions and h[3] not in regions))
         for h in t.hosts], dtype=bool,
    )  # fmt: skip
    is_banned = np.array([h[2] in banned for h in t.hosts], dtype=bool)

    alive = known.copy()

    def drop(reason: str, mask: np.ndarray, silent: bool = False) -> None:
        nonlocal alive
        hit = alive & mask
        if not silent:
            counts[reason] = counts.get(reason, 0) + int(np.count_nonzero(hit))
        alive = alive & ~hit

    drop("self-host: does not fit in memory", ~t.fits)
    host_ok = hostable[pos_c]
    drop("self-host: weights not open", ~host_ok & ~open_w[pos_c])
    drop("self-host: context shorter than required", ~host_ok)
    owned = t.owned
    drop("", owned if not owned_ok else np.zeros_like(owned), silent=True)
    drop("", ~owned if not cloud_ok else np.zeros_like(owned), silent=True)
    available = np.zeros(len(t), dtype=np.int64)
    mine = np.flatnonzero(owned)
    available[mine] = owned_n[t.host[mine]] // np.maximum(t.device_count[mine], 1)
    drop("owned: accelerator not owned (or too few)", owned & (available < 1))
    cloud = ~owned
    drop("cloud: other cloud, region or pricing", cloud & ((t.spot != spot) | wrong_place[t.host]))
    drop("cloud: provider excluded", cloud & is_banned[t.host])
    total = t.decode_tokens_per_s_total
    drop("self-host: no throughput figure", ~(total > 0))
    slow = t.ttft_s > (math.inf if workload.max_ttft_s is None else workload.max_ttft_s)
    min_stream = workload.min_stream_tokens_per_s
    if min_stream is not None:
        slow = slow | (t.stream_tokens_per_s < min_stream)
    drop("self-host: misses the latency target", slow)

    idx = np.flatnonzero(alive)
    per_s = requests_per_month(workload, assumptions) / (
        assumptions.days_per_month * 24.0 * SECONDS_PER_HOUR
    )
    out_tok = workload.avg_output_tokens
    prefill_tok = workload.avg_input_tokens * (1.0 - min(max(workload.cacheable_input_share, 0), 1))
    # Same operations, in the same order, as selfhost_instances() (bit-identical costs).
    tot = total[idx]
    seconds = out_tok / tot
    prefill = t.prefill_tokens_per_s[idx]
    has_prefill = ~np.isnan(prefill) & (prefill != 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        seconds = np.where(has_prefill, seconds + prefill_tok / prefill, seconds)
    stream = min_stream if min_stream else t.stream_tokens_per_s[idx]
    need = workload.peak_concurrency * stream / tot
    avg_need = per_s * seconds / assumptions.max_utilization
    need = np.where(avg_need > need, avg_need, need)
    instances = np.where(need > 1.0, np.ceil(need - _EPS), 1.0)
    few = owned[idx] & (instances > available[idx])
    if few.any():
        counts["owned: too few accelerators for the load"] = int(np.count_nonzero(few))
        idx, instances = idx[~few], instances[~few]
    cost = instances * t.hourly_usd[idx] * assumptions.hours_per_month
    _counts_out(counts, out)
    return t, idx, cost


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
