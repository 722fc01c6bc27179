"""Stage 6, explanation: the rows shown, in plain language (pure: standard library only).

Only the rows `rank` returns are built here (quality signal, deployment label, cost
breakdown, explanation), so the cost of wording stays proportional to the rows shown, not
to the candidates ranked.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from planner.engine.candidates import quality_score
from planner.engine.checks import latency_ok
from planner.engine.costs import (
    monthly_api_cost,
    monthly_selfhost_cost,
    output_units,
    selfhost_instances,
)
from planner.engine.ranking import Ranked
from planner.records import (
    BILLING_ALWAYS_ON,
    BILLING_PER_SECOND,
    ENGINE_VERSION,
    MODE_API,
    MODE_CLOUD,
    MODE_OWNED,
    QUALITY_INDEX,
    QUALITY_PROXY,
    TASK_EMBEDDINGS,
    TASK_IMAGE,
    TASK_SPEECH,
    ApiOffer,
    Assumptions,
    Budget,
    CandidateModel,
    Constraints,
    Deployment,
    PlanResult,
    PlanRow,
    QualitySignal,
    SelfHostFigures,
    SelfHostOption,
    Workload,
)


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
        name = subject.provider_name or subject.provider_slug
        return Deployment(
            kind=MODE_API,
            label=name if name.endswith(" API") else f"{name} API",
            offer_id=subject.id,
            provider_slug=subject.provider_slug,
            provider_kind=subject.provider_kind,
        )
    kind = MODE_OWNED if subject.owned else MODE_CLOUD
    hw = f"{subject.count}× {subject.accelerator_name} ({subject.precision})"
    if kind == MODE_OWNED:
        label = f"{hw}, owned"
    else:
        where = " ".join(p for p in (subject.cloud, subject.region, subject.instance) if p)
        label = f"{hw}, {where}{' spot' if subject.spot else ''}"
        label += ", billed per second of use" if subject.per_second else ""
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
        engine=subject.engine,
        billing=BILLING_PER_SECOND if subject.per_second else BILLING_ALWAYS_ON,
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
    memory_headroom = figures = None
    if isinstance(subject, ApiOffer):
        cost = monthly_api_cost(workload, subject, assumptions)
        latency = latency_ok(workload, subject.ttft_s, subject.stream_tokens_per_s)
    else:
        cost = monthly_selfhost_cost(workload, subject, assumptions)
        latency = latency_ok(workload, subject.ttft_s, subject.stream_tokens_per_s)
        figures = selfhost_figures(workload, assumptions, subject, cost)
        if subject.memory_needed_gib is not None:
            memory_headroom = subject.memory_total_gib - subject.memory_needed_gib
    capacity_headroom = None if figures is None else figures.capacity_headroom_share
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
        stream_tokens_per_s=_finite(subject.stream_tokens_per_s),
        selfhost=figures,
    )
    text = _explain(workload, budget, row, previous, nothing_within_budget)
    return replace(row, explanation=text)


def _finite(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) and x > 0 else None


def selfhost_figures(
    workload: Workload, assumptions: Assumptions, option: SelfHostOption, cost
) -> SelfHostFigures:
    """How the self-hosted row runs (records.SelfHostFigures). The streams one instance
    holds are the most that fit in memory (`max_streams`) when known, else those of the
    planned concurrency (decode total ÷ per-stream speed)."""
    instances, _, avg_need = selfhost_instances(workload, option, assumptions)
    stream, total = option.stream_tokens_per_s, option.decode_tokens_per_s_total
    concurrency = total / stream if stream > 0 else 1.0
    held = max(option.max_streams or 0.0, concurrency)
    load = avg_need * assumptions.max_utilization  # instances' worth of average work
    needs = [n for n in (workload.peak_concurrency / held if held > 0 else 0.0, load) if n > 0]
    headroom = instances / max(needs) - 1.0 if needs else None
    out_tokens = cost.requests_per_month * workload.avg_output_tokens
    unit, units_per_s, units = _work_unit(workload, option)
    units *= cost.requests_per_month
    return SelfHostFigures(
        accelerator=option.accelerator_name, count=option.count, instances=instances,
        engine=option.engine, precision=option.precision,
        concurrency=min(concurrency, float(workload.peak_concurrency)) or concurrency,
        stream_tokens_per_s=stream, aggregate_tokens_per_s=total, ttft_s=option.ttft_s,
        usd_per_mtok_output=cost.monthly_usd / out_tokens * 1e6 if out_tokens > 0 else None,
        utilization=load / instances if instances else 0.0,
        capacity_headroom_share=headroom, estimate=option.throughput_source,
        billing=BILLING_PER_SECOND if option.per_second else BILLING_ALWAYS_ON,
        unit=unit, units_per_s=_finite(units_per_s),
        usd_per_unit=cost.monthly_usd / units if units > 0 else None,
    )  # fmt: skip


def _work_unit(workload: Workload, option: SelfHostOption) -> tuple[str, float | None, float]:
    """(the task's unit, one instance's throughput in it, units per request): images,
    audio minutes, input tokens for embeddings (the prefill rate), else output tokens."""
    if workload.task == TASK_IMAGE:
        return "image", option.decode_tokens_per_s_total, output_units(workload)
    if workload.task == TASK_SPEECH:
        per_s = option.decode_tokens_per_s_total / 60.0  # audio minutes per second
        return "audio minute", per_s, workload.audio_minutes_per_request
    if workload.task == TASK_EMBEDDINGS:
        return "input token", option.prefill_tokens_per_s, workload.avg_input_tokens
    return "output token", option.decode_tokens_per_s_total, workload.avg_output_tokens


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
    if row.deployment.provider_kind:
        parts.append(f"sold by a {KIND_WORDS.get(row.deployment.provider_kind, 'provider')}")
    if row.deployment.kind == MODE_API and row.monthly_usd == 0:
        parts.append("listed at no charge: usually a rate-limited free tier, check its limits")
    if row.deployment.engine:
        parts.append(f"served by {row.deployment.engine}")
    if (f := row.selfhost) is not None:
        speed = (
            f"{f.stream_tokens_per_s:,.0f} tokens/s per stream, {f.aggregate_tokens_per_s:,.0f} "
            f"per instance at {f.concurrency:g} streams, TTFT {f.ttft_s:.2f} s, "
            f"{f.utilization:.0%} utilised"
        )
        if f.usd_per_mtok_output is not None:
            speed += f", ${f.usd_per_mtok_output:,.2f} per 1M output tokens"
        parts.append(speed)
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


def plan_result(
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


KIND_WORDS = {
    "first_party": "first-party lab",
    "hyperscaler": "hyperscaler cloud",
    "inference_host": "inference host",
    "gpu_cloud": "GPU cloud",
    "router": "router (it forwards to other providers)",
    "gateway": "gateway / reseller",
    "free_tier": "free tier",
    "unknown": "provider not reviewed yet",
}
FREE_ROWS = 10  # rows of the "to try for free" list


def free_rows(
    workload: Workload, assumptions: Assumptions, offers, free: list[int], passing
) -> tuple[PlanRow, ...]:
    """The "to try for free" list: free-tier offers (and offers priced at zero) that pass
    every other check, one per model and provider, best quality first. Their rate limits
    are not in the catalog: each row says to check them."""
    seen: set[tuple[int, str]] = set()
    picked = []
    for i in free:
        offer = offers[i]
        key = (offer.model_id, offer.provider_slug)
        if key not in seen and offer.model_id in passing:
            seen.add(key)
            picked.append((-passing[offer.model_id][1], offer.id, offer))
    picked.sort(key=lambda t: t[:2])
    rows = []
    for position, (_, _, offer) in enumerate(picked[:FREE_ROWS], start=1):
        model = passing[offer.model_id][0]
        row = build_row(workload, Budget(), assumptions, offer, model, position, False, None, False)
        text = (
            f"{model.name} on {row.deployment.label}: free to try, rate-limited; its rate "
            "limits are not in the catalog, check the provider's page before relying on it."
        )
        rows.append(replace(row, explanation=text))
    return tuple(rows)
