"""Facts with provenance after a Hub sync (catalog.services.hub_facts, real database)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Model
from catalog.services.hub import hub_sync
from catalog.services.hub_facts import models_facts_resolve, models_facts_resolve_all
from tests.catalog.conftest import listing_fixture
from tests.fakes.hub import FakeHub

pytestmark = pytest.mark.django_db

QWEN_05B = {  # Qwen/Qwen2.5-0.5B's config.json (the Hub's safetensors total: 494,032,768)
    "model_type": "qwen2",
    "architectures": ["Qwen2ForCausalLM"],
    "num_hidden_layers": 24,
    "hidden_size": 896,
    "num_attention_heads": 14,
    "num_key_value_heads": 2,
    "intermediate_size": 4864,
    "vocab_size": 151936,
    "max_position_embeddings": 32768,
    "tie_word_embeddings": True,
}


def _entry(repo_id: str, **fields) -> dict:
    return {
        "id": repo_id,
        "author": repo_id.split("/")[0],
        "sha": f"{abs(hash(repo_id)):040x}"[:40],
        "pipeline_tag": "text-generation",
        "library_name": "transformers",
        "createdAt": "2024-09-19T00:00:00.000Z",
        "lastModified": "2024-09-25T00:00:00.000Z",
        **fields,
    }


def _facts(repo_id: str) -> Model:
    return Model.objects.get(repo_id=repo_id)


def test_sync_records_where_each_fact_came_from(fake_hub: FakeHub) -> None:
    hub_sync(limit=100)
    llama = _facts("meta-llama/Llama-3.1-8B")
    assert (llama.params_total, llama.params_source) == (8_030_261_248, "safetensors")
    assert llama.facts_provenance["params_total"] == {
        "source": "safetensors",
        "as_of": "2024-09-25",
    }
    assert (llama.dims_source, llama.layer_kinds) == ("config", ["full"] * 32)
    assert llama.release_date == date(2024, 7, 18)
    assert llama.facts_provenance["release_date"]["source"] == "hub"
    moe = _facts("Qwen/Qwen3-30B-A3B")
    assert (moe.params_total, moe.params_active) == (30_532_122_624, 3_353_032_704)
    assert moe.facts_provenance["params_active"]["source"] == "safetensors"
    assert moe.config_params_total == 30_532_122_624
    gemma = _facts("google/gemma-2-9b")
    assert gemma.layer_kinds == ["sliding", "full"] * 21
    assert gemma.sliding_window == 4096
    # The GGUF repo has no safetensors and no config: its base model's count and dims.
    gguf = _facts("bartowski/Meta-Llama-3.1-8B-Instruct-GGUF")
    assert (gguf.params_total, gguf.params_source) == (8_030_261_248, "base_model")
    assert gguf.facts_provenance["params_total"]["detail"] == (
        "quantized from meta-llama/Llama-3.1-8B-Instruct"
    )
    assert (gguf.num_layers, gguf.dims_source) == (32, "base_model")
    # 2022-03-02 is the Hub's migration date, not a release date.
    assert _facts("google-bert/bert-base-uncased").release_date is None
    assert _facts("sentence-transformers/all-MiniLM-L6-v2").params_total == 22_713_216
    assert not Model.objects.filter(source="hub", params_total=0).exists()


def test_packed_quantization_takes_its_base_models_count(fake_hub: FakeHub) -> None:
    """An AWQ Qwen2.5-0.5B reads 630M in safetensors (packed int32 words)."""
    base = _entry(
        "Qwen/Qwen2.5-0.5B",
        safetensors={"parameters": {"BF16": 494_032_768}, "total": 494_032_768},
        config={"model_type": "qwen2"},
    )
    awq = _entry(
        "Qwen/Qwen2.5-0.5B-Instruct-AWQ",
        tags=["awq", "4-bit", "base_model:quantized:Qwen/Qwen2.5-0.5B"],
        safetensors={"parameters": {"I32": 56_000_000, "F16": 574_000_000}, "total": 630_000_000},
    )
    fake_hub.set_models([awq, base])  # the child first: its base arrives later in the run
    fake_hub.files[("Qwen/Qwen2.5-0.5B", "config.json")] = (
        __import__("json").dumps(QWEN_05B).encode()
    )
    hub_sync(limit=100, page_size=1)
    child = _facts("Qwen/Qwen2.5-0.5B-Instruct-AWQ")
    assert (child.params_total, child.params_source) == (494_032_768, "base_model")
    assert child.params_estimated
    assert _facts("Qwen/Qwen2.5-0.5B").config_params_total == 494_032_768


def test_gated_repo_gets_dims_from_an_ungated_derivative_or_the_family(fake_hub: FakeHub) -> None:
    gated = _entry(
        "meta-llama/Llama-3.2-3B-Instruct",
        gated="manual",
        safetensors={"parameters": {"BF16": 3_212_749_824}, "total": 3_212_749_824},
        config={"model_type": "llama"},
    )
    other = _entry("meta-llama/Meta-Llama-3-8B-Instruct", gated="manual")
    fake_hub.set_models([gated, other])
    fake_hub.refused["meta-llama/Llama-3.2-3B-Instruct"] = 403
    hub_sync(limit=100)
    llama32 = _facts("meta-llama/Llama-3.2-3B-Instruct")
    assert (llama32.dims_source, llama32.num_layers, llama32.context_tokens) == (
        "family",
        28,
        131072,
    )
    assert llama32.facts_provenance["dims"]["detail"] == "family llama-3.2-3b (reviewed table)"
    llama3 = _facts("meta-llama/Meta-Llama-3-8B-Instruct")
    assert (llama3.num_layers, llama3.context_tokens, llama3.family) == (32, 8192, "llama-3-8b")
    assert (llama3.params_total, llama3.params_source) == (8_000_000_000, "name")
    # An ungated copy with a config arrives: it becomes the gated repo's source of dims.
    copy = _entry(
        "unsloth/Llama-3.2-3B-Instruct",
        tags=["base_model:finetune:meta-llama/Llama-3.2-3B-Instruct"],
        config={"model_type": "llama"},
    )
    fake_hub.set_models([gated, other, copy])
    fake_hub.files[("unsloth/Llama-3.2-3B-Instruct", "config.json")] = __import__("json").dumps(
        {**QWEN_05B, "model_type": "llama", "num_hidden_layers": 28, "hidden_size": 3072,
         "num_attention_heads": 24, "num_key_value_heads": 8, "intermediate_size": 8192,
         "vocab_size": 128256, "max_position_embeddings": 131072}
    ).encode()  # fmt: skip
    hub_sync(limit=100)
    models_facts_resolve(repo_ids=["meta-llama/Llama-3.2-3B-Instruct"])
    llama32 = _facts("meta-llama/Llama-3.2-3B-Instruct")
    assert llama32.dims_source == "base_model"
    assert llama32.facts_provenance["dims"]["detail"] == (
        "same architecture as derivative unsloth/Llama-3.2-3B-Instruct"
    )


def test_names_give_approximate_counts_and_flag_test_repos(fake_hub: FakeHub) -> None:
    fake_hub.set_models(
        [
            _entry("someone/Mixtral-8x7B-merge"),
            _entry("someone/Qwen3-30B-A3B-abliterated"),
            _entry("stas/tiny-random-llama-2"),
        ]
    )
    hub_sync(limit=100)
    mixtral = _facts("someone/Mixtral-8x7B-merge")
    assert (mixtral.params_source, round(mixtral.params_total / 1e9, 1)) == ("name", 46.7)
    assert round(mixtral.params_active / 1e9, 1) == 12.9
    assert mixtral.facts_provenance["params_total"]["detail"].startswith("approximate")
    qwen = _facts("someone/Qwen3-30B-A3B-abliterated")
    assert (qwen.params_total, qwen.params_active) == (30 * 10**9, 3 * 10**9)
    tiny = _facts("stas/tiny-random-llama-2")
    assert tiny.is_test_repo
    assert tiny.params_total is None  # unknown, never 0


def test_resolve_is_idempotent_and_keeps_hand_curated_counts(fake_hub: FakeHub) -> None:
    hub_sync(limit=100)
    assert models_facts_resolve_all() == 0
    Model.objects.filter(repo_id="openai/whisper-large-v3").update(
        params_total=1_550_000_000, params_source="manual"
    )
    models_facts_resolve(repo_ids=["openai/whisper-large-v3"])
    whisper = _facts("openai/whisper-large-v3")
    assert (whisper.params_total, whisper.params_source) == (1_550_000_000, "manual")
    assert whisper.facts_provenance["params_total"]["source"] == "manual"
    assert models_facts_resolve(repo_ids=["openai/whisper-large-v3"]) == []


@pytest.mark.parametrize("sizes", [(3, 30)])
def test_resolve_query_count_does_not_grow_with_rows(fake_hub: FakeHub, sizes) -> None:
    counts = []
    for n in sizes:
        Model.objects.all().delete()
        fake_hub.set_models(
            [dict(listing_fixture()[0])]
            + [
                _entry(
                    f"org/llama-derived-{n}-{i}",
                    tags=["base_model:finetune:meta-llama/Llama-3.1-8B"],
                )
                for i in range(n)
            ]
        )
        hub_sync(limit=1000)
        Model.objects.filter(repo_id__startswith="org/").update(params_source="", family="x")
        ids = list(Model.objects.values_list("id", flat=True))
        with CaptureQueriesContext(connection) as ctx:
            written = models_facts_resolve(ids=ids)
        assert len(written) == n
        counts.append(len(ctx.captured_queries))
    # rows, their bases, derivatives and family peers of rows lacking dims, the write
    assert counts[0] == counts[1] <= 5
