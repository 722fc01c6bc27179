"""The planner's flat answers (wizard fields, API body, command options) <-> PlanInputs (pure).

One flat name per answer, the same in the wizard's form fields, the API's `PlanIn` body
and the `plan` command's options. Text values are parsed here, so the wizard and the
command share one parser; `planner.validate` then checks the ranges, and its dotted
paths map back to these names (`field_of`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from planner.records import (
    MODE_ANY,
    Assumptions,
    Budget,
    Constraints,
    HardwareChoice,
    PlanInputs,
    Workload,
)
from planner.seats_plan import SEATS_DEFAULTS, answers_with_seats, seats_from_answers

STEPS = ("task", "workload", "budget", "hardware", "constraints", "review")

STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "task": ("task", "model"),
    "workload": (
        "seats", "interactions_per_seat_per_day",
        "requests_per_day", "requests_per_month", "avg_input_tokens", "avg_output_tokens",
        "images_per_request", "audio_minutes_per_request", "cacheable_input_share",
        "peak_concurrency", "max_ttft_s", "min_stream_tokens_per_s", "batch_ok",
    ),
    "budget": ("budget_monthly_usd", "hardware_capex_usd"),
    "hardware": (
        "modes", "owned", "power_usd_per_kwh", "clouds", "regions", "spot", "billing",
    ),
    "constraints": (
        "open_weights_only", "commercial_only", "min_context_tokens", "languages",
        "excluded_providers", "quality_floor", "include_free_tiers", "include_resellers",
        "include_unreviewed",
    ),
    "review": ("days_per_month", "max_utilization", "proxy_ceiling"),
}  # fmt: skip
ALL_FIELDS = tuple(f for step in STEPS for f in STEP_FIELDS[step])
BOOL_FIELDS = (
    "batch_ok", "spot", "open_weights_only", "commercial_only", "include_free_tiers",
    "include_resellers", "include_unreviewed",
)  # fmt: skip
# rented hosts' billing -> HardwareChoice.per_second: auto = the task's default (per second
# of use offered too for embeddings, images and speech), always-on only, or per second too
BILLING = {"auto": None, "always-on": False, "per-second": True}
BILLING_CHOICES = tuple(BILLING)
LIST_FIELDS = ("modes",)  # repeated form fields (checkboxes)

DEFAULTS: dict[str, Any] = {
    "task": "chat",
    "model": "",
    **SEATS_DEFAULTS,  # the seats workload (planner/seats_plan.py)
    "requests_per_day": "10000",
    "requests_per_month": "",
    "avg_input_tokens": "800",
    "avg_output_tokens": "300",
    "images_per_request": "0",
    "audio_minutes_per_request": "0",
    "cacheable_input_share": "0",
    "peak_concurrency": "8",
    "max_ttft_s": "",
    "min_stream_tokens_per_s": "",
    "batch_ok": False,
    "budget_monthly_usd": "1000",
    "hardware_capex_usd": "",
    "modes": ["api", "cloud"],
    "owned": "",
    "power_usd_per_kwh": "0.15",
    "clouds": "",
    "regions": "",
    "spot": False,
    "billing": "auto",  # rented hosts: auto | always-on | per-second (BILLING)
    "open_weights_only": False,
    "commercial_only": False,
    "min_context_tokens": "",
    "languages": "",
    "excluded_providers": "",
    "quality_floor": "",
    "include_free_tiers": False,
    "include_resellers": False,
    "include_unreviewed": False,
    "days_per_month": "30",
    "max_utilization": "0.8",
    "proxy_ceiling": "50",
}
# Unit tasks start with a per-request unit instead of tokens.
TASK_DEFAULTS = {
    "text-to-image": {"avg_input_tokens": "0", "avg_output_tokens": "0", "images_per_request": "1"},
    "speech-to-text": {
        "avg_input_tokens": "0", "avg_output_tokens": "0", "audio_minutes_per_request": "1",
    },
}  # fmt: skip

# validate.py's dotted paths -> flat names
_PATHS = {
    "budget.monthly_usd": "budget_monthly_usd",
    "budget.hardware_capex_usd": "hardware_capex_usd",
    "hardware.modes": "modes",
    "hardware.owned": "owned",
    "hardware.power_usd_per_kwh": "power_usd_per_kwh",
    "constraints.focus_repo_id": "model",
}


def field_of(path: str) -> str:
    """The flat answer name of a validate.py path ("workload.max_ttft_s" -> "max_ttft_s")."""
    return _PATHS.get(path, path.rsplit(".", 1)[-1])


def step_of(name: str) -> str:
    for step in STEPS:
        if name in STEP_FIELDS[step]:
            return step
    return "review"


@dataclass(frozen=True, slots=True)
class Parsed:
    inputs: PlanInputs | None
    errors: dict[str, str]  # flat field name -> message (parse errors only)


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    return "" if value is None else str(value).strip()


def _truthy(value: Any) -> bool:
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "on", "yes")


def _csv(value: Any) -> tuple[str, ...]:
    if isinstance(value, list | tuple):
        items = [str(v) for v in value]
    else:
        items = _text(value).replace(";", ",").split(",")
    return tuple(dict.fromkeys(i.strip() for i in items if i.strip()))


def _owned_items(value: Any) -> list[str]:
    if isinstance(value, list | tuple) and value and isinstance(value[0], Mapping):
        return [
            f"{v.get('accelerator', '')}:{v.get('count', 1)}"
            + (f"@{v['purchase_usd']}" if v.get("purchase_usd") is not None else "")
            for v in value
        ]
    return list(_csv(value))


def parse_owned_prices(value: Any) -> tuple[tuple[str, float], ...]:
    """ "rtx-4090:1@1599" -> (("rtx-4090", 1599.0),): purchase USD per accelerator, when
    given (the owned cost then amortises it; without one the accelerator's list price is
    amortised where it has one, else it is power only; "@0": already paid, power only)."""
    prices = []
    for item in _owned_items(value):
        head, at, price = item.partition("@")
        try:
            if at and float(price) >= 0:
                prices.append((head.partition(":")[0].strip(), float(price)))
        except ValueError:
            continue
    return tuple(prices)


def parse_owned(value: Any) -> tuple[tuple[tuple[str, int], ...], str | None]:
    """ "rtx-4090:2, h100-sxm" -> (("rtx-4090", 2), ("h100-sxm", 1)); an error message or None."""
    owned = []
    for item in _owned_items(value):
        item = item.partition("@")[0]  # "@price": the purchase price (parse_owned_prices)
        slug, _, count = item.partition(":")
        try:
            n = int(count) if count.strip() else 1
        except ValueError:
            return (), f"Write accelerator:count, e.g. rtx-4090:2 (not {item!r})."
        owned.append((slug.strip(), n))
    return tuple(owned), None


def answers_with_defaults(data: Mapping[str, Any]) -> dict[str, Any]:
    """The answers given, with defaults for the rest. `data` may be a QueryDict-like
    mapping with `getlist` (checkbox lists) or a plain dict."""
    out: dict[str, Any] = {}
    task = _text(data.get("task")) or DEFAULTS["task"]
    defaults = {**DEFAULTS, **TASK_DEFAULTS.get(task, {})}
    for name in ALL_FIELDS:
        if name in LIST_FIELDS:
            getlist = getattr(data, "getlist", None)
            raw = getlist(name) if getlist is not None else data.get(name)
            if raw is None or (not raw and name not in data):
                raw = defaults[name]
            out[name] = list(_csv(raw))
        elif name in BOOL_FIELDS:
            out[name] = _truthy(data.get(name)) if name in data else defaults[name]
        elif name in data:
            value = data.get(name)
            # the API sends owned as [{accelerator, count}]
            keep = isinstance(value, list | tuple) and name == "owned"
            out[name] = value if keep else _text(value)
        else:
            out[name] = defaults[name]
    return out


def inputs_from_answers(answers: Mapping[str, Any]) -> Parsed:
    """PlanInputs from flat answers (text or typed values); parse errors per field.
    With `seats` set, the volume is seats × interactions per day (planner/seats_plan.py)."""
    a = answers_with_seats(answers_with_defaults(answers))
    errors: dict[str, str] = dict(seats_from_answers(a)[1])

    def num(name: str, *, optional: bool = False, integer: bool = False) -> Any:
        raw = a[name]
        if isinstance(raw, bool):
            raw = ""
        text = _text(raw) if not isinstance(raw, int | float) else str(raw)
        if text == "":
            if optional:
                return None
            errors[name] = "Enter a number."
            return 0
        try:
            value = float(text.replace(",", "").replace("_", ""))
        except ValueError:
            errors[name] = "Enter a number."
            return 0
        if value != value or value in (float("inf"), float("-inf")):
            errors[name] = "Enter a number."
            return 0
        if integer:
            if value != int(value):
                errors[name] = "Enter a whole number."
            return int(value)
        return value

    owned, owned_error = parse_owned(a["owned"])
    if owned_error:
        errors["owned"] = owned_error
    workload = Workload(
        task=_text(a["task"]),
        requests_per_day=num("requests_per_day", optional=True) or 0.0,
        requests_per_month=num("requests_per_month", optional=True),
        avg_input_tokens=num("avg_input_tokens", optional=True) or 0.0,
        avg_output_tokens=num("avg_output_tokens", optional=True) or 0.0,
        images_per_request=num("images_per_request", optional=True) or 0.0,
        audio_minutes_per_request=num("audio_minutes_per_request", optional=True) or 0.0,
        cacheable_input_share=num("cacheable_input_share", optional=True) or 0.0,
        peak_concurrency=num("peak_concurrency", integer=True),
        max_ttft_s=num("max_ttft_s", optional=True),
        min_stream_tokens_per_s=num("min_stream_tokens_per_s", optional=True),
        batch_ok=bool(a["batch_ok"]),
    )
    modes = tuple(a["modes"]) or ()
    hardware = HardwareChoice(
        modes=modes,
        owned=owned,
        owned_prices=parse_owned_prices(a["owned"]),
        power_usd_per_kwh=num("power_usd_per_kwh"),
        clouds=_csv(a["clouds"]),
        regions=_csv(a["regions"]),
        spot=bool(a["spot"]),
        per_second=BILLING.get(_text(a["billing"]) or "auto"),
    )
    if _text(a["billing"] or "auto") not in BILLING:
        errors["billing"] = "One of auto, always-on, per-second."
    quality_floor = num("quality_floor", optional=True)
    min_ctx = num("min_context_tokens", optional=True, integer=True)
    constraints = Constraints(
        open_weights_only=bool(a["open_weights_only"]),
        commercial_only=bool(a["commercial_only"]),
        min_context_tokens=min_ctx,
        languages=_csv(a["languages"]),
        excluded_providers=_csv(a["excluded_providers"]),
        quality_floor=quality_floor,
        focus_repo_id=_text(a["model"]),
        include_free_tiers=bool(a["include_free_tiers"]),
        include_resellers=bool(a["include_resellers"]),
        include_unreviewed=bool(a["include_unreviewed"]),
    )
    budget = Budget(
        monthly_usd=num("budget_monthly_usd", optional=True),
        hardware_capex_usd=num("hardware_capex_usd", optional=True),
    )
    assumptions = Assumptions(
        days_per_month=num("days_per_month"),
        max_utilization=num("max_utilization"),
        proxy_ceiling=num("proxy_ceiling"),
    )
    if errors:
        return Parsed(None, errors)
    return Parsed(PlanInputs(workload, budget, hardware, constraints, assumptions), {})


def _fmt(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"{value:g}" if isinstance(value, float) else str(value)


def answers_from_inputs(inputs: PlanInputs) -> dict[str, Any]:
    """The flat answers that give back `inputs` (for "edit and re-rank" and exports)."""
    w, b, h, c, a = (
        inputs.workload, inputs.budget, inputs.hardware, inputs.constraints, inputs.assumptions
    )  # fmt: skip
    answers: dict[str, Any] = {
        "task": w.task,
        "model": c.focus_repo_id,
        "budget_monthly_usd": _fmt(b.monthly_usd),
        "hardware_capex_usd": _fmt(b.hardware_capex_usd),
        "modes": list(h.modes) if MODE_ANY not in h.modes else ["api", "owned", "cloud"],
        "owned": ", ".join(
            f"{s}:{n}" + (f"@{dict(h.owned_prices)[s]:g}" if s in dict(h.owned_prices) else "")
            for s, n in h.owned
        ),
        "power_usd_per_kwh": _fmt(h.power_usd_per_kwh),
        "clouds": ", ".join(h.clouds),
        "regions": ", ".join(h.regions),
        "spot": h.spot,
        "billing": {None: "auto", False: "always-on", True: "per-second"}[h.per_second],
        "open_weights_only": c.open_weights_only,
        "commercial_only": c.commercial_only,
        "min_context_tokens": _fmt(c.min_context_tokens),
        "languages": ", ".join(c.languages),
        "excluded_providers": ", ".join(c.excluded_providers),
        "quality_floor": _fmt(c.quality_floor),
        "include_free_tiers": c.include_free_tiers,
        "include_resellers": c.include_resellers,
        "include_unreviewed": c.include_unreviewed,
        "days_per_month": _fmt(a.days_per_month),
        "max_utilization": _fmt(a.max_utilization),
        "proxy_ceiling": _fmt(a.proxy_ceiling),
    }
    for f in fields(Workload):
        if f.name != "task":
            value = getattr(w, f.name)
            answers[f.name] = value if isinstance(value, bool) else _fmt(value)
    return answers


def answers_for_task(answers: dict[str, Any]) -> dict[str, Any]:
    """Per-request units that fit the chosen task: images for text-to-image, audio minutes
    for speech-to-text, tokens otherwise (each keeps a value already given)."""
    out = dict(answers)
    unit_task = TASK_DEFAULTS.get(_text(out.get("task")))

    def zero(name: str) -> bool:
        try:
            return float(_text(out.get(name)) or 0) <= 0
        except ValueError:
            return False

    if unit_task is None:
        out["images_per_request"] = out["audio_minutes_per_request"] = "0"
        if zero("avg_input_tokens") and zero("avg_output_tokens"):
            out["avg_input_tokens"] = DEFAULTS["avg_input_tokens"]
            out["avg_output_tokens"] = DEFAULTS["avg_output_tokens"]
        return out
    out.update({k: v for k, v in unit_task.items() if v == "0" or zero(k)})
    return out
