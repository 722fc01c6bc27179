"""manage.py load_subscriptions [--file PATH]"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pricing.services.subscriptions import SubscriptionFileInvalid, subscriptions_load


class Command(BaseCommand):
    help = "Load the reviewed seat plans (pricing/data/subscriptions.yaml by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", help="another subscriptions YAML file")

    def handle(self, *args: object, **opts: object) -> None:
        path = Path(str(opts["file"])) if opts.get("file") else None
        if path is not None and not path.is_file():
            raise CommandError(f"no file at {path}")
        try:
            result = subscriptions_load(path=path)
        except SubscriptionFileInvalid as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"subscriptions: created={result.created} changed={result.updated} "
            f"unchanged={result.unchanged} closed={result.closed} rejected={result.rejected} "
            f"linked_models={result.linked_models}"
        )
        for error in result.errors:
            self.stderr.write(f"rejected: {error}")
