"""benchmarks.importers: vLLM and llama-bench result files -> run records (no database)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from benchmarks.importers import ImportFormatError
from benchmarks.importers.llama_bench import parse_llama_bench, precision_from_model_type
from benchmarks.importers.vllm import parse_vllm

FIXTURES = Path(__file__).parent / "fixtures"


def test_vllm_result_gives_per_request_lengths_latencies_and_throughput():
    records, errors = parse_vllm((FIXTURES / "vllm_serve_c8.json").read_bytes())
    assert errors == []
    (run,) = records
    assert (run.input_tokens, run.output_tokens, run.concurrency) == (512, 128, 8)
    assert (run.ttft_ms, run.tpot_ms, run.decode_tokens_per_s) == (212.6, 71.42, 108.3)
    assert run.prefill_tokens_per_s is None  # TTFT at concurrency 8 includes queueing
    assert (run.engine, run.engine_version, run.precision) == ("vllm", "0.9.1", "bf16")
    assert (run.accelerator_name, run.accelerator_count) == ("NVIDIA L4", 1)
    assert run.measured_at == datetime(2025, 6, 10, 14, 22, 33, tzinfo=UTC)
    assert "ttfts" not in run.raw
    assert run.raw["mean_ttft_ms"] == 212.6


def test_vllm_list_keeps_good_runs_and_names_the_bad_one():
    records, errors = parse_vllm((FIXTURES / "vllm_serve_list.json").read_bytes())
    assert len(records) == 1
    assert records[0].prefill_tokens_per_s == pytest.approx(512 / 0.160)  # one stream
    assert errors == ["run 1: ValueError: no completed requests"]


@pytest.mark.parametrize("data", [b"", b"<html>", b"[1, 2"])
def test_vllm_unreadable_document_raises(data):
    with pytest.raises(ImportFormatError):
        parse_vllm(data)


def test_llama_bench_json_pairs_pp_and_tg_into_one_run():
    records, errors = parse_llama_bench((FIXTURES / "llama_bench.json").read_bytes())
    assert errors == []
    (run,) = records
    assert (run.input_tokens, run.output_tokens, run.precision) == (512, 128, "q4_k_m")
    assert run.prefill_tokens_per_s == 10268.6
    assert run.decode_tokens_per_s == 136.3
    assert run.tpot_ms == pytest.approx(1000 / 136.3)
    assert run.ttft_ms == pytest.approx(512 / 10268.6 * 1000)
    assert run.accelerator_name == "NVIDIA GeForce RTX 4090"
    assert (run.engine, run.engine_version) == ("llama.cpp", "b5436 (3f4fc97f)")
    assert run.environment["flash_attn"] is True
    assert len(run.raw["tests"]) == 2


def test_llama_bench_csv_on_cpu_names_the_cpu_and_rejects_pg_rows():
    records, errors = parse_llama_bench((FIXTURES / "llama_bench.csv").read_bytes())
    (run,) = records
    assert run.accelerator_name == "AMD EPYC 9654 96-Core Processor"
    assert (run.precision, run.prefill_tokens_per_s, run.decode_tokens_per_s) == (
        "q8_0", 186.5, 20.5,
    )  # fmt: skip
    assert errors == ["row 2: pg test (pp512+tg128) has one blended rate"]


@pytest.mark.parametrize(
    ("model_type", "expected"),
    [("llama 8B Q4_K - Medium", "q4_k_m"), ("qwen2 7B Q8_0", "q8_0"), ("llama 70B F16", "fp16"),
     ("llama 8B all F32", "fp32"), ("llama 8B Q6_K", "q6_k"), ("llama 8B Q4_0", "q4_0")],
)  # fmt: skip
def test_llama_cpp_file_types_map_to_precisions(model_type, expected):
    assert precision_from_model_type(model_type) == expected


@pytest.mark.parametrize("data", [b"", b"a,b\n1,2\n", b"{not json"])
def test_llama_bench_unreadable_document_raises(data):
    with pytest.raises(ImportFormatError):
        parse_llama_bench(data)
