from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from catalog.services.runs import FeedAlreadyRunning
from quality.feeds.boards import SOURCES
from quality.services import leaderboard_sync, quality_index_refresh


class Command(BaseCommand):
    help = "Load quality leaderboards (all sources, or one) and refresh the quality index."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", choices=SOURCES, help="one source (default: all)")
        parser.add_argument(
            "--file", help="the source's file or folder (required for one --source)"
        )
        parser.add_argument("--date", help="date of the data (YYYY-MM-DD) when the file has none")

    def handle(self, *args: object, **opts: object) -> None:
        if opts["file"] and not opts["source"]:
            raise CommandError("--file needs --source")
        data_date = date.fromisoformat(str(opts["date"])) if opts["date"] else None
        sources = [str(opts["source"])] if opts["source"] else list(SOURCES)
        failed = []
        for source in sources:
            with tqdm(desc=source, unit="rec", disable=None) as bar:
                try:
                    run = leaderboard_sync(
                        source=source, file=opts["file"], data_date=data_date, progress=bar.update
                    )
                except FeedAlreadyRunning as exc:
                    raise CommandError(exc.message) from exc
            self.stdout.write(
                f"{source}: {run.status} created={run.created} unchanged={run.unchanged} "
                f"rejected={run.rejected}"
            )
            for line in run.errors[:10]:
                self.stdout.write(f"  {line}")
            if run.status == "failed":
                failed.append(source)
        rows = quality_index_refresh()
        self.stdout.write(f"quality index: {rows} model-task values")
        if failed:
            raise CommandError(f"failed: {', '.join(failed)}")
