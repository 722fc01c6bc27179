from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from benchmarks.services import PARSERS, benchmark_runs_import
from config.errors import AtlasError


class Command(BaseCommand):
    help = "Import a vLLM (bench serve JSON) or llama-bench (JSON/CSV) result file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", required=True, choices=sorted(PARSERS))
        parser.add_argument("--model", required=True, help="catalog repo id")
        parser.add_argument("--accelerator", required=True, help="accelerator slug")
        parser.add_argument("--precision", default=None, help="when the file does not say")
        parser.add_argument("--count", type=int, default=None, help="accelerators used")

    def handle(self, *args: object, **options: object) -> None:
        try:
            data = options["file"].read_bytes()
            result = benchmark_runs_import(
                file_format=options["format"], data=data, model_repo_id=options["model"],
                accelerator_slug=options["accelerator"], precision=options["precision"],
                accelerator_count=options["count"],
            )  # fmt: skip
        except OSError as exc:
            raise CommandError(f"cannot read {options['file']}: {exc}") from exc
        except AtlasError as exc:
            raise CommandError(exc.message) from exc
        for error in result.errors:
            self.stderr.write(f"rejected: {error}")
        flagged = sum(run.flagged for run in result.runs)
        self.stdout.write(
            f"benchmark runs: created={result.created} unchanged={result.unchanged} "
            f"rejected={result.rejected} flagged={flagged}"
        )
