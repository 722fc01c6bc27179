"""manage.py load_llmfit PATH [--as-of 2026-05-12]: llmfit's hf_models.json as a facts source."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.models import FeedRun
from catalog.services.hub_llmfit import llmfit_sync
from catalog.services.runs import FeedAlreadyRunning


class Command(BaseCommand):
    help = "Load llmfit's Hub model catalog (hf_models.json) as a secondary facts source."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="llmfit's hf_models.json")
        parser.add_argument(
            "--as-of", default="", help="date of the llmfit snapshot (its commit), YYYY-MM-DD"
        )

    def handle(self, *args: object, **opts: object) -> None:
        path: Path = opts["path"]  # type: ignore[assignment]
        try:
            run = llmfit_sync(path=path, as_of=str(opts["as_of"]))
        except FeedAlreadyRunning as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"llmfit run {run.pk} {run.status}: created={run.created} updated={run.updated} "
            f"unchanged={run.unchanged} rejected={run.rejected}"
        )
        if run.status == FeedRun.Status.FAILED:
            raise CommandError(run.errors[0] if run.errors else "llmfit load failed")
