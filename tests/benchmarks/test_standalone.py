"""The standalone GPU runner (one file, bare python3 + torch + transformers) and its importer."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from benchmarks.importers import ImportFormatError
from benchmarks.importers.standalone import FORMAT, parse_standalone
from benchmarks.models import BenchmarkRun
from benchmarks.services import standalone_runs_import
from tests.benchmarks.builders import load_accelerators, make_model

RUNNER = Path(__file__).resolve().parents[2] / "benchmarks" / "standalone_runner.py"
TINY_GPT2 = {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "n_layer": 2,
             "n_embd": 64, "n_head": 4, "n_positions": 128, "vocab_size": 512}  # fmt: skip
RESULT = {"model": "meta-llama/Llama-3.1-8B-Instruct", "precision": "bf16",
          "params_total": 8_030_261_248, "concurrency": 1, "input_tokens": 512,
          "output_tokens": 128, "ttft_ms": 41.0, "tpot_ms": 7.9,
          "prefill_tokens_per_s": 12487.8, "decode_tokens_per_s": 126.6,
          "peak_memory_gib": 16.3, "decode_steps": 127,
          "measured_at": "2026-11-30T10:00:00+00:00"}  # fmt: skip


def _doc(**env: object) -> bytes:
    environment = {"engine": "transformers", "engine_version": "4.57.1", "torch": "2.9.0",
                   "python": "3.12.3", **env}  # fmt: skip
    return json.dumps({"format": FORMAT, "environment": environment, "results": [RESULT],
                       "errors": ["x/y: MemoryError: weights need 96.1 GiB"]}).encode()  # fmt: skip


def test_the_result_file_is_parsed_into_runs_with_their_environment():
    doc = _doc(device="cuda", gpu_name="NVIDIA H100 80GB HBM3", gpu_count=1, gpu_memory_gib=79.1)
    records, errors = parse_standalone(doc)
    (record,) = records
    assert (record.engine, record.model_name, record.accelerator_name) == (
        "transformers", "meta-llama/Llama-3.1-8B-Instruct", "NVIDIA H100 80GB HBM3",
    )  # fmt: skip
    assert record.environment["torch"] == "2.9.0"
    assert errors == ["runner: x/y: MemoryError: weights need 96.1 GiB"]
    with pytest.raises(ImportFormatError):
        parse_standalone(b'{"format": "other"}')


@pytest.mark.django_db
def test_a_gpu_result_is_a_trusted_measured_run_and_a_cpu_result_is_not():
    load_accelerators()
    make_model("meta-llama/Llama-3.1-8B-Instruct")
    gpu = _doc(device="cuda", gpu_name="NVIDIA H100 80GB HBM3", gpu_count=1, gpu_memory_gib=79.1)
    counts = standalone_runs_import(data=gpu)
    assert (counts.created, counts.rejected) == (1, 1)  # the runner's own error
    run = BenchmarkRun.objects.get()
    assert (run.source, run.engine, run.accelerator.slug, run.trust) == (
        "standalone", "transformers", "h100-sxm", "trusted",
    )  # fmt: skip
    assert run.environment["gpu_memory_gib"] == 79.1
    assert standalone_runs_import(data=gpu).unchanged == 1
    BenchmarkRun.objects.all().delete()
    cpu = _doc(device="cpu", host_cpu="AMD EPYC 7763")
    standalone_runs_import(data=cpu)
    run = BenchmarkRun.objects.get()
    assert (run.accelerator, run.trust) == (None, "untrusted")


@pytest.mark.slow
@pytest.mark.django_db
def test_the_runner_measures_a_random_weight_model_on_cpu_and_the_result_imports(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    configs = tmp_path / "configs"
    configs.mkdir()
    tiny = configs / "tiny-org--tiny-gpt2.json"
    tiny.write_text(json.dumps(TINY_GPT2))
    broken = configs / "tiny-org--broken.json"
    broken.write_text(json.dumps({"model_type": "no-such-architecture"}))
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, str(RUNNER), str(tiny), str(broken), "--out", str(out),
         "--precision", "fp32", "--input-len", "16", "--output-len", "4", "--concurrency", "1,2"],
        cwd=RUNNER.parent, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert doc["environment"]["engine"] == "transformers"
    assert doc["environment"]["device"] == "cpu"
    assert doc["environment"]["torch"]
    assert [(r["model"], r["concurrency"]) for r in doc["results"]] == [
        ("tiny-org/tiny-gpt2", 1), ("tiny-org/tiny-gpt2", 2),
    ]  # fmt: skip
    assert all(r["decode_tokens_per_s"] > 0 and r["peak_memory_gib"] > 0 for r in doc["results"])
    assert doc["errors"][0].startswith("tiny-org/broken:")
    make_model("tiny-org/tiny-gpt2", params_total=doc["results"][0]["params_total"])
    stdout = StringIO()
    call_command("import_runs", "standalone", "--path", str(out), stdout=stdout)
    assert "created=2" in stdout.getvalue()
    assert set(BenchmarkRun.objects.values_list("source", "engine")) == {
        ("standalone", "transformers"),
    }  # fmt: skip
