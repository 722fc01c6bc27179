"""run_benchmark end to end on CPU with a tiny random-weight model (real torch, no download)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from benchmarks.models import BenchmarkRun
from tests.benchmarks.builders import load_accelerators, make_model

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def torch_available() -> None:
    pytest.importorskip("torch")
    pytest.importorskip("transformers")


@pytest.mark.usefixtures("torch_available")
def test_run_benchmark_on_cpu_records_one_run_per_concurrency_with_fingerprint():
    load_accelerators()
    model = make_model("meta-llama/Llama-3.1-8B")
    out = StringIO()
    call_command("run_benchmark", model.repo_id, "--engine", "transformers", "--precision",
                 "bf16", "--input-len", "32", "--output-len", "8", "--concurrency", "1,2",
                 "--random-weights", stdout=out)  # fmt: skip
    runs = list(BenchmarkRun.objects.order_by("concurrency"))
    assert [r.concurrency for r in runs] == [1, 2]
    for run in runs:
        assert run.source == "runner"
        assert run.scaled_down
        assert run.accelerator_assumed  # no --accelerator on a CPU host: a stand-in row
        assert not run.flagged
        assert run.accelerator.kind == "cpu"
        assert (run.input_tokens, run.output_tokens, run.precision) == (32, 8, "bf16")
        assert run.ttft_ms > 0
        assert run.tpot_ms > 0
        assert run.prefill_tokens_per_s > 0
        assert run.decode_tokens_per_s > 0
        assert run.peak_memory_gib >= 0
        assert run.environment["torch"].startswith("2.")
        assert run.environment["engine"] == "transformers"
        assert run.environment["arch"]["num_kv_heads"] == 1  # GQA ratio 32:8 kept at 4:1
        assert 0 < run.environment["params_run"] < 2_000_000
        assert len(run.environment_fingerprint) == 64
    assert "benchmark runs: recorded=2" in out.getvalue()
    assert BenchmarkRun.objects.trusted().count() == 0


@pytest.mark.usefixtures("torch_available")
def test_run_benchmark_without_weights_or_random_weights_fails_with_a_message():
    load_accelerators()
    model = make_model()
    with pytest.raises(CommandError, match="--weights PATH or --random-weights"):
        call_command("run_benchmark", model.repo_id, "--input-len", "8", "--output-len", "2")


def test_benchmark_run_task_routes_to_the_gpu_queue(settings):
    from benchmarks.tasks import benchmark_run_task

    route = settings.CELERY_TASK_ROUTES[benchmark_run_task.name]
    assert route == {"queue": "gpu"}
