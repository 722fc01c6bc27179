"""What the planner's pages show: wizard step context, step validation, result page
context and exports (reads only; the views stay thin)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.http import Http404
from django.urls import reverse

from benchmarks.models import Accelerator
from catalog.models import Model
from planner import answers as A
from planner import plan_page
from planner.codec import CodecError, from_data, inputs_from_data, result_from_data
from planner.models import Plan
from planner.records import Breakeven, PlanInputs, PlanResult
from planner.seats_plan import seats_answers
from planner.selectors import TASKS, accelerators_by_slug
from planner.validate import validate_inputs
from pricing.models import InstancePrice

STEP_TITLES = {
    "task": "Task",
    "workload": "Workload",
    "budget": "Budget",
    "hardware": "Hardware",
    "constraints": "Constraints",
    "review": "Review",
}
# Catalog task slug -> wizard task, for "Plan with this model".
TASK_OF_CATALOG = {
    "text-generation": "chat",
    "image-text-to-text": "chat",
    "text2text-generation": "chat",
    "summarization": "summarization",
    "feature-extraction": "embeddings",
    "sentence-similarity": "embeddings",
    "text-to-image": "text-to-image",
    "automatic-speech-recognition": "speech-to-text",
}
MODES = (("api", "API providers"), ("owned", "My own accelerators"), ("cloud", "Rented cloud GPUs"))
RERANK_FIELDS = (
    "requests_per_day", "avg_input_tokens", "avg_output_tokens", "cacheable_input_share",
    "peak_concurrency", "budget_monthly_usd", "power_usd_per_kwh", "days_per_month",
    "max_utilization", "proxy_ceiling",
)  # fmt: skip
FIELD_LABELS = {
    "requests_per_day": "Requests per day",
    "avg_input_tokens": "Input tokens per request",
    "avg_output_tokens": "Output tokens per request",
    "cacheable_input_share": "Cacheable share of input (0–1)",
    "peak_concurrency": "Peak concurrent streams",
    "budget_monthly_usd": "Monthly budget (USD)",
    "power_usd_per_kwh": "Power price (USD per kWh)",
    "days_per_month": "Days per month",
    "max_utilization": "Max utilization (0–1)",
    "proxy_ceiling": "Quality proxy ceiling (0–100)",
}


def answers_from_request(data: Mapping[str, Any]) -> dict[str, Any]:
    """Answers with defaults; `?model=` without a task takes the task of the model. 0-1 query."""
    answers = A.answers_with_defaults(data)
    repo_id = answers.get("model")
    if repo_id and "task" not in data:
        slug = Model.objects.filter(repo_id=repo_id).values_list("task__slug", flat=True).first()
        task = TASK_OF_CATALOG.get(slug or "")
        if task:
            answers = A.answers_with_defaults({**_flat(data), "task": task})
    return answers


def _flat(data: Mapping[str, Any]) -> dict[str, Any]:
    getlist = getattr(data, "getlist", None)
    if getlist is None:
        return dict(data)
    return {k: (getlist(k) if k in A.LIST_FIELDS else data.get(k)) for k in data}


def answers_query(answers: Mapping[str, Any]) -> str:
    """The answers as a query string (booleans 1/0; checkbox lists repeated, plus an empty
    marker so "none chosen" survives the trip)."""
    pairs: list[tuple[str, str]] = []
    for name in A.ALL_FIELDS:
        value = answers.get(name, A.DEFAULTS[name])
        if name in A.LIST_FIELDS:
            pairs.append((name, ""))
            pairs.extend((name, str(v)) for v in value)
        elif name in A.BOOL_FIELDS:
            pairs.append((name, "1" if value else "0"))
        elif value not in ("", None):
            pairs.append((name, str(value)))
    return urlencode(pairs)


def all_errors(*, answers: Mapping[str, Any]) -> dict[str, str]:
    """Every problem with the answers, keyed by flat field name. 0-1 query (owned slugs)."""
    parsed = A.inputs_from_answers(answers)
    errors = dict(parsed.errors)
    inputs = parsed.inputs
    if inputs is None:
        return errors
    for e in validate_inputs(inputs):
        errors.setdefault(A.field_of(e.field), e.message)
    if inputs.workload.task not in TASKS:
        errors.setdefault("task", "Choose a task.")
    owned = [slug for slug, _ in inputs.hardware.owned if slug]
    if owned:
        known = accelerators_by_slug(slugs=owned)
        unknown = [s for s in owned if s not in known]
        if unknown:
            errors.setdefault("owned", f"Unknown accelerator: {', '.join(unknown)}.")
    return errors


def step_errors(*, step: str, answers: Mapping[str, Any]) -> dict[str, str]:
    """The errors of one step's fields (the review step: all of them)."""
    errors = all_errors(answers=answers)
    if step == "review":
        return errors
    return {k: v for k, v in errors.items() if A.step_of(k) == step}


def step_context(*, step: str, answers: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    index = A.STEPS.index(step)
    query = answers_query(answers)
    steps = [
        {
            "slug": s,
            "title": STEP_TITLES[s],
            "url": f"{reverse('planner:step', args=[s])}?{query}",
            "current": s == step,
            "done": i < index,
            "number": i + 1,
        }
        for i, s in enumerate(A.STEPS)
    ]
    hidden: list[tuple[str, str]] = []
    shown = set(A.STEP_FIELDS[step]) if step != "review" else set()
    for name in A.ALL_FIELDS:
        if name in shown:
            continue
        value = answers[name]
        if name in A.LIST_FIELDS:
            hidden.append((name, ""))
            hidden.extend((name, str(v)) for v in value)
        elif name in A.BOOL_FIELDS:
            hidden.append((name, "1" if value else "0"))
        else:
            hidden.append((name, "" if value is None else str(value)))
    context: dict[str, Any] = {
        "step": step,
        "step_title": STEP_TITLES[step],
        "steps": steps,
        "answers": answers,
        "errors": errors,
        "hidden": hidden,
        "is_first": index == 0,
        "is_last": step == "review",
        "action": reverse("planner:step", args=[step]),
        "tasks": [(t.slug, t.label) for t in TASKS.values()],
        "modes": [(v, label, v in answers["modes"]) for v, label in MODES],
    }
    if step == "task" and answers.get("model"):
        context["focus_model"] = (
            Model.objects.filter(repo_id=answers["model"]).only("repo_id", "name").first()
        )
    if step == "hardware":
        context["accelerators"] = list(
            Accelerator.objects.order_by("vendor", "-memory_gib").values_list("slug", "name")
        )
        context["clouds"] = list(
            InstancePrice.objects.filter(valid_to__isnull=True)
            .order_by("provider__slug")
            .values_list("provider__slug", flat=True)
            .distinct()
        )
    if step == "review":
        context["summary"] = [
            (STEP_TITLES[s], [(n, _display(answers[n])) for n in A.STEP_FIELDS[s]])
            for s in A.STEPS
            if s != "review"
        ]
    return context


def _display(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value)) or "—"
    return str(value) if value not in ("", None) else "—"


def plan_get(*, slug: str) -> Plan:
    try:
        return Plan.objects.get(slug=slug)
    except Plan.DoesNotExist as exc:
        raise Http404(f"No plan {slug!r}.") from exc


def plan_decode(plan: Plan) -> tuple[PlanInputs, PlanResult, Breakeven | None]:
    try:
        inputs = inputs_from_data(plan.inputs)
        result = result_from_data(plan.result)
        raw = plan.result.get("breakeven") if isinstance(plan.result, dict) else None
        even = from_data(Breakeven, raw) if raw else None
    except CodecError as exc:
        raise Http404(f"Plan {plan.slug!r} was saved by an incompatible engine.") from exc
    return inputs, result, even


def _chart_point(row) -> dict[str, Any]:
    return {
        "x": round(row.monthly_usd, 2),
        "y": round(row.quality.score, 2),
        "label": f"{row.model_name} · {row.deployment.label}",
    }


def plan_cards(rows: list, n: int = 3) -> list:
    """The top recommendations: the best row of each of the first `n` models (the table
    below lists each model's other deployments)."""
    cards, seen = [], set()
    for row in rows:
        if row.model_id not in seen:
            seen.add(row.model_id)
            cards.append(row)
            if len(cards) == n:
                break
    return cards


def plan_context(*, slug: str, plan: Plan | None = None) -> dict[str, Any]:
    plan = plan if plan is not None else plan_get(slug=slug)
    inputs, result, even = plan_decode(plan)
    answers = {**A.answers_from_inputs(inputs), **seats_answers(plan.inputs)}
    rows = list(result.rows)
    pareto_keys = {(r.model_id, r.deployment.label) for r in result.pareto}
    pareto_chart = {
        "others": [
            _chart_point(r) for r in rows if (r.model_id, r.deployment.label) not in pareto_keys
        ],
        "front": [_chart_point(r) for r in result.pareto],
        "budget": inputs.budget.monthly_usd,
    }
    breakeven_chart = None
    if even is not None and even.points:
        breakeven_chart = {
            "volumes": [round(p.requests_per_month) for p in even.points],
            "api": [round(p.api_usd, 2) for p in even.points],
            "selfhost": [round(p.selfhost_usd, 2) for p in even.points],
            "api_label": "API",
            "selfhost_label": even.deployment_label,
            "alt": [round(v, 2) for v in even.alt_usd],
            "alt_label": even.alt_label,
        }
    model_names = {r.model_id: r.model_name for r in (*rows, *result.pareto)}
    return {
        "plan": plan,
        "inputs": inputs,
        "result": result,
        "cards": plan_cards(rows),
        "rows": rows,
        **plan_page.page_context(inputs, rows),
        "breakeven": even,
        "breakeven_model": model_names.get(even.model_id) if even else None,
        "pareto_chart": pareto_chart,
        "breakeven_chart": breakeven_chart,
        "task_label": TASKS[inputs.workload.task].label if inputs.workload.task in TASKS else "",
        "edit_fields": [(n, FIELD_LABELS[n]) for n in RERANK_FIELDS],
        "edit_answers": answers,
        "edit_errors": {},
        "wizard_url": f"{reverse('planner:step', args=['review'])}?{answers_query(answers)}",
        "excluded": result.excluded,
        "seats": plan.result.get("seats") if isinstance(plan.result, dict) else None,
    }


def answers_for_rerank(*, slug: str, data: Mapping[str, Any]) -> dict[str, Any]:
    plan = plan_get(slug=slug)
    inputs, _, _ = plan_decode(plan)
    answers = {**A.answers_from_inputs(inputs), **seats_answers(plan.inputs)}
    for name in RERANK_FIELDS:
        if name in data:
            answers[name] = str(data.get(name, "")).strip()
    return answers


def _num(x: float | None) -> float | None:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return None
    return round(x, 4)


def plan_export(*, slug: str) -> dict[str, Any]:
    plan = plan_get(slug=slug)
    return {
        "slug": plan.slug,
        "url": reverse("planner:plan-detail", args=[plan.slug]),
        "created_at": plan.created_at.isoformat(),
        "engine_version": plan.engine_version,
        "inputs": plan.inputs,
        "result": plan.result,
    }


CSV_HEADER = (
    "rank", "model", "repo_id", "deployment_kind", "deployment", "monthly_usd",
    "within_budget", "quality_score", "quality_signal", "pareto", "meets_latency_target",
    "instances", "throughput_source", "explanation",
)  # fmt: skip


def plan_csv_rows(*, slug: str) -> list[tuple]:
    _, result, _ = plan_decode(plan_get(slug=slug))
    return [CSV_HEADER] + [
            (
                r.rank, r.model_name, r.repo_id, r.deployment.kind, r.deployment.label,
                f"{r.monthly_usd:.2f}", r.within_budget, f"{r.quality.score:.2f}",
                r.quality.kind, r.pareto, "" if r.meets_latency_target is None
                else r.meets_latency_target, r.cost.instances, r.deployment.throughput_source,
                r.explanation,
            )
        for r in result.rows
    ]  # fmt: skip
