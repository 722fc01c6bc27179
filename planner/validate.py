"""Check the planner's inputs before ranking (pure): one message per bad field.

The wizard shows each message next to its field and the API returns them as
`{"error": {"fields": {path: message}}}`; paths are dotted record fields
("workload.cacheable_input_share", "hardware.owned").
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.records import MODE_ANY, MODE_OWNED, MODES, PlanInputs


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str


def validate_inputs(inputs: PlanInputs) -> tuple[FieldError, ...]:
    """Every problem found, in field order; empty when `rank` can run on these inputs."""
    errors: list[FieldError] = []

    def check(ok: bool, field: str, message: str) -> None:
        if not ok:
            errors.append(FieldError(field, message))

    w = inputs.workload
    check(bool(w.task.strip()), "workload.task", "Choose a task.")
    if w.requests_per_day < 0:
        check(False, "workload.requests_per_day", "Cannot be negative.")
    elif w.requests_per_month is None:
        check(w.requests_per_day > 0, "workload.requests_per_day", "Enter requests per day.")
    else:
        check(w.requests_per_month > 0, "workload.requests_per_month", "Must be above 0.")
    for name in (
        "avg_input_tokens",
        "avg_output_tokens",
        "images_per_request",
        "audio_minutes_per_request",
    ):
        check(getattr(w, name) >= 0, f"workload.{name}", "Cannot be negative.")
    check(
        max(w.avg_input_tokens, w.avg_output_tokens, w.images_per_request,
            w.audio_minutes_per_request) > 0,
        "workload.avg_output_tokens",
        "Give the tokens, images or audio minutes of one request.",
    )  # fmt: skip
    check(
        0 <= w.cacheable_input_share <= 1,
        "workload.cacheable_input_share",
        "A share between 0 and 1.",
    )
    check(w.peak_concurrency >= 1, "workload.peak_concurrency", "At least 1 stream.")
    check(w.max_ttft_s is None or w.max_ttft_s > 0, "workload.max_ttft_s", "Must be above 0.")
    check(
        w.min_stream_tokens_per_s is None or w.min_stream_tokens_per_s > 0,
        "workload.min_stream_tokens_per_s",
        "Must be above 0.",
    )

    b = inputs.budget
    check(b.monthly_usd is None or b.monthly_usd >= 0, "budget.monthly_usd", "Cannot be negative.")
    check(
        b.hardware_capex_usd is None or b.hardware_capex_usd >= 0,
        "budget.hardware_capex_usd",
        "Cannot be negative.",
    )

    h = inputs.hardware
    unknown = [m for m in h.modes if m not in (*MODES, MODE_ANY)]
    check(bool(h.modes), "hardware.modes", "Choose at least one way to run the model.")
    check(not unknown, "hardware.modes", f"Unknown: {', '.join(unknown)}.")
    check(all(n >= 1 for _, n in h.owned), "hardware.owned", "Counts start at 1.")
    check(all(slug for slug, _ in h.owned), "hardware.owned", "Name each accelerator.")
    check(
        tuple(h.modes) != (MODE_OWNED,) or bool(h.owned),
        "hardware.owned",
        "List the accelerators you own, or allow the API or the cloud.",
    )
    check(h.power_usd_per_kwh >= 0, "hardware.power_usd_per_kwh", "Cannot be negative.")

    c = inputs.constraints
    check(
        c.min_context_tokens is None or c.min_context_tokens > 0,
        "constraints.min_context_tokens",
        "Must be above 0.",
    )
    check(
        c.quality_floor is None or 0 <= c.quality_floor <= 100,
        "constraints.quality_floor",
        "Between 0 and 100.",
    )

    a = inputs.assumptions
    check(0 < a.days_per_month <= 31, "assumptions.days_per_month", "Between 0 and 31.")
    check(0 < a.max_utilization <= 1, "assumptions.max_utilization", "Between 0 and 1.")
    check(0 <= a.proxy_ceiling <= 100, "assumptions.proxy_ceiling", "Between 0 and 100.")
    return tuple(errors)
