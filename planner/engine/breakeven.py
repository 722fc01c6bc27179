"""Breakeven: the monthly volume where self-hosting gets cheaper than an API offer (pure)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from planner.engine.columns import ApiOfferTable, SelfHostTable
from planner.engine.costs import (
    _EPS,
    DEFAULT_ASSUMPTIONS,
    SECONDS_PER_HOUR,
    _instance_seconds_per_request,
    api_offer_missing_prices,
    monthly_api_cost,
    monthly_selfhost_cost,
    requests_per_month,
    selfhost_instances,
)
from planner.records import (
    BILLING_PER_SECOND,
    MODE_API,
    MODE_CLOUD,
    MODE_OWNED,
    ApiOffer,
    Assumptions,
    Breakeven,
    CurvePoint,
    PlanResult,
    SelfHostOption,
    Workload,
)


def breakeven(
    workload: Workload,
    offer: ApiOffer,
    option: SelfHostOption,
    *,
    assumptions: Assumptions = DEFAULT_ASSUMPTIONS,
) -> Breakeven:
    """Monthly requests above which self-hosting `option` is cheaper than the API `offer`.

    API cost is linear, a × V (a = USD per request); self-hosting is a staircase,
    max(k0, ⌈V ÷ Q⌉) × H with H = one instance per month, Q = requests one instance
    carries per month at max utilization, k0 = instances the peak streams need. Each step
    of k instances ends at V = kQ, where self-hosting costs kH against the API's akQ, so
    self-hosting gets cheaper only when aQ > H, and then first at V* = k0 × H ÷ a.
    Owned hardware is not capped at the count owned here (the curve says "if you had more").
    An option billed per second of use costs F + b × V (F = the month's start-ups, b =
    instance-seconds per request × hourly USD ÷ 3600): cheaper than the API above
    V* = F ÷ (a − b) when b < a, else never.
    """
    per_request = monthly_api_cost(
        replace(workload, requests_per_month=1.0), offer, assumptions
    ).monthly_usd
    if option.per_second:
        return _per_second(workload, offer, option, per_request, assumptions)
    seconds_per_month = assumptions.days_per_month * 24.0 * SECONDS_PER_HOUR
    per_instance = option.hourly_usd * assumptions.hours_per_month
    seconds = _instance_seconds_per_request(workload, option)
    capacity = (
        assumptions.max_utilization * seconds_per_month / seconds if seconds > 0 else math.inf
    )
    _, peak_need, _ = selfhost_instances(workload, option, assumptions)
    k0 = max(1, math.ceil(peak_need - _EPS))
    volume = None
    if per_request > 0 and per_request * capacity > per_instance:
        volume = k0 * per_instance / per_request
    current = requests_per_month(workload, assumptions)
    anchors = [v for v in (current, volume) if v]
    lo = max(1.0, min(anchors) / 10) if anchors else 1e3
    hi = max(anchors) * 10 if anchors else 1e8
    n = max(assumptions.breakeven_points, 2)
    points = []
    for i in range(n):
        v = lo * (hi / lo) ** (i / (n - 1))
        instances = max(k0, math.ceil(v / capacity - _EPS)) if capacity != math.inf else k0
        points.append(CurvePoint(v, per_request * v, instances * per_instance))
    label = f"{option.count}× {option.accelerator_name} ({option.precision})"
    if volume is None:
        text = (
            f"Self-hosting on {label} never gets cheaper than {offer.provider_slug}: one "
            f"instance costs ${per_instance:,.2f}/month and carries at most {capacity:,.0f} "
            f"requests, which cost ${per_request * capacity:,.2f} through the API."
        )
    else:
        text = (
            f"Above {volume:,.0f} requests/month ({volume / assumptions.days_per_month:,.0f}"
            f"/day) self-hosting on {label} is cheaper than {offer.provider_slug} "
            f"(${per_request * 1000:,.4f} per 1k requests vs ${per_instance:,.2f} per "
            f"instance-month, {capacity:,.0f} requests per instance-month)."
        )
    return Breakeven(
        model_id=offer.model_id,
        offer_id=offer.id,
        deployment_label=label,
        api_usd_per_request=per_request,
        instance_monthly_usd=per_instance,
        requests_per_instance_month=None if math.isinf(capacity) else capacity,
        breakeven_requests_per_month=volume,
        breakeven_requests_per_day=None if volume is None else volume / assumptions.days_per_month,
        points=tuple(points),
        explanation=text,
    )


def _per_second(
    workload: Workload,
    offer: ApiOffer,
    option: SelfHostOption,
    per_request: float,
    assumptions: Assumptions,
) -> Breakeven:
    """breakeven() for an option billed per second of use: F + b × V against a × V."""
    hourly = option.hourly_usd / SECONDS_PER_HOUR
    own = _instance_seconds_per_request(workload, option) * hourly
    fixed = assumptions.days_per_month * assumptions.startup_s_per_day * hourly
    volume = fixed / (per_request - own) if per_request > own else None
    current = requests_per_month(workload, assumptions)
    anchors = [v for v in (current, volume) if v]
    lo = max(1.0, min(anchors) / 10) if anchors else 1e3
    hi = max(anchors) * 10 if anchors else 1e8
    n = max(assumptions.breakeven_points, 2)
    volumes = [lo * (hi / lo) ** (i / (n - 1)) for i in range(n)]
    points = tuple(CurvePoint(v, per_request * v, fixed + own * v) for v in volumes)
    label = f"{option.count}× {option.accelerator_name} ({option.precision})"
    head = (
        f"Billed per second of use, self-hosting on {label} costs ${fixed:,.2f}/month of "
        f"start-ups plus ${own * 1000:,.4f} per 1k requests, against "
        f"{offer.provider_slug}'s ${per_request * 1000:,.4f} per 1k requests"
    )
    if volume is None:
        text = f"{head}: never cheaper."
    else:
        per_day = volume / assumptions.days_per_month
        text = (
            f"{head}: cheaper above {volume:,.0f} requests/month ({per_day:,.0f}/day)."
            if per_day >= 10
            else f"{head}: cheaper above {volume:,.0f} requests/month ({per_day:.2g}/day)."
        )
    return Breakeven(
        model_id=offer.model_id,
        offer_id=offer.id,
        deployment_label=f"{label}, billed per second of use",
        api_usd_per_request=per_request,
        instance_monthly_usd=fixed + own * current,
        requests_per_instance_month=None,
        breakeven_requests_per_month=volume,
        breakeven_requests_per_day=None if volume is None else volume / assumptions.days_per_month,
        points=points,
        explanation=text,
    )


def plan_breakeven(
    workload: Workload,
    assumptions: Assumptions,
    offers: Sequence[ApiOffer],
    options: Sequence[SelfHostOption],
    result: PlanResult,
) -> Breakeven | None:
    """Breakeven of the best-ranked model that has both an API and a self-host row: its
    cheapest API offer against its cheapest self-host option; when no model has both, the
    best API row against the best self-host row (pure, no query)."""
    order: list[int] = []
    for row in (*result.rows, *result.pareto):
        if row.model_id not in order:
            order.append(row.model_id)
    wl, a = workload, assumptions
    ranked_offers = {
        r.deployment.offer_id for r in (*result.rows, *result.pareto) if r.deployment.offer_id
    }
    kinds = {(r.model_id, r.deployment.kind) for r in (*result.rows, *result.pareto)}
    for model_id in order:
        if (model_id, MODE_API) not in kinds or not (
            (model_id, MODE_OWNED) in kinds or (model_id, MODE_CLOUD) in kinds
        ):
            continue
        rows = [
            r for r in (*result.rows, *result.pareto)
            if r.model_id == model_id and r.deployment.kind != MODE_API
        ]  # fmt: skip
        if not rows:
            continue
        d = min(rows, key=lambda r: r.monthly_usd).deployment
        option = next(
            (
                o for o in _model_options(options, model_id)
                if o.model_id == model_id and o.accelerator_slug == d.accelerator_slug
                and o.count == d.count and o.precision == d.precision and o.cloud == d.cloud
                and o.owned == (d.kind == MODE_OWNED)
                and o.per_second == (d.billing == BILLING_PER_SECOND)
            ),
            None,
        )  # fmt: skip
        # only the offers the plan ranked (not a free tier or a seller it left out)
        priced = [
            o for o in _model_offers(offers, model_id)
            if o.id in ranked_offers and not _missing(wl, o)
        ]  # fmt: skip
        if option is None or not priced:
            continue
        offer = min(priced, key=lambda o: monthly_api_cost(wl, o, a).monthly_usd)
        return _with_alternative(
            breakeven(wl, offer, option, assumptions=a), wl, a, option, options, result
        )
    # no model has both: the best API row against the best self-host row (every plan with
    # both sides shows a breakeven)
    shown = (*result.rows, *result.pareto)
    api = next((r for r in shown if r.deployment.kind == MODE_API), None)
    own = next((r for r in shown if r.deployment.kind != MODE_API), None)
    if api is None or own is None:
        return None
    offer = next(
        (o for o in _model_offers(offers, api.model_id) if o.id == api.deployment.offer_id),
        None,
    )
    d = own.deployment
    option = next(
        (
            o for o in _model_options(options, own.model_id)
            if o.accelerator_slug == d.accelerator_slug and o.count == d.count
            and o.cloud == d.cloud and o.owned == (d.kind == MODE_OWNED)
            and o.precision == d.precision
            and o.per_second == (d.billing == BILLING_PER_SECOND)
        ),
        None,
    )  # fmt: skip
    if offer is None or option is None:
        return None
    return _with_alternative(
        breakeven(wl, offer, option, assumptions=a), wl, a, option, options, result
    )


def _with_alternative(
    even: Breakeven,
    workload: Workload,
    assumptions: Assumptions,
    option: SelfHostOption,
    options: Sequence[SelfHostOption],
    result: PlanResult,
) -> Breakeven:
    """Buy vs rent: the breakeven's curve plus the other kind of self-hosting (owned when
    `option` is rented, rented when it is owned) for the same model, the plan's best-ranked
    row of that kind, priced by the one self-host cost function at each curve volume."""
    want = MODE_CLOUD if option.owned else MODE_OWNED
    row = next(
        (
            r for r in (*result.rows, *result.pareto)
            if r.model_id == option.model_id and r.deployment.kind == want
        ),
        None,
    )  # fmt: skip
    if row is None or not even.points:
        return even
    d = row.deployment
    alt = next(
        (
            o for o in _model_options(options, option.model_id)
            if o.accelerator_slug == d.accelerator_slug and o.count == d.count
            and o.cloud == d.cloud and o.precision == d.precision
            and o.owned == (want == MODE_OWNED)
            and o.per_second == (d.billing == BILLING_PER_SECOND)
        ),
        None,
    )  # fmt: skip
    if alt is None:
        return even
    costs = tuple(
        monthly_selfhost_cost(
            replace(workload, requests_per_month=p.requests_per_month), alt, assumptions
        ).monthly_usd
        for p in even.points
    )
    label = f"{alt.count}× {alt.accelerator_name} ({alt.precision}), " + (
        "owned" if alt.owned else "rented"
    )
    own, rent = (costs, [p.selfhost_usd for p in even.points])
    if not alt.owned:
        own, rent = rent, own
    cheaper = [
        p.requests_per_month for p, o, r in zip(even.points, own, rent, strict=True) if o < r
    ]
    if not cheaper:
        text = "Buying never costs less than renting over this range of volumes."
    elif len(cheaper) == len(even.points):
        text = "Buying costs less than renting at every volume shown."
    else:
        text = f"Buying costs less than renting from about {cheaper[0]:,.0f} requests/month."
    return replace(even, alt_label=label, alt_usd=costs, buy_vs_rent=text)


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
