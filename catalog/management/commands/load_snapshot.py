from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from catalog.models import Model
from config.derived import derived_refresh
from config.snapshot import SnapshotError, snapshot_is_empty, snapshot_load, snapshot_models


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
        fields: dict[str, list[str]] = {}
        try:
            counts = snapshot_load(path=path, replace=bool(opts["replace"]), fields_seen=fields)
        except SnapshotError as exc:
            raise CommandError(str(exc)) from exc
        total = sum(counts.values())
        self.stdout.write(f"loaded {total} rows in {len(counts)} tables from {path}")
        # The maintained counts (never in a snapshot) and, when the snapshot predates them,
        # each model's cheapest price / best quality index (the pages sort on them).
        derived_in_file = set(Model.DERIVED_FIELDS) <= set(fields.get("catalog.model", []))
        refreshed = derived_refresh(counts_only=derived_in_file)
        self.stdout.write("refreshed " + ", ".join(f"{k}: {v}" for k, v in refreshed.items()))
        # A bulk load leaves PostgreSQL's planner without statistics until autovacuum
        # analyzes the tables (never, where autovacuum is off): it then plans the pages'
        # joins for one row per table (nested loops over every offer, home page 60 ms
        # instead of 7 ms on the demo). Statistics now, for the tables just loaded.
        if connection.vendor == "postgresql" and counts:
            tables = [m._meta.db_table for m in snapshot_models() if m._meta.label_lower in counts]
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE " + ", ".join(map(connection.ops.quote_name, tables)))
