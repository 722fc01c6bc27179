"""manage.py sync_prices [--feed NAME] [--file PATH] [--url URL] [--allow-mass-close]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from catalog.models import FeedRun
from catalog.services.runs import FeedAlreadyRunning
from pricing.services.feeds import FEEDS, feed_spec_get, feed_sync

BAD = (FeedRun.Status.FAILED, FeedRun.Status.REFUSED)


class Command(BaseCommand):
    help = "Sync pricing feeds (all with a URL by default) and print one summary line each."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--feed", choices=sorted(FEEDS), help="one feed (default: all)")
        parser.add_argument("--file", help="read the document from this file")
        parser.add_argument("--url", help="fetch the document from this URL")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--allow-mass-close",
            action="store_true",
            help="load a document even when it looks like a wipe (empty, much smaller than "
            "the last good one, or closing more than FEED_MAX_CLOSE_SHARE of current prices)",
        )

    def handle(self, *args: object, **opts: object) -> None:
        slug = opts.get("feed")
        if (opts.get("file") or opts.get("url")) and not slug:
            raise CommandError("--file and --url need --feed")
        slugs = [str(slug)] if slug else [s for s, spec in sorted(FEEDS.items()) if spec.url]
        failed = []
        for name in slugs:
            feed_spec_get(name)
            bar = tqdm(
                desc=name, unit="key", disable=bool(opts.get("no_progress")), file=self.stderr
            )

            def progress(done: int, total: int, _bar: tqdm = bar) -> None:
                _bar.total = total
                _bar.n = done
                _bar.refresh()

            try:
                run = feed_sync(
                    feed_slug=name,
                    file=opts.get("file") or None,
                    url=opts.get("url") or None,
                    progress=progress,
                    allow_mass_close=bool(opts.get("allow_mass_close")),
                )
            except FeedAlreadyRunning as exc:
                bar.close()
                self.stderr.write(f"{name}: refused: {exc}")
                failed.append(name)
                continue
            bar.close()
            self.stdout.write(
                f"{name}: {run.status} created={run.created} changed={run.updated} "
                f"unchanged={run.unchanged} closed={run.closed} rejected={run.rejected}"
                + (f" error={run.errors[0]}" if run.status in BAD else "")
            )
            if run.status in BAD:
                failed.append(name)
        if failed:
            raise CommandError(f"failed feeds: {', '.join(failed)}")
