"""Pure facts rules: sizes and families from names, test repos, the provenance chain."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from catalog.facts import (
    Dims,
    FactRow,
    Related,
    fact_labels,
    family_key,
    is_test_repo,
    layer_kind_counts,
    params_from_name,
    resolve_facts,
    safetensors_params,
)

B, M = 10**9, 10**6


@pytest.mark.parametrize(
    ("repo_id", "total", "active"),
    [
        ("meta-llama/Llama-3.1-8B-Instruct", 8 * B, None),
        ("Qwen/Qwen2.5-0.5B-Instruct-AWQ", 0.5 * B, None),
        ("HuggingFaceTB/SmolLM2-135M-Instruct", 135 * M, None),
        ("Qwen/Qwen3-30B-A3B-Instruct-2507", 30 * B, 3 * B),
        ("bigscience/bloom-7b1", 7.1 * B, None),
        ("facebook/m2m100_418M", 418 * M, None),
        ("google-bert/bert-base-uncased", 110 * M, None),
        ("google-t5/t5-small", 60 * M, None),
        ("openai/whisper-large-v3", 1.55 * B, None),
        ("microsoft/Phi-3-mini-4k-instruct", 3.8 * B, None),  # "4k" is a context, not a size
    ],
)
def test_sizes_from_names(repo_id: str, total: float, active: float | None) -> None:
    size = params_from_name(repo_id)
    assert size is not None
    assert (size.total, size.active) == (round(total), round(active) if active else None)


def test_mixtures_use_known_expert_shapes_not_n_times_m() -> None:
    size = params_from_name("mistralai/Mixtral-8x7B-Instruct-v0.1")
    assert size is not None
    assert round(size.total / B, 1) == 46.7  # not 56
    assert round(size.active / B, 1) == 12.9
    assert round(params_from_name("x/Mixtral-8x22B").total / B) == 141


@pytest.mark.parametrize(
    "repo_id", ["google/gemma-3n-E4B-it", "Qwen/Qwen1.5-MoE-A2.7B", "x/some-model", "x/4x3b-moe"]
)
def test_names_without_a_size_give_none(repo_id: str) -> None:
    assert params_from_name(repo_id) is None


@pytest.mark.parametrize(
    ("repo_id", "key"),
    [
        ("meta-llama/Meta-Llama-3.1-8B-Instruct", "llama-3.1-8b"),
        ("unsloth/Llama-3.1-8B-Instruct-bnb-4bit", "llama-3.1-8b"),
        ("TheBloke/Mistral-7B-Instruct-v0.1-AWQ", "mistral-7b-v0.1"),
        ("mistralai/Mistral-7B-v0.3", "mistral-7b-v0.3"),
        ("Qwen/Qwen3-30B-A3B-Instruct-2507", "qwen3-30b-a3b"),
        ("google/gemma-2-9b-it", "gemma-2-9b"),
        ("google-bert/bert-base-uncased", ""),  # no size: no family key
    ],
)
def test_family_keys(repo_id: str, key: str) -> None:
    assert family_key(repo_id) == key


@pytest.mark.parametrize(
    ("repo_id", "test"),
    [
        ("stas/tiny-random-llama-2", True),
        ("hf-internal-testing/tiny-bert-for-token-classification", True),
        ("optimum-intel-internal-testing/opt-125m", True),
        ("yujiepan/llama-3-tiny-random", True),
        ("MaxJeblick/llama2-0b-unit-test", True),
        ("hyper-accel/ci-random-llama2-7b", True),
        ("Felix92/doctr-dummy-tf-master", True),
        ("sshleifer/tiny-gpt2", True),
        ("TinyLlama/TinyLlama-1.1B-Chat-v1.0", False),
        ("ibm-granite/granite-4.0-h-tiny", False),
        ("openai/whisper-tiny", False),
        ("google/latest-model", False),
    ],
)
def test_test_repos(repo_id: str, test: bool) -> None:
    assert is_test_repo(repo_id) is test


def test_safetensors_counts_leave_out_buffers_and_see_packed_words() -> None:
    assert safetensors_params({"F32": 22_713_216, "I64": 512}) == (22_713_216, False)
    assert safetensors_params({"I32": 56 * M, "F16": 574 * M}) == (630 * M, True)
    assert safetensors_params({"F8_E4M3": 680 * B, "BF16": 4 * B}) == (684 * B, False)
    assert safetensors_params({}) == (None, False)


DAY = datetime(2024, 7, 18, 8, 56, tzinfo=UTC)
LLAMA = Dims(model_type="llama", num_layers=32, hidden_size=4096, context_tokens=131072)


def _row(**kwargs) -> FactRow:
    return FactRow(**{"repo_id": "org/model-7b", "hub_modified_at": DAY, **kwargs})


def test_safetensors_then_config_for_plain_repos() -> None:
    both = _row(params_by_dtype={"BF16": 7_000}, config_params_total=7_100)
    assert resolve_facts(both).params_total == 7_000
    config = resolve_facts(_row(config_params_total=7_100))
    assert (config.params_total, config.params_source) == (7_100, "config")
    assert config.provenance["params_total"] == {"source": "config", "as_of": "2024-07-18"}


def test_quantized_repos_take_the_base_count_first() -> None:
    row = _row(
        repo_id="org/model-awq",
        tags=("awq",),
        base_model_relation="quantized",
        params_by_dtype={"I32": 56 * M, "F16": 574 * M},
        llmfit={"params_total": 630 * M, "packed": True},
    )
    base = Related(repo_id="org/model", params_total=494 * M, params_source="safetensors")
    resolved = resolve_facts(row, base=base)
    assert (resolved.params_total, resolved.params_source) == (494 * M, "base_model")
    # Without the base: never the packed counts; the name's size is approximate.
    orphan = resolve_facts(_row(repo_id="org/model-0.5b-awq", **{
        k: getattr(row, k) for k in ("tags", "params_by_dtype", "llmfit")}))  # fmt: skip
    assert (orphan.params_total, orphan.params_source) == (500 * M, "name")
    peer = Related(repo_id="org/model-0.5b", params_total=494 * M, params_source="safetensors")
    from_family = resolve_facts(_row(repo_id="org/model-0.5b-awq", tags=("awq",)), params_peer=peer)
    assert (from_family.params_total, from_family.params_source) == (494 * M, "family")


def test_adapters_never_use_their_own_safetensors() -> None:
    row = _row(base_model_relation="adapter", params_by_dtype={"F32": 4 * M})
    base = Related(repo_id="org/base-7b", params_total=7 * B, params_source="safetensors")
    assert resolve_facts(row, base=base).params_total == 7 * B
    assert resolve_facts(row).params_source == "name"  # "7b" in org/model-7b


def test_moe_active_follows_the_total_minus_idle_experts() -> None:
    row = _row(
        params_by_dtype={"BF16": 30_532_122_624},
        config_params_total=30_532_122_624,
        config_params_active=3_353_032_704,
        dims=Dims(num_layers=48, num_experts=128, experts_per_token=8),
    )
    resolved = resolve_facts(row)
    assert (resolved.params_total, resolved.params_active) == (30_532_122_624, 3_353_032_704)
    assert resolved.provenance["params_active"]["source"] == "safetensors"


def test_dims_order_config_base_derivative_llmfit_family() -> None:
    base = Related(repo_id="org/base", dims_source="config", dims=LLAMA)
    own = _row(dims_source="config", dims=LLAMA)
    assert resolve_facts(own, base=base).dims_source == "config"
    inherited = resolve_facts(_row(), base=base)
    assert (inherited.dims, inherited.dims_source) == (LLAMA, "base_model")
    assert inherited.provenance["context_tokens"]["source"] == "base_model"
    child = Related(repo_id="org/copy", dims_source="config", dims=LLAMA)
    assert resolve_facts(_row(), derivative=child).provenance["dims"]["detail"] == (
        "same architecture as derivative org/copy"
    )
    llmfit = resolve_facts(_row(llmfit={"dims": {"num_layers": 24, "hidden_size": 896}}))
    assert (llmfit.dims.num_layers, llmfit.dims_source) == (24, "llmfit")
    assert llmfit.dims.layer_kinds == ()  # architecture unknown: kinds unknown
    qwen = resolve_facts(_row(llmfit={"dims": {"num_layers": 24, "model_type": "qwen2"}}))
    assert qwen.dims.layer_kinds == ("full",) * 24
    gemma = resolve_facts(_row(llmfit={"dims": {"num_layers": 26, "model_type": "gemma3"}}))
    assert gemma.dims.layer_kinds == ()  # windows llmfit does not record
    family = resolve_facts(
        _row(repo_id="x/Llama-3.1-8B-Instruct"),
        family_config={"model_type": "llama", "num_hidden_layers": 32, "hidden_size": 4096,
                       "num_attention_heads": 32, "max_position_embeddings": 131072},
    )  # fmt: skip
    assert (family.dims_source, family.dims.layer_kinds) == ("family", ("full",) * 32)
    assert resolve_facts(_row(repo_id="x/unknown")).dims_source == ""


@pytest.mark.parametrize(
    ("created", "llmfit", "expected"),
    [
        (datetime(2024, 7, 18, tzinfo=UTC), {}, date(2024, 7, 18)),
        (datetime(2022, 3, 2, 23, 29, 4, tzinfo=UTC), {}, None),  # the Hub's migration day
        (datetime(2022, 3, 2, 23, 29, 4, tzinfo=UTC), {"release_date": "2019-10-02"},
         date(2019, 10, 2)),
        (None, {}, None),
    ],
)  # fmt: skip
def test_release_dates(created, llmfit, expected) -> None:
    assert resolve_facts(_row(hub_created_at=created, llmfit=llmfit)).release_date == expected


def test_labels_for_the_page() -> None:
    labels = fact_labels(
        {"params_total": {"source": "name", "detail": "approximate: 8B in the name"}}
    )
    assert labels["params_total"].text == "from name, approximate"
    assert "8B in the name" in labels["params_total"].title
    assert "dims" not in labels
    assert layer_kind_counts(["sliding", "full", "sliding"]) == [
        ("sliding window", 2),
        ("full attention", 1),
    ]
    assert layer_kind_counts(["full", "full"]) == []


def test_feed_and_hand_curated_facts_are_kept() -> None:
    row = _row(
        params_source="feed",
        params_total=12 * B,
        dims_source="manual",
        dims=LLAMA,
        params_by_dtype={"BF16": 7 * B},
        hub_created_at=DAY,
        release_date=date(2024, 7, 23),
        provenance={"release_date": {"source": "feed", "detail": "models.dev"}},
    )
    resolved = resolve_facts(row)
    assert (resolved.params_total, resolved.params_source) == (12 * B, "feed")
    assert (resolved.dims, resolved.dims_source) == (LLAMA, "manual")
    assert resolved.release_date == date(2024, 7, 23)
    assert resolved.provenance["release_date"]["detail"] == "models.dev"
