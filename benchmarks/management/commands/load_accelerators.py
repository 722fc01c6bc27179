from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from benchmarks.services import AcceleratorFileError, accelerators_load


class Command(BaseCommand):
    help = "Upsert accelerators from benchmarks/data/accelerators.json (or --path)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", type=Path, default=None)

    def handle(self, *args: object, **options: object) -> None:
        try:
            counts = accelerators_load(path=options["path"])
        except AcceleratorFileError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"accelerators: created={counts.created} updated={counts.updated} "
            f"unchanged={counts.unchanged}"
        )
