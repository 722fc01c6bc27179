"""Importing measured runs from outside: llmfit community submissions and published runs."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from benchmarks.importers import ImportFormatError
from benchmarks.importers.llmfit_community import parse_llmfit_submission
from benchmarks.models import BenchmarkRun
from benchmarks.names import RepoIndex, parse_gguf_name, parse_mlx_name, resolve_run_model
from benchmarks.services import community_runs_import, published_runs_import
from tests.benchmarks.builders import load_accelerators, make_model

FIXTURES = Path(__file__).parent / "fixtures" / "community"
LLAMA_70B = {"params_total": 70_553_706_496, "num_layers": 80, "hidden_size": 8192,
             "num_heads": 64, "num_kv_heads": 8, "head_dim": 128, "vocab_size": 128256,
             "intermediate_size": 28672}  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "name", "org", "precision"),
    [
        ("Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf", "Meta-Llama-3.1-8B-Instruct", "", "q4_k_m"),
        ("microsoft_Phi-4-mini-instruct-Q4_K_M.gguf", "Phi-4-mini-instruct", "microsoft",
         "q4_k_m"),
        ("gpt-oss-20b-MXFP4.gguf", "gpt-oss-20b", "", "mxfp4_moe"),
        ("Qwen3.6-35B-A3B-UD-Q4_K_XL.gguf", "Qwen3.6-35B-A3B", "", "q4_k_m"),
        ("gemma-2-9b-it-Q4_K_M-fp16.gguf", "gemma-2-9b-it", "", "q4_k_m"),
        ("starcoder2-3b.Q4_K_M.gguf", "starcoder2-3b", "", "q4_k_m"),
    ],
)  # fmt: skip
def test_gguf_file_names_give_the_model_and_the_file_type(raw, name, org, precision):
    parsed = parse_gguf_name(raw)
    assert (parsed.name, parsed.org, parsed.precision) == (name, org, precision)


def test_mlx_names_give_the_model_and_the_bits():
    assert parse_mlx_name("Llama-3.2-1B-Instruct-4bit").precision == "mlx-4bit"
    assert parse_mlx_name("mlx-community/gpt-oss-20b-MXFP4-Q8").name == "gpt-oss-20b"


def test_run_model_names_resolve_exactly_or_not_at_all():
    index = RepoIndex.build([("meta-llama/Llama-3.1-8B-Instruct", 10),
                             ("someone/Llama-3.1-8B-Instruct", 1)])  # fmt: skip
    ollama = {"llama3.1:8b": {"repo": "meta-llama/Llama-3.1-8B-Instruct", "precision": "q4_k_m"}}
    got = resolve_run_model("Meta-Llama-3.1-8B-Instruct-Q8_0.gguf", engine="llama.cpp",
                            index=index, ollama=ollama)  # fmt: skip
    assert (got.repo_id, got.precision) == ("meta-llama/Llama-3.1-8B-Instruct", "q8_0")
    got = resolve_run_model("llama3.1:8b", engine="ollama", index=index, ollama=ollama)
    assert got.repo_id == "meta-llama/Llama-3.1-8B-Instruct"
    assert (
        resolve_run_model("llama3.1:70b", engine="ollama", index=index, ollama=ollama).repo_id
        is None
    )
    assert resolve_run_model("Llama-3.1-8B-Inst-Q4_K_M.gguf", engine="llama.cpp", index=index,
                             ollama=ollama).repo_id is None  # fmt: skip


def test_a_submission_without_hardware_is_a_format_error():
    with pytest.raises(ImportFormatError):
        parse_llmfit_submission(b'{"results": []}', submission="x/y")
    results, errors = parse_llmfit_submission(
        (FIXTURES / "nvidia-geforce-rtx-3090/1785000000-aaaa.json").read_bytes(), submission="a/b"
    )
    assert len(results) == 3
    assert "tensorflow" in errors[0]


@pytest.mark.django_db
def test_community_runs_keep_source_submitter_and_hardware_and_unknown_stays_unknown():
    load_accelerators()
    make_model("meta-llama/Llama-3.1-8B-Instruct")
    make_model("meta-llama/Llama-3.2-3B-Instruct", params_total=3_212_749_824, num_layers=28,
               hidden_size=3072, num_heads=24, num_kv_heads=8, head_dim=128)  # fmt: skip
    counts = community_runs_import(root=FIXTURES)
    assert (counts.created, counts.unknown_hardware) == (4, 1)
    assert counts.rejected == 2  # the unknown model and the unknown provider
    # a 2-GPU submission states the memory of both (48 GB): each is a 24 GB RTX 3090
    pair = BenchmarkRun.objects.get(model_name="Meta-Llama-3.1-8B-Instruct-Q8_0.gguf")
    assert (pair.accelerator.slug, pair.accelerator_count, pair.precision) == (
        "rtx-3090",
        2,
        "q8_0",
    )
    gguf = BenchmarkRun.objects.get(model_name="Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf")
    assert (gguf.accelerator.slug, gguf.engine, gguf.precision, gguf.trust) == (
        "rtx-3090", "llama.cpp", "q4_k_m", "community",
    )  # fmt: skip
    assert gguf.submitter_name.startswith("llmfit community (nvidia-geforce-rtx-3090/")
    assert gguf.source_url.startswith("https://github.com/AlexsJones/llmfit")
    assert gguf.decode_tokens_per_s_per_stream == pytest.approx(118.2)
    ollama = BenchmarkRun.objects.get(engine="ollama")
    assert ollama.proves_fit is False
    m5 = BenchmarkRun.objects.get(engine="mlx")
    assert (m5.accelerator, m5.device_name, m5.trust) == (None, "Apple M6 Pro", "untrusted")
    assert set(BenchmarkRun.objects.trusted().values_list("engine", flat=True)) == {
        "llama.cpp", "ollama",
    }  # fmt: skip
    again = community_runs_import(root=FIXTURES)
    assert (again.created, again.unchanged) == (0, 4)


@pytest.mark.django_db
def test_published_runs_are_trusted_with_their_source_url():
    load_accelerators()
    make_model("meta-llama/Meta-Llama-3-8B-Instruct")
    make_model("meta-llama/Meta-Llama-3-70B-Instruct", **LLAMA_70B)
    counts = published_runs_import()
    # runs naming a model this catalog lacks (the Qwen3.8-27B MTP baselines, the SGLang and
    # vLLM sources' Qwen3 / Gemma / Phi models) are rejected, each with its reason
    assert (counts.created, counts.rejected) == (200, 56)
    assert not any("Meta-Llama-3" in e for e in counts.errors)
    assert all(" missing" in e for e in counts.errors)
    run = BenchmarkRun.objects.get(accelerator__slug="rtx-3070", output_tokens=1024)
    assert run.decode_tokens_per_s == pytest.approx(70.94)
    assert (run.source, run.trust) == ("published", "trusted")
    assert "XiongjieDai" in run.source_url
    assert published_runs_import().unchanged == 200
    out = StringIO()
    call_command("import_runs", "published", stdout=out)
    assert "created=0 unchanged=200" in out.getvalue()


def test_a_tensor_server_loads_nvfp4_and_mxfp4_hub_checkpoints_not_mlx_conversions():
    index = RepoIndex.build([("Qwen/Qwen3.6-35B-A3B", 10), ("openai/gpt-oss-20b", 10)])
    got = resolve_run_model("Qwen3.6-35B-A3B-NVFP4-Fast", engine="vllm", index=index, ollama={})
    assert (got.repo_id, got.precision) == ("Qwen/Qwen3.6-35B-A3B", "nvfp4")
    got = resolve_run_model("gpt-oss-20b-MXFP4", engine="sglang", index=index, ollama={})
    assert (got.repo_id, got.precision) == ("openai/gpt-oss-20b", "mxfp4")
    # the same name on MLX is an MLX conversion (every linear layer in NVFP4)
    got = resolve_run_model("Qwen3.6-35B-A3B-NVFP4", engine="mlx", index=index, ollama={})
    assert got.precision == "mlx-nvfp4"
