"""llmfit's catalog as a facts source: parsing (pure) and the load (real database)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog.llmfit import LlmfitFormatError, llmfit_task, parse_llmfit
from catalog.models import FeedRun, Model
from catalog.services.hub import hub_sync
from catalog.services.hub_llmfit import llmfit_sync
from tests.fakes.hub import FakeHub

ENTRIES = [
    {  # a Hub listing model: llmfit's count never replaces the safetensors one
        "name": "meta-llama/Llama-3.1-8B", "parameters_raw": 8_030_261_248,
        "parameter_count": "8.0B", "pipeline_tag": "text-generation", "architecture": "llama",
        "context_length": 131072, "num_hidden_layers": 32, "hidden_size": 4096,
    },
    {  # pipeline tag unknown, a causal LM architecture: text generation
        "name": "someone/Foo-3B-Instruct", "parameters_raw": 3_100_000_000,
        "parameter_count": "3.1B", "pipeline_tag": "unknown", "architecture": "qwen2",
        "context_length": 32768, "num_hidden_layers": 36, "hidden_size": 2048,
        "num_attention_heads": 16, "num_key_value_heads": 2, "head_dim": 128,
        "release_date": "2025-01-02", "hf_downloads": 10,
    },
    {  # MoE
        "name": "someone/Bar-MoE", "parameters_raw": 30_000_000_000, "pipeline_tag": "unknown",
        "architecture": "qwen3_moe", "is_moe": True, "active_parameters": 3_000_000_000,
        "num_experts": 128, "active_experts": 8, "context_length": 4096,
    },
    {  # an AWQ repo: llmfit's total counts packed words
        "name": "someone/Baz-0.5B-AWQ", "parameters_raw": 630_167_424, "format": "awq",
        "pipeline_tag": "unknown", "architecture": "qwen2",
    },
    {"name": "someone/reve-positions", "parameters_raw": 1629, "pipeline_tag": "unknown",
     "architecture": "reve-position-bank"},  # task unknown: not created
    {"name": "stas/tiny-random-llama-2", "parameters_raw": 1_000_000, "pipeline_tag": "unknown",
     "architecture": "llama"},
    {"name": "not-a-repo-id", "parameters_raw": 1},
]  # fmt: skip


def test_parse_keeps_facts_and_rejects_names_that_are_not_repo_ids() -> None:
    records, errors = parse_llmfit(json.dumps(ENTRIES), as_of="2026-05-12")
    assert [r.repo_id for r in records][:2] == [
        "meta-llama/Llama-3.1-8B",
        "someone/Foo-3B-Instruct",
    ]
    assert errors == ["entry 6: name 'not-a-repo-id' is not a Hub repo id"]
    foo = records[1]
    assert foo.task == "text-generation"
    assert foo.facts["dims"]["num_layers"] == 36
    assert foo.facts["release_date"] == "2025-01-02"
    assert records[2].facts["params_active"] == 3_000_000_000
    assert records[3].facts["packed"] is True


@pytest.mark.parametrize(
    ("entry", "task"),
    [
        ({"pipeline_tag": "sentence-similarity", "architecture": "bert"}, "sentence-similarity"),
        ({"pipeline_tag": "unknown", "architecture": "bert", "use_case": "Text embeddings for RAG"},
         "feature-extraction"),
        ({"pipeline_tag": "unknown", "architecture": "qwen2_5_vl"}, "image-text-to-text"),
        ({"pipeline_tag": "unknown", "architecture": "llama", "capabilities": ["vision"]},
         "image-text-to-text"),
        ({"pipeline_tag": "unknown", "architecture": "bert"}, ""),
        ({"pipeline_tag": "unknown", "architecture": "unknown"}, ""),
    ],
)  # fmt: skip
def test_tasks_established_from_llmfit_fields(entry: dict, task: str) -> None:
    assert llmfit_task(entry) == task


@pytest.mark.parametrize("bad", [b"{", b'{"models": []}'])
def test_a_document_that_is_not_a_list_is_refused(bad: bytes) -> None:
    with pytest.raises(LlmfitFormatError):
        parse_llmfit(bad, as_of="")


@pytest.mark.django_db
def test_load_is_a_secondary_source_and_idempotent(fake_hub: FakeHub, tmp_path: Path) -> None:
    hub_sync(limit=100)
    path = tmp_path / "hf_models.json"
    path.write_text(json.dumps(ENTRIES))
    run = llmfit_sync(path=path, as_of="2026-05-12")
    assert (run.status, run.created, run.updated, run.rejected) == (FeedRun.Status.PARTIAL, 4, 1, 1)
    llama = Model.objects.get(repo_id="meta-llama/Llama-3.1-8B")
    assert llama.params_source == "safetensors"
    assert llama.llmfit_facts["params_total"] == 8_030_261_248
    foo = Model.objects.get(repo_id="someone/Foo-3B-Instruct")
    assert (foo.params_total, foo.params_source, foo.dims_source) == (
        3_100_000_000,
        "llmfit",
        "llmfit",
    )
    assert foo.facts_provenance["params_total"] == {"source": "llmfit", "as_of": "2026-05-12"}
    assert (foo.task.slug, foo.release_date.isoformat(), foo.num_kv_heads) == (
        "text-generation",
        "2025-01-02",
        2,
    )
    bar = Model.objects.get(repo_id="someone/Bar-MoE")
    assert (bar.params_total, bar.params_active) == (30_000_000_000, 3_000_000_000)
    baz = Model.objects.get(repo_id="someone/Baz-0.5B-AWQ")
    assert (baz.params_total, baz.params_source) == (500_000_000, "name")
    assert Model.objects.get(repo_id="stas/tiny-random-llama-2").is_test_repo
    assert not Model.objects.filter(repo_id="someone/reve-positions").exists()
    again = llmfit_sync(path=path, as_of="2026-05-12")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)


@pytest.mark.django_db
def test_an_unreadable_file_fails_the_run_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "hf_models.json"
    path.write_text("{broken")
    run = llmfit_sync(path=path, as_of="")
    assert run.status == FeedRun.Status.FAILED
    assert "not JSON" in run.errors[0]
    assert not Model.objects.exists()
