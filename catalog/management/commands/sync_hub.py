"""manage.py sync_hub --task text-generation --limit 500 [--author X] [--search Q] [--full]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from catalog.services.hub import hub_sync
from catalog.services.runs import FeedAlreadyRunning


class Command(BaseCommand):
    help = "Sync models from the Hugging Face Hub (HF_ENDPOINT) into the catalog."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--task", help="Hub pipeline tag, e.g. text-generation")
        parser.add_argument("--author", help="only this user / organization")
        parser.add_argument("--search", help="substring of the repo id")
        parser.add_argument("--limit", type=int, default=500, help="most models to read")
        parser.add_argument("--page-size", type=int, default=500, help="models per page")
        parser.add_argument(
            "--full", action="store_true", help="also call model_info for each changed model"
        )
        parser.add_argument(
            "--no-resume",
            action="store_true",
            help="start from the first page even when the last run was interrupted",
        )

    def handle(self, *args: object, **opts: object) -> None:
        limit = int(opts["limit"])  # type: ignore[arg-type]
        with tqdm(total=limit, unit="model", file=self.stderr, disable=None, leave=False) as bar:
            try:
                run = hub_sync(
                    task=opts["task"] or None,  # type: ignore[arg-type]
                    author=opts["author"] or None,  # type: ignore[arg-type]
                    search=opts["search"] or None,  # type: ignore[arg-type]
                    limit=limit,
                    page_size=int(opts["page_size"]),  # type: ignore[arg-type]
                    full=bool(opts["full"]),
                    resume=not opts["no_resume"],
                    progress=bar.update,
                )
            except FeedAlreadyRunning as exc:
                raise CommandError(str(exc)) from exc
        summary = (
            f"hub sync run {run.pk} {run.status}: created={run.created} updated={run.updated} "
            f"unchanged={run.unchanged} failed={run.failed} pages={run.pages_done} "
            f"in {run.duration_s or 0:.1f}s"
        )
        for line in run.errors[:20]:
            self.stderr.write(f"  {line}")
        if run.status == run.Status.FAILED:
            raise CommandError(summary)
        self.stdout.write(summary)
