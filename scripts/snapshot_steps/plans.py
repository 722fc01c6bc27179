"""Demo snapshot step: three sample plans with fixed slugs, so the demo has plans to share.

- /plan/demochat/   chat, API only, 50k requests/day, $2,000/month
- /plan/democode/   code, API or rented cloud GPUs, open weights, 20k requests/day
- /plan/demo4090/   chat on one owned RTX 4090 (power only), 2k requests/day
- /plan/demochatbot/  a support chatbot pinned to Llama 3.1 8B Instruct's family, API or
  Lambda's GPUs, with a seats comparison (40 people × 25 a day): the deploy-bundle
  demo (issue 21). Its first API row and first self-hosted row get their bundles built
  and checked (engine flags against the pinned argument lists, every YAML file parsed);
  the step fails loudly when a bundle does not validate or the plan has no row at all.

Re-running the step replaces these plans (same slugs). Slugs are [a-z0-9]+ (the plan's
JSON export and API routes accept no hyphen).
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
        "modes": ["owned"], "owned": "rtx-4090:1@0", "power_usd_per_kwh": "0.30",  # already paid
        "open_weights_only": True,
    },
}  # fmt: skip
DEMO_DEPLOY = "demochatbot"
DEMO_DEPLOY_ANSWERS = {
    "task": "chat", "model": "meta-llama/Llama-3.1-8B-Instruct", "seats": "40",
    "interactions_per_seat_per_day": "25", "avg_input_tokens": "1500",
    "avg_output_tokens": "400", "peak_concurrency": "8", "budget_monthly_usd": "3000",
    "modes": ["api", "cloud"], "clouds": "lambda",
}  # fmt: skip


class DemoBundleInvalid(RuntimeError):
    """The demo plan's deploy bundle does not validate."""


def demo_bundles_check(slug: str, log: Callable[[str], None]) -> list[int]:
    """Build and check the first API and the first self-hosted row's bundle; their rows."""
    import yaml

    from planner.deploy import flags
    from planner.deploy_service import plan_row_bundle
    from planner.models import Plan

    rows = Plan.objects.get(slug=slug).result["rows"]
    checked: list[int] = []
    for kinds in (("api",), ("cloud", "owned")):
        n = next((i for i, r in enumerate(rows, 1) if r["deployment"]["kind"] in kinds), None)
        if n is None:
            log(f"/plan/{slug}/ has no {'/'.join(kinds)} row: no bundle of that kind to check")
            continue
        _, bundle = plan_row_bundle(slug=slug, n=n)  # raises BundleError on a bad command
        if bundle.command:
            problems = flags.validate_command(bundle.engine, list(bundle.command))
            if problems:
                raise DemoBundleInvalid(f"row {n}: {problems}")
        for f in bundle.files:
            if f.language == "yaml":
                yaml.safe_load(f.content)
        log(f"/plan/{slug}/rows/{n}/deploy/: {', '.join(f.name for f in bundle.files)} ok")
        checked.append(n)
    if not checked:
        raise DemoBundleInvalid(f"/plan/{slug}/ has no row to deploy")
    return checked


def run(shared: Path, log: Callable[[str], None]) -> None:
    from planner.answers import inputs_from_answers
    from planner.models import Plan
    from planner.seats_service import plan_create_for_answers
    from planner.services import plan_create

    Plan.objects.filter(slug__in=[*SAMPLES, DEMO_DEPLOY]).delete()
    for slug, answers in SAMPLES.items():
        parsed = inputs_from_answers(answers)
        if parsed.inputs is None:
            log(f"{slug}: invalid sample answers {parsed.errors}")
            continue
        plan = plan_create(inputs=parsed.inputs)
        # pinned: the expiry task keeps it (planner.lifecycle); no key: never reused
        Plan.objects.filter(pk=plan.pk).update(slug=slug, pinned=True, inputs_key="")
        log(f"/plan/{slug}/: {plan.result['message']}")
    parsed = inputs_from_answers(DEMO_DEPLOY_ANSWERS)
    if parsed.inputs is None:
        raise DemoBundleInvalid(f"invalid demo answers {parsed.errors}")
    plan = plan_create_for_answers(answers=DEMO_DEPLOY_ANSWERS, inputs=parsed.inputs)
    Plan.objects.filter(pk=plan.pk).update(slug=DEMO_DEPLOY)
    log(f"/plan/{DEMO_DEPLOY}/: {plan.result['message']}")
    demo_bundles_check(DEMO_DEPLOY, log)
