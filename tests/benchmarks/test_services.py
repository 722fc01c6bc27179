"""benchmarks.services: accelerator loading, run recording, imports (database)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from benchmarks.models import Accelerator, BenchmarkRun
from benchmarks.services import (
    ACCELERATORS_PATH,
    LIST_PRICES_PATH,
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
                "rtx-3090", "rtx-3060-12gb", "rtx-6000-ada", "rtx-a6000", "apple-m2-ultra-192gb",
                "apple-m3-max-128gb", "apple-m4-max-128gb", "cpu-server-ddr5-2s",
                "cpu-desktop-ddr5", "b200"}  # fmt: skip
    # issue 17: what users actually have
    required |= {"apple-m1-8gb", "apple-m1-max-64gb", "apple-m1-ultra-128gb",
                 "apple-m3-ultra-512gb", "apple-m4-16gb", "apple-m4-pro-48gb", "rtx-2080-ti",
                 "rtx-3070", "rtx-4070-ti",
                 "rtx-4070-super", "rtx-5060-ti-16gb", "rtx-pro-6000", "a800-sxm", "h800-sxm",
                 "h20", "l20", "gh200", "gb200", "b300", "mi355x", "rx-7900-xtx", "rx-7900-xt",
                 "arc-a770", "arc-b580"}  # fmt: skip
    assert required <= slugs
    aliases = [a.lower() for r in rows for a in r["aliases"]]
    assert len(aliases) == len(set(aliases))
    # bare "H100" / "A100-80GB" name several boards: they are not aliases of one
    assert {"h100-sxm5", "a100-sxm4-80gb", "l4", "a10g", "t4"} <= set(aliases)
    assert not {"h100", "a100-80gb"} & set(aliases)
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


def test_calibration_groups_trusted_runs_by_engine_and_accelerator_family():
    from benchmarks.selectors.calibration import calibration_set
    from benchmarks.services import accelerator_spec

    accels = load_accelerators()
    spec = accelerator_spec(accels["h100-sxm"])
    assert calibration_set().for_accelerator("vllm", spec).level == "default"
    for i in range(6):  # hopper datacenter runs of six models
        model = make_model(params_total=(i + 1) * 2_000_000_000)
        record = make_record(tpot_ms=4.0 + 3 * i, prefill_tokens_per_s=None)
        benchmark_run_record(model=model, accelerator=accels["h200"], source="vllm", record=record)
    benchmark_run_record(model=make_model(), accelerator=accels["mi300x"], source="vllm",
                         record=make_record(tpot_ms=9.0))  # fmt: skip
    cal = calibration_set().for_accelerator("vllm", spec)
    assert (cal.level, cal.runs) == ("family", 6)
    assert cal.group == "vllm × nvidia-hopper datacenter"
    assert calibration_set().for_accelerator("llama.cpp", spec).level == "default"


def test_accelerators_load_reads_list_prices_with_their_source_and_date():
    accelerators_load()
    rtx = Accelerator.objects.get(slug="rtx-4090")
    assert rtx.list_price_usd == Decimal("1599.00")
    assert rtx.list_price_date == date(2022, 9, 20)
    assert rtx.list_price_source.startswith("Epoch AI")
    assert Accelerator.objects.get(slug="rtx-5090").list_price_usd == Decimal("1999.00")
    # no list price: none, never 0
    assert Accelerator.objects.get(slug="t4").list_price_usd is None
    doc = json.loads(LIST_PRICES_PATH.read_text())
    assert all(r["source"] and r["date"] and r["usd"] > 0 for r in doc["prices"])


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"slug": "rtx-4090", "usd": 0, "date": "2022-10-12", "source": "x"}, "positive"),
        ({"slug": "rtx-4090", "usd": 1599, "date": "2022-10-12", "source": ""}, "source"),
        ({"slug": "no-such-gpu", "usd": 1, "date": "2022-10-12", "source": "x"}, "unknown"),
        ({"slug": "rtx-4090", "usd": 1599, "date": "October", "source": "x"}, "row 1"),
    ],
)
def test_a_bad_list_price_row_is_refused_naming_it_and_nothing_is_written(tmp_path, row, message):
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"prices": [row]}))
    with pytest.raises(AcceleratorFileError, match=message):
        accelerators_load(list_prices_path=path)
    assert Accelerator.objects.count() == 0
