"""Demo snapshot step: three sample plans with fixed slugs, so the demo has plans to share.

- /plan/demochat/   chat, API only, 50k requests/day, $2,000/month
- /plan/democode/   code, API or rented cloud GPUs, open weights, 20k requests/day
- /plan/demo4090/   chat on one owned RTX 4090 (power only), 2k requests/day

Re-running the step replaces these three plans (same slugs).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

SAMPLES = {
    "demochat": {
        "task": "chat", "requests_per_day": "50000", "avg_input_tokens": "800",
        "avg_output_tokens": "300", "cacheable_input_share": "0.3", "peak_concurrency": "32",
        "budget_monthly_usd": "2000", "modes": ["api"],
    },
    "democode": {
        "task": "code", "requests_per_day": "20000", "avg_input_tokens": "3000",
        "avg_output_tokens": "400", "peak_concurrency": "16", "budget_monthly_usd": "5000",
        "modes": ["api", "cloud"], "open_weights_only": True,
    },
    "demo4090": {
        "task": "chat", "requests_per_day": "2000", "avg_input_tokens": "600",
        "avg_output_tokens": "250", "peak_concurrency": "4", "budget_monthly_usd": "100",
        "modes": ["owned"], "owned": "rtx-4090:1", "power_usd_per_kwh": "0.30",
        "open_weights_only": True,
    },
}  # fmt: skip


def run(shared: Path, log: Callable[[str], None]) -> None:
    from planner.answers import inputs_from_answers
    from planner.models import Plan
    from planner.services import plan_create

    Plan.objects.filter(slug__in=list(SAMPLES)).delete()
    for slug, answers in SAMPLES.items():
        parsed = inputs_from_answers(answers)
        if parsed.inputs is None:
            log(f"{slug}: invalid sample answers {parsed.errors}")
            continue
        plan = plan_create(inputs=parsed.inputs)
        Plan.objects.filter(pk=plan.pk).update(slug=slug)
        log(f"/plan/{slug}/: {plan.result['message']}")
