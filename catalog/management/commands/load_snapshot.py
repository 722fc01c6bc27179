from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.snapshot import SnapshotError, snapshot_is_empty, snapshot_load


class Command(BaseCommand):
    help = "Load a snapshot file (default: the bundled demo snapshot) into the database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default=settings.SNAPSHOT_PATH)
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when the database has data"
        )
        parser.add_argument("--replace", action="store_true", help="delete our tables' rows first")

    def handle(self, *args: object, **opts: object) -> None:
        path = Path(str(opts["path"]))
        if opts["if_empty"] and not snapshot_is_empty():
            self.stdout.write("database already has data: snapshot not loaded")
            return
        if not path.exists():
            raise CommandError(f"no snapshot at {path}")
        try:
            counts = snapshot_load(path=path, replace=bool(opts["replace"]))
        except SnapshotError as exc:
            raise CommandError(str(exc)) from exc
        total = sum(counts.values())
        self.stdout.write(f"loaded {total} rows in {len(counts)} tables from {path}")
