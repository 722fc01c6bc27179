"""The planner engine: rank model × deployment candidates, and breakeven volumes.

Pure (standard library only): the Django side turns catalog models, offers, instance
prices and benchmark estimates into the records of `planner.records` and calls `rank`.
The cost formulas are in `planner.costs` (re-exported here); the row wording in
`planner.rows`. Every public name of the engine can be imported from this module.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable, Sequence

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


class _Ranker:
    """Streams candidates once: bounded heaps for the top rows, per-model minimum for Pareto.

    Heap items are negated keys, so heap[0] is the worst kept row: (−over, quality, −cost,
    −seq) for the ranked rows and (−cost, quality, −seq) for the cheapest rows (used only
    when nothing fits the budget). `seq` numbers candidates; lower wins ties.
    """

    def __init__(self, limit: int, budget_usd: float | None) -> None:
        self.limit = limit
        self.cap = math.inf if budget_usd is None else budget_usd + _EPS
        self.count = 0
        self.within = 0
        self.best: list[tuple] = []
        self.cheap: list[tuple] = []
        self.model_min: dict[int, tuple] = {}  # model id -> (cost, seq, quality, subject)

    def add(self, model_id: int, quality: float, cost: float, subject: object) -> None:
        self.count += 1
        over = cost > self.cap
        if not over:
            self.within += 1
        self.keep(self.count, model_id, quality, cost, over, subject)

    def keep(self, seq: int, model_id: int, quality: float, cost: float, over: bool, subject):
        """Offer an already counted candidate to the heaps and the per-model minimum."""
        item = (-over, quality, -cost, -seq, subject)
        if len(self.best) < self.limit:
            heapq.heappush(self.best, item)
        elif item > self.best[0]:
            heapq.heapreplace(self.best, item)
        if self.within == 0:
            cheap = (-cost, quality, -seq, subject)
            if len(self.cheap) < self.limit:
                heapq.heappush(self.cheap, cheap)
            elif cheap > self.cheap[0]:
                heapq.heapreplace(self.cheap, cheap)
        current = self.model_min.get(model_id)
        if current is None or cost < current[0]:
            self.model_min[model_id] = (cost, seq, quality, subject)

    def ordered(self) -> list[tuple[int, object]]:
        """(seq, subject) of the rows, best first."""
        if self.cap != math.inf and self.within == 0:
            return [(-s, p) for _, _, s, p in sorted(self.cheap, reverse=True)]
        return [(-s, p) for _, _, _, s, p in sorted(self.best, reverse=True)]

    def pareto(self) -> list[tuple[int, object]]:
        """Cheapest first; on the front when better than every cheaper point (sort, sweep).

        Only a model's cheapest row can be on the front (its other rows have the same
        quality and cost more), so the sweep runs over one point per model.
        """
        points = sorted(self.model_min.values(), key=lambda v: (v[0], -v[2], v[1]))
        front, best_q = [], -math.inf
        for _, seq, quality, subject in points:
            if quality > best_q:
                front.append((seq, subject))
                best_q = quality
        return front


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
    out and counted by reason in `excluded`. Runs in O(candidates × log limit).
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
        quality = quality_signal(m, assumptions).score
        passing[m.id] = (m, quality, ctx_ok, ctx_ok and m.open_weights)

    ranker = _Ranker(max(limit, 1), budget.monthly_usd)
    banned = set(constraints.excluded_providers)
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
            cost = monthly_api_cost(workload, offer, assumptions).monthly_usd
            ranker.add(offer.model_id, entry[1], cost, offer)
    _rank_selfhost(workload, hardware, passing, banned, selfhost_options, assumptions, ranker, out)
    return _result(workload, budget, constraints, assumptions, ranker, excluded, passing)


def _rank_selfhost(
    workload: Workload,
    hardware: HardwareChoice,
    passing: dict[int, tuple[CandidateModel, float, bool, bool]],
    banned: set[str],
    options: Iterable[SelfHostOption],
    assumptions: Assumptions,
    ranker: _Ranker,
    out: Callable[[str, int], None],
) -> None:
    owned_ok, cloud_ok = hardware.allows(MODE_OWNED), hardware.allows(MODE_CLOUD)
    if not (owned_ok or cloud_ok):
        return
    owned_counts: dict[str, int] = {}
    for slug, count in hardware.owned:
        owned_counts[slug] = owned_counts.get(slug, 0) + count
    clouds, regions, spot = set(hardware.clouds), set(hardware.regions), hardware.spot
    max_ttft = math.inf if workload.max_ttft_s is None else workload.max_ttft_s
    min_stream = workload.min_stream_tokens_per_s
    peak = workload.peak_concurrency
    per_s = requests_per_month(workload, assumptions) / (
        assumptions.days_per_month * 24.0 * SECONDS_PER_HOUR
    )
    util, hours = assumptions.max_utilization, assumptions.hours_per_month
    out_tok = workload.avg_output_tokens
    prefill_tok = workload.avg_input_tokens * (1.0 - min(max(workload.cacheable_input_share, 0), 1))
    # Hot loop (one pass over up to millions of options): reasons are counted in locals,
    # and a candidate reaches the heaps only when it could change them.
    no_fit = closed = short = no_own = few_own = other_cloud = banned_cloud = no_speed = slow = 0
    ceil, cap, keep = math.ceil, ranker.cap, ranker.keep
    best, limit, model_min = ranker.best, ranker.limit, ranker.model_min
    count, within = ranker.count, ranker.within
    worst = best[0][:3] if len(best) >= limit else None
    for o in options:
        entry = passing.get(o.model_id)
        if entry is None:
            continue
        if not o.fits:
            no_fit += 1
            continue
        if not entry[3]:
            if entry[0].open_weights:
                short += 1
            else:
                closed += 1
            continue
        if o.owned:
            if not owned_ok:
                continue
            available = owned_counts.get(o.accelerator_slug, 0) // o.count
            if available < 1:
                no_own += 1
                continue
        else:
            if not cloud_ok:
                continue
            if (
                o.spot != spot
                or (clouds and o.cloud not in clouds)
                or (regions and o.region not in regions)
            ):
                other_cloud += 1
                continue
            if o.cloud in banned:
                banned_cloud += 1
                continue
        total = o.decode_tokens_per_s_total
        if total <= 0:
            no_speed += 1
            continue
        if o.ttft_s > max_ttft or (min_stream is not None and o.stream_tokens_per_s < min_stream):
            slow += 1
            continue
        # Inline of selfhost_instances() (same formula) to keep the hot loop cheap.
        seconds = out_tok / total
        if o.prefill_tokens_per_s:
            seconds += prefill_tok / o.prefill_tokens_per_s
        need = peak * (min_stream or o.stream_tokens_per_s) / total
        avg_need = per_s * seconds / util
        if avg_need > need:
            need = avg_need
        instances = ceil(need - _EPS) if need > 1.0 else 1
        if o.owned and instances > available:
            few_own += 1
            continue
        cost = instances * o.hourly_usd * hours
        over = cost > cap
        count += 1
        if not over:
            within += 1
        quality = entry[1]
        # Most candidates stop at this test: they beat neither the worst kept row
        # (its key prefix is `worst`) nor their model's cheapest row so far.
        if within == 0 or worst is None or (-over, quality, -cost) > worst:
            ranker.within = within
            keep(count, o.model_id, quality, cost, over, o)
            worst = best[0][:3] if len(best) >= limit else None
        else:
            current = model_min.get(o.model_id)
            if current is None or cost < current[0]:
                ranker.within = within
                keep(count, o.model_id, quality, cost, over, o)
                worst = best[0][:3] if len(best) >= limit else None
    ranker.count, ranker.within = count, within
    for reason, n in (
        ("self-host: does not fit in memory", no_fit),
        ("self-host: weights not open", closed),
        ("self-host: context shorter than required", short),
        ("owned: accelerator not owned (or too few)", no_own),
        ("owned: too few accelerators for the load", few_own),
        ("cloud: other cloud, region or pricing", other_cloud),
        ("cloud: provider excluded", banned_cloud),
        ("self-host: no throughput figure", no_speed),
        ("self-host: misses the latency target", slow),
    ):
        if n:
            out(reason, n)


def _result(workload, budget, constraints, assumptions, ranker, excluded, passing) -> PlanResult:
    ordered = ranker.ordered()
    front = ranker.pareto()
    front_seqs = {seq for seq, _ in front}
    nothing = ranker.cap != math.inf and ranker.within == 0 and ranker.count > 0

    def row(subject, position, on_front, previous):
        model = passing[subject.model_id][0]
        return build_row(
            workload, budget, assumptions, subject, model, position, on_front, previous, nothing
        )

    rows: list[PlanRow] = []
    by_seq: dict[int, PlanRow] = {}
    for position, (seq, subject) in enumerate(ordered, start=1):
        rows.append(row(subject, position, seq in front_seqs, rows[-1] if rows else None))
        by_seq[seq] = rows[-1]
    pareto_rows = tuple(by_seq.get(seq) or row(subject, None, True, None) for seq, subject in front)
    return PlanResult(
        rows=tuple(rows),
        pareto=pareto_rows,
        candidates=ranker.count,
        within_budget=ranker.within,
        nothing_within_budget=nothing,
        message=_message(workload, budget, ranker.count, ranker.within, rows),
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
