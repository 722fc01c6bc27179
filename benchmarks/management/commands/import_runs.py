from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from benchmarks.importers import ImportFormatError
from benchmarks.services import (
    community_runs_import,
    published_runs_import,
    standalone_runs_import,
)

DEFAULT_COMMUNITY = Path(settings.BASE_DIR).parent / "shared/hardware/llmfit/community"


class Command(BaseCommand):
    help = (
        "Import measured runs: `published` (benchmarks/data/published_runs.json, trusted), "
        "`community` (llmfit community submissions, community trust) or `standalone` (a "
        "result file of benchmarks/standalone_runner.py, --path required)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", choices=["published", "community", "standalone"])
        parser.add_argument("--path", type=Path, default=None,
                            help="community root (default ../shared/hardware/llmfit/community) "
                            "or a published-runs file")  # fmt: skip

    def handle(self, *args: object, **options: object) -> None:
        if options["source"] == "standalone":
            if options["path"] is None:
                raise CommandError("standalone needs --path RESULTS.json")
            try:
                counts = standalone_runs_import(data=options["path"].read_bytes())
            except (OSError, ImportFormatError) as exc:
                raise CommandError(str(exc)) from exc
        elif options["source"] == "published":
            counts = published_runs_import(path=options["path"])
        else:
            counts = community_runs_import(root=options["path"] or DEFAULT_COMMUNITY)
        for error in counts.errors[:50]:
            self.stderr.write(f"rejected: {error}")
        self.stdout.write(
            f"{options['source']} runs: created={counts.created} unchanged={counts.unchanged} "
            f"rejected={counts.rejected} unknown_hardware={counts.unknown_hardware}"
        )
