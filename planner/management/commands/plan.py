"""`manage.py plan`: rank models and deployments for a workload and print the table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from planner.answers import inputs_from_answers
from planner.codec import result_to_data
from planner.deploy_service import row_bundle
from planner.records import QUALITY_INDEX
from planner.seats_service import plan_create_for_answers
from planner.selectors import TASKS
from planner.services import PlanInvalid, plan_run_breakeven
from planner.site import all_errors, plan_decode, plan_get

UNIT_FIELDS = (
    "avg_input_tokens", "avg_output_tokens", "images_per_request", "audio_minutes_per_request"
)  # fmt: skip


def _monthly_units(answers: dict[str, Any], opts: dict[str, Any]) -> None:
    """--images-per-month / --audio-minutes-per-month: the month's requests from the
    units a month ÷ the units per request (1 unless given)."""
    for monthly, per_request in (
        ("images_per_month", "images_per_request"),
        ("audio_minutes_per_month", "audio_minutes_per_request"),
    ):
        if opts.get(monthly) is None:
            continue
        per = opts.get(per_request) or 1.0
        answers[per_request] = per
        answers["requests_per_month"] = opts[monthly] / per
        answers["requests_per_day"] = ""


class Command(BaseCommand):
    help = "Rank models × deployments for a workload (the planner) and print the table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--task", default="chat", choices=list(TASKS))
        parser.add_argument("--requests-per-day", type=float, default=10_000)
        parser.add_argument("--seats", type=int, help="seats workload: people")
        parser.add_argument(
            "--interactions", dest="interactions_per_seat_per_day", type=float, default=20,
            help="seats workload: interactions per person per day",
        )  # fmt: skip
        parser.add_argument("--requests-per-month", type=float)
        # per-request units: omitted ones take the task's defaults (planner.answers:
        # 800 in / 300 out tokens; 1 image for text-to-image; 1 audio minute for speech)
        parser.add_argument("--in", dest="avg_input_tokens", type=float)
        parser.add_argument("--out", dest="avg_output_tokens", type=float)
        parser.add_argument("--images", dest="images_per_request", type=float)
        parser.add_argument("--audio-minutes", dest="audio_minutes_per_request", type=float)
        parser.add_argument(
            "--images-per-month", type=float,
            help="text-to-image: images a month (requests of --images images each)",
        )  # fmt: skip
        parser.add_argument(
            "--audio-minutes-per-month", type=float,
            help="speech-to-text: audio minutes a month (requests of --audio-minutes each)",
        )  # fmt: skip
        parser.add_argument(
            "--billing", choices=("auto", "always-on", "per-second"), default="auto",
            help="rented hosts: always-on only, or also per second of use (auto: for "
            "embeddings, images and speech)",
        )  # fmt: skip
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
            "--owned",
            action="append",
            default=[],
            help=(
                "accelerator:count[@price per device], e.g. rtx-4090:1@1599; without a price the "
                "accelerator's list price is amortised, @0 = already paid (power only)"
            ),
        )
        parser.add_argument("--power", dest="power_usd_per_kwh", type=float, default=0.15)
        parser.add_argument("--clouds", default="")
        parser.add_argument("--spot", action="store_true")
        parser.add_argument("--open-weights", dest="open_weights_only", action="store_true")
        parser.add_argument("--commercial", dest="commercial_only", action="store_true")
        parser.add_argument("--min-context", dest="min_context_tokens", type=int)
        parser.add_argument("--quality-floor", type=float)
        parser.add_argument(
            "--include-free-tiers", action="store_true",
            help="rank free tiers with the paid offers (default: listed apart)",
        )  # fmt: skip
        parser.add_argument(
            "--include-resellers", action="store_true", help="rank gateways and resellers"
        )
        parser.add_argument(
            "--include-unreviewed", action="store_true", help="rank providers not reviewed yet"
        )
        parser.add_argument("--model", default="", help="plan with this repo id's family only")
        parser.add_argument("--rows", type=int, default=20, help="table rows to print")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument("--save", action="store_true", help="save the plan, print its URL")
        parser.add_argument(
            "--deploy", type=int, metavar="N", help="print row N's deploy bundle (1-based)"
        )
        parser.add_argument("--plan", default="", help="use this saved plan's slug (no re-run)")
        parser.add_argument(
            "--deploy-dir", default="", help="with --deploy: write the files to this folder"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        answers = {
            k: ("" if v is None else v)
            for k, v in opts.items()
            if k not in ("hardware", "owned", "json", "save", "rows", "verbosity", "deploy",
                         "plan", "deploy_dir", "images_per_month", "audio_minutes_per_month")
            and not (v is None and k in UNIT_FIELDS)
        }  # fmt: skip
        _monthly_units(answers, opts)
        if opts["plan"]:
            inputs, result, _ = plan_decode(plan_get(slug=opts["plan"]))
            if opts["deploy"] is None:
                self._table(result, opts["rows"])
                return
            write_deploy(self.stdout, inputs, result, opts["deploy"], opts["deploy_dir"])
            return
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
                plan = plan_create_for_answers(answers=answers, inputs=parsed.inputs)
                _, result, _ = plan_decode(plan)
                even = plan.result.get("breakeven")
                even_text = even["explanation"] if even else ""
            else:
                result, even = plan_run_breakeven(inputs=parsed.inputs)
                even_text = even.explanation if even else ""
        except PlanInvalid as exc:
            raise CommandError(f"{exc.message} {exc.fields}") from exc
        if opts["deploy"] is not None:
            write_deploy(self.stdout, parsed.inputs, result, opts["deploy"], opts["deploy_dir"])
            return
        if opts["json"]:
            self.stdout.write(json.dumps(result_to_data(result), indent=2))
            return
        self._table(result, opts["rows"])
        self.stdout.write(result.message)
        if even_text:
            self.stdout.write(f"Breakeven: {even_text}")
        if result.free_tier:
            self.stdout.write("To try for free (rate-limited; limits not in the catalog):")
            for row in result.free_tier[: opts["rows"]]:
                self.stdout.write(f"  {row.model_name[:36]:<36} {row.deployment.label[:48]}")
        if opts["save"]:
            self.stdout.write(f"saved: /plan/{plan.slug}/")

    def _table(self, result, limit: int) -> None:
        header = (
            f"{'#':>3}  {'model':<36} {'deployment':<64} {'USD/month':>12}  {'budget':<6}  "
            "quality signal"
        )
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for row in result.rows[:limit]:
            kind = "index" if row.quality.kind == QUALITY_INDEX else "proxy"
            quality = f"{row.quality.score:5.1f} {kind}"
            d = row.deployment
            label = f"{d.label} [{d.provider_kind}]" if d.provider_kind else d.label
            if d.billing:  # self-host: always-on or per second of use, first (not cut)
                label = f"[{d.billing}] {d.label.replace(', billed per second of use', '')}"
            self.stdout.write(
                f"{row.rank:>3}  {row.model_name[:36]:<36} {label[:64]:<64} "
                f"{row.monthly_usd:>12,.2f}  {'yes' if row.within_budget else 'no':<6}  {quality}"
            )


def write_deploy(stdout, inputs, result, n: int, out: str) -> None:
    """Row n's bundle: every file printed, or written under `out` (notes printed)."""
    if not 1 <= n <= len(result.rows):
        raise CommandError(f"no row {n}: the plan has {len(result.rows)} rows")
    row = result.rows[n - 1]
    try:
        bundle = row_bundle(inputs=inputs, row=row)
    except Http404 as exc:
        raise CommandError(str(exc)) from exc
    stdout.write(f"# row {n}: {row.model_name} on {row.deployment.label}")
    for note in bundle.notes:
        stdout.write(f"# note: {note}")
    if out:
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        for f in bundle.files:
            path = folder / f.name
            path.write_text(f.content)
            if f.language == "bash":
                path.chmod(0o755)
            stdout.write(f"wrote {path}")
        return
    for f in bundle.files:
        stdout.write(f"\n===== {f.name} =====\n{f.content}")
