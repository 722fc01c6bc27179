"""Breakeven: the monthly volume where self-hosting gets cheaper than an API offer (pure)."""

from __future__ import annotations

import math
from dataclasses import replace

from planner.costs import (
    _EPS,
    DEFAULT_ASSUMPTIONS,
    SECONDS_PER_HOUR,
    _instance_seconds_per_request,
    monthly_api_cost,
    requests_per_month,
    selfhost_instances,
)
from planner.records import ApiOffer, Assumptions, Breakeven, CurvePoint, SelfHostOption, Workload


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
    """
    per_request = monthly_api_cost(
        replace(workload, requests_per_month=1.0), offer, assumptions
    ).monthly_usd
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
