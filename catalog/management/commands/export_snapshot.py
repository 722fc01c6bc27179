from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from config.snapshot import snapshot_export


class Command(BaseCommand):
    help = "Write the whole knowledge base to a snapshot file (the project's JSON format)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", default=settings.SNAPSHOT_PATH)

    def handle(self, *args: object, **opts: object) -> None:
        path = Path(str(opts["output"]))
        counts = snapshot_export(path=path)
        total = sum(counts.values())
        self.stdout.write(f"exported {total} rows in {len(counts)} tables to {path}")
