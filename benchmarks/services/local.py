"""Run a real engine on this host and record the runs."""

from __future__ import annotations

from django.db import transaction

from benchmarks.importers import RunRecord
from benchmarks.models import BenchmarkRun
from benchmarks.selectors import accelerator_match
from benchmarks.services.runs import (
    RunnerUnavailable,
    _accelerator_get,
    _model_get,
    benchmark_run_record,
)


def benchmark_run_local(
    *,
    model_repo_id: str,
    engine: str,
    precision: str,
    input_len: int,
    output_len: int,
    concurrency: list[int],
    weights: str | None = None,
    random_weights: bool = False,
    full_size: bool = False,
    accelerator_slug: str | None = None,
) -> list[BenchmarkRun]:
    """Run a real engine here (benchmarks.runner) and record one run per concurrency.

    The accelerator is `accelerator_slug`, else the local GPU matched by its exact device
    name (benchmarks.devices); an unknown GPU is stored as unknown (no accelerator, the
    device name kept, never trusted); a CPU host gets the CPU baseline row as a stand-in
    with `accelerator_assumed` set. Random-weight
    runs are built from the catalog model's dims (scaled down unless `full_size`);
    scaled-down runs are stored with `scaled_down` set and checked against the dims
    that ran. Raises RunnerUnavailable when the engine is
    missing or the run cannot be set up; NotFound for an unknown model/accelerator.
    """
    from benchmarks import runner

    model = _model_get(model_repo_id)
    arch = runner.ArchDims(
        num_layers=model.num_layers or 2, hidden_size=model.hidden_size or 128,
        num_heads=model.num_heads or 4, num_kv_heads=model.num_kv_heads or model.num_heads or 4,
        intermediate_size=model.intermediate_size, vocab_size=model.vocab_size or 32000,
        model_type=model.model_type or "llama",
    )  # fmt: skip
    config = runner.RunnerConfig(
        engine=engine, precision=precision, input_len=input_len, output_len=output_len,
        concurrency=tuple(concurrency), weights=weights, random_weights=random_weights,
        full_size=full_size, arch=arch,
    )  # fmt: skip
    try:
        result = runner.run_benchmark(config)
    except runner.RunnerError as exc:
        raise RunnerUnavailable(str(exc)) from exc
    matched = None
    if accelerator_slug:
        matched = _accelerator_get(accelerator_slug)
    elif result.gpu_name:
        memory = result.environment.get("gpu_memory_gib")
        matched = accelerator_match(name=result.gpu_name, memory_gib=memory)
    accelerator = matched
    if matched is None and not result.gpu_name:  # a CPU host: the baseline row stands in
        accelerator = _accelerator_get(
            "cpu-server-ddr5-2s" if (result.environment.get("cpu_count") or 0) >= 32
            else "cpu-desktop-ddr5"
        )  # fmt: skip
    runs = []
    with transaction.atomic():
        for m in result.measurements:
            record = RunRecord(
                engine=result.engine, engine_version=result.engine_version,
                input_tokens=input_len, output_tokens=output_len, precision=precision,
                concurrency=m.concurrency, batch_size=m.concurrency, ttft_ms=m.ttft_ms,
                tpot_ms=m.tpot_ms, prefill_tokens_per_s=m.prefill_tokens_per_s,
                decode_tokens_per_s=m.decode_tokens_per_s, peak_memory_gib=m.peak_memory_gib,
                environment=result.environment, raw=m.raw,
                accelerator_name=result.gpu_name or str(result.environment.get("host_cpu", "")),
            )  # fmt: skip
            run, _ = benchmark_run_record(
                model=model, accelerator=accelerator, record=record,
                source=BenchmarkRun.Source.RUNNER, accelerator_count=max(1, result.gpu_count),
                dims=result.dims if result.scaled_down or random_weights else None,
                scaled_down=result.scaled_down,
                accelerator_assumed=matched is None and accelerator is not None,
            )  # fmt: skip
            runs.append(run)
    return runs
