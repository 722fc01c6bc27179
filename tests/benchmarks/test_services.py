"""benchmarks.services: accelerator loading, run recording, imports (database)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from benchmarks.models import Accelerator, BenchmarkRun
from benchmarks.services import (
    ACCELERATORS_PATH,
    AcceleratorFileError,
    BenchmarkRunInvalid,
    accelerators_load,
    benchmark_run_record,
    benchmark_runs_import,
)
from tests.benchmarks.builders import load_accelerators, make_model, make_record

FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.django_db


def test_accelerator_file_has_the_required_hardware_with_unique_slugs_and_aliases():
    rows = json.loads(ACCELERATORS_PATH.read_text())["accelerators"]
    slugs = {r["slug"] for r in rows}
    assert len(rows) >= 30
    assert len(slugs) == len(rows)
    required = {"h200", "h100-sxm", "h100-pcie", "h100-nvl", "a100-sxm-40gb", "a100-sxm-80gb",
                "l40s", "l40", "l4", "a10g", "a10", "t4", "v100-16gb", "v100-32gb", "mi300x",
                "mi325x", "mi250x", "gaudi2", "gaudi3", "rtx-5090", "rtx-4090", "rtx-4080",
                "rtx-3090", "rtx-3060-12gb", "rtx-6000-ada", "rtx-a6000", "apple-m2-ultra",
                "apple-m3-max", "apple-m4-max", "cpu-server-ddr5-2s", "cpu-desktop-ddr5",
                "b200"}  # fmt: skip
    assert required <= slugs
    aliases = [a.lower() for r in rows for a in r["aliases"]]
    assert len(aliases) == len(set(aliases))
    assert {"h100", "h100-80gb", "a100-80gb", "l4", "a10g", "t4"} <= set(aliases)
    assert all(r["source"] and r["memory_gib"] > 0 and r["bandwidth_gbps"] > 0 for r in rows)


def test_accelerators_load_creates_then_changes_nothing_on_reload():
    first = accelerators_load()
    assert first.created >= 30
    second = accelerators_load()
    assert (second.created, second.updated, second.unchanged) == (0, 0, first.created)


def test_accelerators_load_updates_a_changed_spec(tmp_path):
    accelerators_load()
    doc = json.loads(ACCELERATORS_PATH.read_text())
    doc["accelerators"][0]["bandwidth_gbps"] = 1234.0
    path = tmp_path / "acc.json"
    path.write_text(json.dumps(doc))
    counts = accelerators_load(path=path)
    assert counts.updated == 1
    slug = doc["accelerators"][0]["slug"]
    assert Accelerator.objects.get(slug=slug).bandwidth_gbps == 1234.0


def test_accelerators_load_of_a_broken_file_raises_and_writes_nothing(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"accelerators": [{"name": "no slug"}]}')
    with pytest.raises(AcceleratorFileError):
        accelerators_load(path=path)
    assert Accelerator.objects.count() == 0


def test_load_accelerators_command_prints_counts():
    from io import StringIO

    out = StringIO()
    call_command("load_accelerators", stdout=out)
    assert out.getvalue().startswith("accelerators: created=")


def test_plausible_run_is_stored_unflagged_and_recording_it_twice_adds_nothing():
    accel = load_accelerators()["h100-sxm"]
    model = make_model()
    when = datetime(2025, 6, 1, tzinfo=UTC)
    record = make_record(measured_at=when)
    run, created = benchmark_run_record(
        model=model, accelerator=accel, record=record, source="vllm"
    )
    assert created
    assert not run.flagged
    _, again = benchmark_run_record(model=model, accelerator=accel, record=record, source="vllm")
    assert not again
    assert BenchmarkRun.objects.count() == 1


def test_run_above_one_and_a_half_times_the_roofline_is_stored_flagged():
    # 8B bf16 on H100: roofline ≈ 3350e9 / 16.1e9 ≈ 208 tok/s per stream; 1 ms TPOT = 1000.
    accel = load_accelerators()["h100-sxm"]
    run, _ = benchmark_run_record(model=make_model(), accelerator=accel,
                                  record=make_record(tpot_ms=1.0), source="api")  # fmt: skip
    assert run.flagged
    assert "decode 1000.0 tok/s per stream" in run.flag_reason
    assert BenchmarkRun.objects.trusted().count() == 0


def test_scaled_down_runs_are_checked_against_the_dims_that_ran_and_kept_untrusted():
    from benchmarks.estimate import ModelDims

    accel = load_accelerators()["cpu-desktop-ddr5"]
    tiny = ModelDims(params_total=2_000_000, num_layers=2, num_heads=4, num_kv_heads=2,
                     head_dim=16)  # fmt: skip
    record = make_record(engine="transformers", tpot_ms=5.0, precision="fp32")
    run, _ = benchmark_run_record(model=make_model(), accelerator=accel, record=record,
                                  source="runner", dims=tiny, scaled_down=True)  # fmt: skip
    assert not run.flagged
    assert BenchmarkRun.objects.trusted().count() == 0


def test_negative_figures_are_rejected():
    accel = load_accelerators()["l4"]
    with pytest.raises(BenchmarkRunInvalid):
        benchmark_run_record(model=make_model(), accelerator=accel,
                             record=make_record(ttft_ms=-1.0), source="api")  # fmt: skip


def test_vllm_import_is_idempotent_and_keeps_raw_and_environment():
    load_accelerators()
    model = make_model("meta-llama/Llama-3.1-8B-Instruct")
    data = (FIXTURES / "vllm_serve_c8.json").read_bytes()
    kwargs = {"file_format": "vllm", "data": data, "model_repo_id": model.repo_id,
              "accelerator_slug": "l4"}  # fmt: skip
    first = benchmark_runs_import(**kwargs)
    second = benchmark_runs_import(**kwargs)
    assert (first.created, second.created, second.unchanged) == (1, 0, 1)
    run = BenchmarkRun.objects.get()
    assert (run.source, run.engine_version, run.concurrency) == ("vllm", "0.9.1", 8)
    assert run.raw_result["mean_tpot_ms"] == 71.42
    assert len(run.environment_fingerprint) == 64
    assert not run.flagged  # 14 tok/s per stream; an L4's roofline for 8B bf16 is 18


def test_llama_bench_import_uses_the_given_accelerator_and_fills_missing_precision():
    load_accelerators()
    model = make_model("meta-llama/Llama-3.1-8B-Instruct")
    result = benchmark_runs_import(
        file_format="llama-bench", data=(FIXTURES / "llama_bench.json").read_bytes(),
        model_repo_id=model.repo_id, accelerator_slug="rtx-4090",
    )  # fmt: skip
    (run,) = result.runs
    assert (run.precision, run.decode_tokens_per_s, run.input_tokens) == ("q4_k_m", 136.3, 512)
    assert not run.flagged


def test_import_of_unreadable_file_or_unknown_model_fails_cleanly():
    load_accelerators()
    with pytest.raises(BenchmarkRunInvalid):
        benchmark_runs_import(file_format="vllm", data=b"nope", model_repo_id="x/y",
                              accelerator_slug="l4")  # fmt: skip
    data = (FIXTURES / "vllm_serve_c8.json").read_bytes()
    with pytest.raises(CommandError, match="no catalog model"):
        call_command("import_benchmark", str(FIXTURES / "vllm_serve_c8.json"),
                     "--format", "vllm", "--model", "x/y", "--accelerator", "l4")  # fmt: skip
    assert data
    assert BenchmarkRun.objects.count() == 0


def test_import_benchmark_command_prints_counts():
    from io import StringIO

    load_accelerators()
    make_model("Qwen/Qwen2.5-7B-Instruct")
    out = StringIO()
    call_command("import_benchmark", str(FIXTURES / "llama_bench.csv"), "--format",
                 "llama-bench", "--model", "Qwen/Qwen2.5-7B-Instruct", "--accelerator",
                 "cpu-server-ddr5-2s", stdout=out, stderr=StringIO())  # fmt: skip
    assert out.getvalue().strip() == ("benchmark runs: created=1 unchanged=0 rejected=1 flagged=0")


def test_efficiency_is_calibrated_from_trusted_runs_of_the_same_family_only():
    from benchmarks.estimate import Efficiency
    from benchmarks.services import efficiency_for_accelerator

    accels = load_accelerators()
    model = make_model()
    assert efficiency_for_accelerator(accelerator=accels["h100-sxm"]) == Efficiency()
    # 8B bf16 at 512+64 tokens on an H100 at 100% bandwidth: 1 / ((16.06e9 + 75.5e6) / 3.35e12)
    ideal = 3350e9 / (model.params_total * 2 + 2 * 32 * 8 * 128 * 2 * 576)
    benchmark_run_record(model=model, accelerator=accels["h200"], source="vllm",
                         record=make_record(tpot_ms=1000 / (0.6 * ideal * 4800 / 3350),
                                            prefill_tokens_per_s=None))  # fmt: skip
    amd_tpot_ms = 1000 / (0.3 * ideal * 5300 / 3350)
    benchmark_run_record(model=model, accelerator=accels["mi300x"], source="vllm",
                         record=make_record(tpot_ms=amd_tpot_ms))  # fmt: skip
    got = efficiency_for_accelerator(accelerator=accels["h100-sxm"])
    assert got.bandwidth == pytest.approx(0.6)
    assert got.prefill_mfu == Efficiency().prefill_mfu
