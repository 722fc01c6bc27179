"""`manage.py plan`: rank models and deployments for a workload and print the table."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from planner.answers import inputs_from_answers
from planner.codec import result_to_data
from planner.records import QUALITY_INDEX
from planner.selectors import TASKS
from planner.services import PlanInvalid, plan_create, plan_run
from planner.site import all_errors, plan_decode


class Command(BaseCommand):
    help = "Rank models × deployments for a workload (the planner) and print the table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--task", default="chat", choices=list(TASKS))
        parser.add_argument("--requests-per-day", type=float, default=10_000)
        parser.add_argument("--requests-per-month", type=float)
        parser.add_argument("--in", dest="avg_input_tokens", type=float, default=800)
        parser.add_argument("--out", dest="avg_output_tokens", type=float, default=300)
        parser.add_argument("--images", dest="images_per_request", type=float, default=0)
        parser.add_argument("--audio-minutes", dest="audio_minutes_per_request", type=float)
        parser.add_argument("--cache", dest="cacheable_input_share", type=float, default=0)
        parser.add_argument("--peak", dest="peak_concurrency", type=int, default=8)
        parser.add_argument("--max-ttft", dest="max_ttft_s", type=float)
        parser.add_argument("--min-tokens-per-s", dest="min_stream_tokens_per_s", type=float)
        parser.add_argument("--batch", dest="batch_ok", action="store_true")
        parser.add_argument("--budget", dest="budget_monthly_usd", type=float)
        parser.add_argument(
            "--hardware", default="api,cloud", help="api, owned, cloud or any (comma separated)"
        )
        parser.add_argument(
            "--owned", action="append", default=[], help="accelerator:count, e.g. rtx-4090:1"
        )
        parser.add_argument("--power", dest="power_usd_per_kwh", type=float, default=0.15)
        parser.add_argument("--clouds", default="")
        parser.add_argument("--spot", action="store_true")
        parser.add_argument("--open-weights", dest="open_weights_only", action="store_true")
        parser.add_argument("--commercial", dest="commercial_only", action="store_true")
        parser.add_argument("--min-context", dest="min_context_tokens", type=int)
        parser.add_argument("--quality-floor", type=float)
        parser.add_argument("--model", default="", help="plan with this repo id's family only")
        parser.add_argument("--rows", type=int, default=20, help="table rows to print")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument("--save", action="store_true", help="save the plan, print its URL")

    def handle(self, *args: Any, **opts: Any) -> None:
        answers = {
            k: ("" if v is None else v)
            for k, v in opts.items()
            if k not in ("hardware", "owned", "json", "save", "rows", "verbosity")
        }
        answers["modes"] = [m.strip() for m in opts["hardware"].split(",") if m.strip()]
        answers["owned"] = ", ".join(opts["owned"])
        if opts["owned"] and "owned" not in answers["modes"] and "any" not in answers["modes"]:
            answers["modes"].append("owned")
        errors = all_errors(answers=answers)
        parsed = inputs_from_answers(answers)
        if errors or parsed.inputs is None:
            lines = [f"  {k}: {v}" for k, v in sorted((errors or parsed.errors).items())]
            raise CommandError("invalid plan inputs:\n" + "\n".join(lines))
        try:
            if opts["save"]:
                plan = plan_create(inputs=parsed.inputs)
                _, result, _ = plan_decode(plan)
            else:
                result = plan_run(inputs=parsed.inputs)
        except PlanInvalid as exc:
            raise CommandError(f"{exc.message} {exc.fields}") from exc
        if opts["json"]:
            self.stdout.write(json.dumps(result_to_data(result), indent=2))
            return
        self._table(result, opts["rows"])
        self.stdout.write(result.message)
        if opts["save"]:
            self.stdout.write(f"saved: /plan/{plan.slug}/")

    def _table(self, result, limit: int) -> None:
        header = (
            f"{'#':>3}  {'model':<36} {'deployment':<48} {'USD/month':>12}  {'budget':<6}  "
            "quality signal"
        )
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for row in result.rows[:limit]:
            kind = "index" if row.quality.kind == QUALITY_INDEX else "proxy"
            quality = f"{row.quality.score:5.1f} {kind}"
            self.stdout.write(
                f"{row.rank:>3}  {row.model_name[:36]:<36} {row.deployment.label[:48]:<48} "
                f"{row.monthly_usd:>12,.2f}  {'yes' if row.within_budget else 'no':<6}  {quality}"
            )
