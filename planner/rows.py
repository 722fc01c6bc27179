"""Result rows of the planner: quality signal, deployment label, plain-language explanation.

Pure (standard library only). Only the rows `rank` returns are built here, so the cost of
wording stays proportional to the rows shown, not to the candidates ranked.
"""

from __future__ import annotations

import math
from dataclasses import replace

from planner.costs import latency_ok, monthly_api_cost, monthly_selfhost_cost, selfhost_instances
from planner.records import (
    MODE_API,
    MODE_CLOUD,
    MODE_OWNED,
    QUALITY_INDEX,
    QUALITY_PROXY,
    ApiOffer,
    Assumptions,
    Budget,
    CandidateModel,
    Constraints,
    Deployment,
    PlanRow,
    QualitySignal,
    SelfHostOption,
    Workload,
)


def _share(x: float, full: float) -> float:
    return min(1.0, math.log10(1.0 + max(x, 0.0)) / math.log10(1.0 + full))


def quality_score(model: CandidateModel, assumptions: Assumptions) -> float:
    """quality_signal(...).score without building the signal (the rank's hot path)."""
    if model.quality_index is not None:
        return float(model.quality_index)
    a = assumptions
    score = a.proxy_ceiling * (
        a.proxy_weight_downloads * _share(model.downloads, a.proxy_downloads_full)
        + a.proxy_weight_likes * _share(model.likes, a.proxy_likes_full)
        + a.proxy_weight_size * _share(model.params_total or 0, a.proxy_params_full)
    )
    return round(score, 3)


def quality_signal(model: CandidateModel, assumptions: Assumptions) -> QualitySignal:
    """The quality index when one exists, else the popularity-and-size proxy (Assumptions)."""
    if model.quality_index is not None:
        sources = ", ".join(model.quality_sources) or "unnamed sources"
        return QualitySignal(
            score=float(model.quality_index),
            kind=QUALITY_INDEX,
            label=f"quality index from {sources}",
            sources=model.quality_sources,
        )
    score = quality_score(model, assumptions)
    return QualitySignal(
        score=score,
        kind=QUALITY_PROXY,
        label=(
            f"popularity and size proxy, 0–{assumptions.proxy_ceiling:g} "
            "(no measured quality score)"
        ),
    )


def deployment_of(subject: ApiOffer | SelfHostOption) -> Deployment:
    if isinstance(subject, ApiOffer):
        return Deployment(
            kind=MODE_API,
            label=f"{subject.provider_name or subject.provider_slug} API",
            offer_id=subject.id,
            provider_slug=subject.provider_slug,
        )
    kind = MODE_OWNED if subject.owned else MODE_CLOUD
    hw = f"{subject.count}× {subject.accelerator_name} ({subject.precision})"
    if kind == MODE_OWNED:
        label = f"{hw}, owned"
    else:
        where = " ".join(p for p in (subject.cloud, subject.region, subject.instance) if p)
        label = f"{hw}, {where}{' spot' if subject.spot else ''}"
    return Deployment(
        kind=kind,
        label=label,
        accelerator_slug=subject.accelerator_slug,
        count=subject.count,
        precision=subject.precision,
        cloud=subject.cloud,
        region=subject.region,
        instance=subject.instance,
        spot=subject.spot,
        throughput_source=subject.throughput_source,
    )


def build_row(
    workload: Workload,
    budget: Budget,
    assumptions: Assumptions,
    subject: ApiOffer | SelfHostOption,
    model: CandidateModel,
    position: int | None,
    pareto: bool,
    previous: PlanRow | None,
    nothing_within_budget: bool,
) -> PlanRow:
    quality = quality_signal(model, assumptions)
    capacity_headroom = memory_headroom = None
    if isinstance(subject, ApiOffer):
        cost = monthly_api_cost(workload, subject, assumptions)
        latency = latency_ok(workload, subject.ttft_s, subject.stream_tokens_per_s)
    else:
        cost = monthly_selfhost_cost(workload, subject, assumptions)
        latency = latency_ok(workload, subject.ttft_s, subject.stream_tokens_per_s)
        _, peak_need, avg_need = selfhost_instances(workload, subject, assumptions)
        need = max(peak_need, avg_need)
        capacity_headroom = cost.instances / need - 1.0 if need > 0 else None
        if subject.memory_needed_gib is not None:
            memory_headroom = subject.memory_total_gib - subject.memory_needed_gib
    limit = budget.monthly_usd
    within = limit is None or cost.monthly_usd <= limit + 1e-9
    deployment = deployment_of(subject)
    row = PlanRow(
        rank=position,
        model_id=model.id,
        repo_id=model.repo_id,
        model_name=model.name,
        deployment=deployment,
        cost=cost,
        within_budget=within,
        budget_headroom_usd=None if limit is None else limit - cost.monthly_usd,
        meets_latency_target=latency,
        capacity_headroom_share=capacity_headroom,
        memory_headroom_gib=memory_headroom,
        quality=quality,
        pareto=pareto,
        explanation="",
        assumptions=cost.notes,
    )
    text = _explain(workload, budget, row, previous, nothing_within_budget)
    return replace(row, explanation=text)


def _money(x: float) -> str:
    return f"${x:,.2f}"


def _explain(
    workload: Workload,
    budget: Budget,
    row: PlanRow,
    previous: PlanRow | None,
    nothing_within_budget: bool,
) -> str:
    parts = [f"{row.model_name} on {row.deployment.label}: {_money(row.monthly_usd)}/month"]
    if row.cost.instances:
        parts[0] += f" ({row.cost.instances} instance{'s' if row.cost.instances > 1 else ''})"
    limit = budget.monthly_usd
    if limit is None:
        parts.append("no budget set")
    elif row.within_budget:
        parts.append(f"within the {_money(limit)} budget ({_money(limit - row.monthly_usd)} spare)")
    else:
        parts.append(f"over the {_money(limit)} budget by {_money(row.monthly_usd - limit)}")
    q = row.quality
    parts.append(f"quality {q.score:.1f} ({q.label})")
    if row.rank is None:
        parts.append("on the cost-vs-quality front but outside the top rows")
    elif nothing_within_budget:
        parts.append(f"#{row.rank}: nothing fits the budget, so options are ordered by cost")
    elif previous is None:
        first = (
            "the best quality signal within budget"
            if limit is not None
            else ("the best quality signal")
        )
        parts.append(f"#1: {first}, cheapest among equals")
    elif not row.within_budget and previous.within_budget:
        parts.append(f"#{row.rank}: below every option that fits the budget")
    elif q.score < previous.quality.score:
        parts.append(f"#{row.rank}: lower quality signal than #{previous.rank}")
    else:
        extra = row.monthly_usd - previous.monthly_usd
        parts.append(
            f"#{row.rank}: same quality signal as #{previous.rank}, {_money(extra)} more a month"
        )
    if row.meets_latency_target is True:
        parts.append("meets the latency target")
    elif row.meets_latency_target is None and (
        workload.max_ttft_s is not None or workload.min_stream_tokens_per_s is not None
    ):
        parts.append("latency not measured: assumed to meet the target")
    if row.deployment.kind == MODE_API and row.monthly_usd == 0:
        parts.append("listed at no charge: usually a rate-limited free tier, check its limits")
    if row.deployment.throughput_source:
        parts.append(f"throughput {row.deployment.throughput_source}")
    if row.pareto:
        parts.append("on the cost-vs-quality front")
    return "; ".join(parts) + "."


def assumption_lines(
    workload: Workload, constraints: Constraints, assumptions: Assumptions, per_model: int = 0
) -> tuple[str, ...]:
    lines = [
        f"{assumptions.days_per_month:g} days a month; instances run "
        f"{assumptions.hours_per_month:g} hours a month",
        f"self-hosted instances are sized to use at most {assumptions.max_utilization:.0%} "
        "of their throughput on average, and to carry the peak streams",
        "self-hosted capacity counts decode tokens (and prefill when a figure exists)",
        "measured throughput is used where a benchmark run exists, else the estimate",
        "owned hardware costs its power only; the purchase is already paid",
        "models without a quality index are ranked by a popularity and size proxy scaled to "
        f"0–{assumptions.proxy_ceiling:g} (the index runs 0–100), so a measured model in the "
        "upper range ranks above an unmeasured one",
    ]
    if per_model > 0:
        lines.append(
            f"at most {per_model} deployments of one model are listed (its best ones); the "
            "others still count as options"
        )
    if workload.cacheable_input_share > 0:
        lines.append(
            f"{workload.cacheable_input_share:.0%} of input tokens are billed at the cached price"
        )
    if workload.batch_ok:
        lines.append("batch prices are used where the provider offers them")
    if constraints.languages:
        lines.append("models that list no languages are kept (language not stated)")
    if constraints.min_context_tokens is not None:
        lines.append("models with an unknown context length are left out")
    return tuple(lines)
