"""The planner engine: rank model × deployment candidates, and breakeven volumes.

Pure (standard library and numpy): the Django side (planner.services, planner.selectors)
turns catalog models, offers, instance prices and benchmark estimates into the records of
`planner.records` (or the columns of `columns`) and calls `rank`. Data goes one way, one
module per stage, each importing only the stages before it:

    arrays      array helpers (each model's cheapest candidate, dense ids)
    columns     the candidates as columns (CandidateTable, ApiOfferTable, SelfHostTable)
    candidates  the models of the task that pass the model checks, with a quality score
    options     how each could be served: API offers, cloud and owned hosts (host_grid;
                media_table for images and speech), always-on or per second of use
    checks      why an option is left out (one reason code per option, counted)
    costs       the monthly cost of each option left (the cost formulas)
    ranking     the order: within budget, quality, cost; the cost-vs-quality front
    explain     the rows shown, in plain language
    breakeven   the volume where self-hosting gets cheaper than an API offer
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import replace

from planner.engine.breakeven import breakeven
from planner.engine.candidates import passing
from planner.engine.checks import MissingPriceError, api_offer_missing_prices, latency_ok
from planner.engine.columns import ApiOfferTable, CandidateTable, SelfHostTable
from planner.engine.costs import (
    _EPS,
    DEFAULT_ASSUMPTIONS,
    monthly_api_cost,
    monthly_selfhost_cost,
    owned_power_hourly_usd,
    requests_per_month,
    selfhost_instances,
)
from planner.engine.explain import free_rows, plan_result, quality_signal
from planner.engine.ranking import (
    Ranked,
    api_candidates,
    preferred_order_cost,
    selfhost_candidates,
)
from planner.records import (
    MODE_API,
    ApiOffer,
    Assumptions,
    Budget,
    CandidateModel,
    Constraints,
    HardwareChoice,
    PlanResult,
    SelfHostOption,
    Workload,
)

_passing = passing  # the name the tests knew

__all__ = [
    "DEFAULT_ASSUMPTIONS",
    "ApiOfferTable",
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

    # 1. candidates: the models that pass the model checks, with their quality score
    found, ms = passing(workload, constraints, models, assumptions, excluded)
    banned = set(constraints.excluded_providers)
    # 2-4. options -> checks -> costs: API offers, then self-host options after them
    offer_table = ApiOfferTable.from_offers(offers if hardware.allows(MODE_API) else ())
    free: list[int] = []
    api_index, api_model, api_cost = api_candidates(
        workload, offer_table, ms.ids, ms.ctx_ok, banned=banned,
        min_context_tokens=constraints.min_context_tokens,
        requests=requests_per_month(workload, assumptions),
        cache_share=min(max(workload.cacheable_input_share, 0.0), 1.0), out=out,
        sellers=constraints, free=free,
    )  # fmt: skip
    head = (ms.ids[api_model], ms.score[api_model], api_cost)
    table, left = selfhost_candidates(
        workload, hardware, found, ms, banned, selfhost_options, assumptions, out, head
    )
    # 5. ranking, 6. explanation
    ranked = _ranked(budget, offer_table, api_index, head, table, left)
    result = plan_result(
        workload, budget, constraints, assumptions, ranked, max(limit, 1), excluded, found,
        per_model,
    )  # fmt: skip
    return replace(result, free_tier=free_rows(workload, assumptions, offer_table, free, found))


def _ranked(budget, offer_table, api_index, head, table, left) -> Ranked:
    n_api = len(api_index)
    picked = left.index if left is not None else None

    def subject(i: int) -> object:
        if i < n_api:
            return offer_table[int(api_index[i])]
        return table[int(picked[i - n_api])]

    cost = head[2] if left is None else left.cost
    order_cost = cost.copy()
    order_cost[:n_api] = preferred_order_cost(offer_table, api_index, head[2])
    return Ranked(
        model_id=head[0] if left is None else left.model_id,
        quality=head[1] if left is None else left.quality,
        cost=cost,
        subject=subject,
        cap=math.inf if budget.monthly_usd is None else budget.monthly_usd + _EPS,
        tail=n_api,
        cheapest=None if left is None else left.cheapest,
        order_cost=order_cost,
    )
