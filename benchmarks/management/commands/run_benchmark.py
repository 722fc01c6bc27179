from django.core.management.base import BaseCommand, CommandError, CommandParser

from benchmarks.services import benchmark_run_local
from config.errors import AtlasError


def _concurrency(value: str) -> list[int]:
    levels = [int(v) for v in value.split(",") if v.strip()]
    if not levels or min(levels) < 1:
        raise ValueError(value)
    return levels


class Command(BaseCommand):
    help = "Run a real engine on the local accelerator (or CPU), measure it, record the runs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("model", help="catalog repo id")
        parser.add_argument("--engine", choices=["transformers", "vllm"], default="transformers")
        parser.add_argument("--precision", default="bf16", choices=["fp32", "bf16", "fp16"])
        parser.add_argument("--input-len", type=int, default=512)
        parser.add_argument("--output-len", type=int, default=128)
        parser.add_argument("--concurrency", type=_concurrency, default=[1], help="e.g. 1,8,32")
        parser.add_argument("--weights", default=None, help="local weights directory")
        parser.add_argument("--random-weights", action="store_true",
                            help="build the model from its config with random weights")  # fmt: skip
        parser.add_argument("--full-size", action="store_true",
                            help="random weights at the catalog dims (no scaling)")  # fmt: skip
        parser.add_argument("--accelerator", default=None, help="slug (default: detect)")

    def handle(self, *args: object, **options: object) -> None:
        try:
            runs = benchmark_run_local(
                model_repo_id=options["model"], engine=options["engine"],
                precision=options["precision"], input_len=options["input_len"],
                output_len=options["output_len"], concurrency=options["concurrency"],
                weights=options["weights"], random_weights=options["random_weights"],
                full_size=options["full_size"], accelerator_slug=options["accelerator"],
            )  # fmt: skip
        except AtlasError as exc:
            raise CommandError(exc.message) from exc
        for run in runs:
            self.stdout.write(
                f"{run.model.repo_id} {run.engine} {run.precision} on "
                f"{run.accelerator_count}x{run.accelerator.slug} c={run.concurrency}: "
                f"ttft={run.ttft_ms:.1f}ms tpot={run.tpot_ms:.2f}ms "
                f"prefill={run.prefill_tokens_per_s:.0f} tok/s "
                f"decode={run.decode_tokens_per_s:.1f} tok/s "
                f"peak={run.peak_memory_gib:.3f} GiB{' FLAGGED' if run.flagged else ''}"
            )
        self.stdout.write(f"benchmark runs: recorded={len(runs)}")
