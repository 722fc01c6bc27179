"""Celery glue: benchmark runs go to the `gpu` queue (CELERY_TASK_ROUTES in settings)."""

from __future__ import annotations

from celery import shared_task

from benchmarks import services


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=3300, time_limit=3600)
def benchmark_run_task(
    model_repo_id: str,
    engine: str = "transformers",
    precision: str = "bf16",
    input_len: int = 512,
    output_len: int = 128,
    concurrency: list[int] | None = None,
    weights: str | None = None,
    random_weights: bool = False,
    accelerator_slug: str | None = None,
) -> list[int]:
    """Run the engine on the worker's accelerator and return the new run ids."""
    runs = services.benchmark_run_local(
        model_repo_id=model_repo_id, engine=engine, precision=precision, input_len=input_len,
        output_len=output_len, concurrency=concurrency or [1], weights=weights,
        random_weights=random_weights, accelerator_slug=accelerator_slug,
    )  # fmt: skip
    return [run.id for run in runs]


@shared_task(acks_late=True, soft_time_limit=1700, time_limit=1800)
def model_requirements_refresh_task() -> int:
    """Daily: recompute the precomputed requirement rows behind the `fits` filter."""
    return services.model_requirements_refresh()
