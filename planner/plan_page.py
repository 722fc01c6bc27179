"""What the plan result page shows beyond the ranked rows (pure: standard library only).

- `workload_text`: the workload the way it was entered ("10,000 requests/day" only when it
  was entered per day; per month otherwise), with the tokens per request;
- `usd_per_mtok`: a row's monthly cost over the tokens it serves in a month, per 1M;
- `top_picks`: the cards above the table, from the rows the plan already has: best
  overall (rank 1), cheapest (a paid option; a $0 listing is a free tier, badged apart),
  best quality within the budget (best quality when there is no budget), fastest;
  a row that wins several picks is one card with several titles;
- `badges`: a row's short flags for the compact table;
- `unit_cost` / `speed_text`: for image and speech tasks the cost per image / audio minute
  and the speed in images/s / audio minutes per second instead of tokens (issue 18 §6).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from planner.records import (
    BILLING_PER_SECOND,
    MODE_API,
    QUALITY_INDEX,
    TASK_IMAGE,
    TASK_SPEECH,
    PlanInputs,
    PlanRow,
)

# task -> (cost column header, speed column header)
UNIT_LABELS = {
    TASK_IMAGE: ("$/image", "Images/s"),
    TASK_SPEECH: ("$/audio minute", "Audio min/s"),
}

FREE_USD = 0.005  # below half a cent a month: a free tier, not "the cheapest"


def _count(x: float) -> str:
    return f"{x:,.0f}" if x >= 10 or float(x).is_integer() else f"{x:,.1f}"


def workload_text(inputs: PlanInputs) -> str:
    w = inputs.workload
    if w.requests_per_month is not None:
        volume = f"{_count(w.requests_per_month)} requests/month"
    else:
        monthly = w.requests_per_day * inputs.assumptions.days_per_month
        volume = (
            f"{_count(w.requests_per_day)} requests/day "
            f"(≈{_count(monthly)}/month at {inputs.assumptions.days_per_month:g} days)"
        )
    tokens = []
    if w.avg_input_tokens:
        tokens.append(f"{_count(w.avg_input_tokens)} input")
    if w.avg_output_tokens:
        tokens.append(f"{_count(w.avg_output_tokens)} output")
    if tokens:
        volume += f" · {' + '.join(tokens)} tokens per request"
    if w.task == TASK_IMAGE and w.images_per_request:
        volume += f" · {_count(w.images_per_request)} image(s) per request"
    if w.task == TASK_SPEECH and w.audio_minutes_per_request:
        volume += f" · {_count(w.audio_minutes_per_request)} audio minute(s) per request"
    return volume


def unit_cost(row: PlanRow, inputs: PlanInputs) -> float | None:
    """Image and speech tasks: the row's monthly cost per image / audio minute; other
    tasks: usd_per_mtok."""
    w = inputs.workload
    per_request = {TASK_IMAGE: w.images_per_request, TASK_SPEECH: w.audio_minutes_per_request}
    if w.task not in per_request:
        return usd_per_mtok(row, inputs)
    units = row.cost.requests_per_month * per_request[w.task]
    return float(f"{row.monthly_usd / units:.3g}") if units > 0 else None


def speed_text(row: PlanRow, task: str) -> str:
    """One stream's speed in an image or speech task's unit ("—" when unknown); "" for
    token tasks (the page formats tokens/s itself)."""
    v = row.stream_tokens_per_s
    if task not in UNIT_LABELS:
        return ""
    if not v:
        return "—"
    if task == TASK_IMAGE:
        return f"{v:.3g} images/s"
    return f"{v / 60:.3g} audio min/s"


def monthly_tokens(inputs: PlanInputs, requests_per_month: float) -> float:
    w = inputs.workload
    return requests_per_month * (w.avg_input_tokens + w.avg_output_tokens)


def usd_per_mtok(row: PlanRow, inputs: PlanInputs) -> float | None:
    """Monthly cost over the month's tokens (input + output), per 1M; None without tokens."""
    tokens = monthly_tokens(inputs, row.cost.requests_per_month)
    if tokens <= 0:
        return None
    return float(f"{row.monthly_usd / tokens * 1e6:.3g}")  # 3 significant digits


def is_free(row: PlanRow) -> bool:
    return row.monthly_usd < FREE_USD


@dataclass(frozen=True, slots=True)
class Pick:
    titles: tuple[str, ...]
    row: PlanRow


def top_picks(rows: list[PlanRow], *, has_budget: bool) -> list[Pick]:
    """Up to four cards; ties keep the higher-ranked row."""
    if not rows:
        return []
    ranked = [r for r in rows if r.rank is not None] or rows
    chosen: list[tuple[str, PlanRow | None]] = [("Best overall", ranked[0])]
    paid = [r for r in rows if not is_free(r)]
    chosen.append(("Cheapest", min(paid, key=lambda r: r.monthly_usd) if paid else None))
    pool = [r for r in rows if r.within_budget] if has_budget else rows
    title = "Best quality within budget" if has_budget else "Best quality"
    chosen.append((title, max(pool, key=lambda r: r.quality.score) if pool else None))
    fast = [r for r in rows if r.stream_tokens_per_s]
    chosen.append(("Fastest", max(fast, key=lambda r: r.stream_tokens_per_s) if fast else None))
    picks: dict[int, list[str]] = {}
    by_id: dict[int, PlanRow] = {}
    for name, row in chosen:
        if row is None:
            continue
        picks.setdefault(id(row), []).append(name)
        by_id[id(row)] = row
    return [Pick(tuple(names), by_id[key]) for key, names in picks.items()]


def badges(row: PlanRow) -> list[dict[str, Any]]:
    """[{"text", "tone"}] for the compact table (tone: ok / warn / accent / "")."""
    out = [
        {"text": "within budget", "tone": "ok"}
        if row.within_budget
        else {"text": "over budget", "tone": "warn"}
    ]
    if row.pareto:
        out.append({"text": "Pareto front", "tone": "accent"})
    if row.meets_latency_target is False:
        out.append({"text": "misses latency target", "tone": "warn"})
    if is_free(row):
        out.append({"text": "free tier: likely rate-limited", "tone": "warn"})
    if row.quality.kind != QUALITY_INDEX:
        out.append({"text": "quality proxy", "tone": ""})
    source = row.deployment.throughput_source
    if source == "measured" or source.startswith("measured:"):
        out.append({"text": "measured speed", "tone": "ok"})
    elif "uncalibrated" in source:
        out.append({"text": "uncalibrated estimate", "tone": ""})
    if row.deployment.kind != MODE_API and row.deployment.billing:
        per_second = row.deployment.billing == BILLING_PER_SECOND
        out.append({"text": "billed per second" if per_second else "always-on", "tone": ""})
    return out


def page_context(inputs: PlanInputs, rows: list[PlanRow]) -> dict[str, Any]:
    """The result page's header line, top-pick cards and compact table rows."""
    has_budget = inputs.budget.monthly_usd is not None
    task = inputs.workload.task
    cost_label, speed_label = UNIT_LABELS.get(task, ("$/1M tokens", "Tokens/s"))
    return {
        "workload_text": workload_text(inputs),
        "picks": [
            {"titles": p.titles, "row": p.row, "speed": speed_text(p.row, task)}
            for p in top_picks(rows, has_budget=has_budget)
        ],
        "unit_cost_label": cost_label,
        "speed_label": speed_label,
        "table_rows": [
            {
                "row": r,
                "usd_per_mtok": unit_cost(r, inputs),
                "badges": badges(r),
                "speed": speed_text(r, task),
            }
            for r in rows
        ],
    }
