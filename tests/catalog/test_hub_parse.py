"""Pure Hub parsing: listing / model_info -> ModelRecord, config.json -> ArchDims (no db)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from catalog.hub_parse import (
    ArchDims,
    HubFormatError,
    estimate_active_params,
    parse_config,
    parse_model,
)
from catalog.hub_tasks import task_name

FIXTURES = Path(__file__).parent / "fixtures"
LISTING = {m["id"]: m for m in json.loads((FIXTURES / "listing.json").read_text())}
CONFIGS = json.loads((FIXTURES / "configs.json").read_text())


def _fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


@pytest.mark.parametrize(
    ("repo_id", "field", "expected"),
    [
        ("meta-llama/Llama-3.1-8B", "author", "meta-llama"),
        ("meta-llama/Llama-3.1-8B", "task", "text-generation"),
        ("meta-llama/Llama-3.1-8B", "library", "transformers"),
        ("meta-llama/Llama-3.1-8B", "license", "llama3.1"),  # from the license: tag
        ("meta-llama/Llama-3.1-8B", "gated", True),
        ("meta-llama/Llama-3.1-8B", "gated_mode", "manual"),
        ("meta-llama/Llama-3.1-8B", "languages", ("en", "de", "fr")),
        ("meta-llama/Llama-3.1-8B", "params_total", 8030261248),
        ("meta-llama/Llama-3.1-8B", "params_by_dtype", {"BF16": 8030261248}),
        ("meta-llama/Llama-3.1-8B", "base_model_repo_id", ""),
        ("meta-llama/Llama-3.1-8B", "config_hint", "transformers"),
        ("meta-llama/Llama-3.1-8B-Instruct", "base_model_repo_id", "meta-llama/Llama-3.1-8B"),
        ("meta-llama/Llama-3.1-8B-Instruct", "base_model_relation", "finetune"),
        ("meta-llama/Llama-3.1-8B-Instruct", "downloads", 5795728),
        ("meta-llama/Llama-3.1-8B-Instruct", "likes", 3763),
        (
            "meta-llama/Llama-3.1-8B-Instruct",
            "sha",
            "0e9e39f249a16976918f6564b8830bc894c89659",
        ),
        ("bartowski/Meta-Llama-3.1-8B-Instruct-GGUF", "base_model_relation", "quantized"),
        (
            "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF",
            "base_model_repo_id",
            "meta-llama/Llama-3.1-8B-Instruct",
        ),
        ("bartowski/Meta-Llama-3.1-8B-Instruct-GGUF", "config_hint", ""),
        ("bartowski/Meta-Llama-3.1-8B-Instruct-GGUF", "params_total", None),
        ("deepseek-ai/DeepSeek-V3", "license", "other"),  # cardData.license wins
        ("deepseek-ai/DeepSeek-V3", "params_total", 684531386000),
        ("deepseek-ai/DeepSeek-V3", "gated", False),
        ("mistralai/Mixtral-8x7B-v0.1", "gated_mode", "auto"),
        ("google-bert/bert-base-uncased", "languages", ("en",)),  # "tf" is not a language
        ("stabilityai/stable-diffusion-xl-base-1.0", "config_hint", "diffusers"),
        ("stabilityai/stable-diffusion-xl-base-1.0", "license", "openrail++"),
    ],
)
def test_parse_model_reads_listing_fields(repo_id: str, field: str, expected: object) -> None:
    assert getattr(parse_model(LISTING[repo_id]), field) == expected


def test_parse_model_dates_are_aware_utc() -> None:
    record = parse_model(LISTING["meta-llama/Llama-3.1-8B-Instruct"])
    assert record.created_at == datetime(2024, 7, 18, 8, 56, tzinfo=UTC)
    assert record.modified_at == datetime(2024, 9, 25, 17, 0, 57, tzinfo=UTC)


@pytest.mark.parametrize(
    ("entry", "field", "expected"),
    [
        ({"id": "bert-base-uncased", "downloads": 5}, "author", ""),
        ({"id": "x/y", "gated": True}, "gated", True),
        ({"id": "x/y", "gated": True}, "gated_mode", ""),
        ({"id": "x/y", "gated": False}, "gated", False),
        ({"id": "x/y", "cardData": {"license": ["MIT"]}}, "license", "mit"),
        ({"id": "x/y", "cardData": {"language": "fr"}}, "languages", ("fr",)),
        ({"id": "x/y", "cardData": {"base_model": "a/b"}}, "base_model_repo_id", "a/b"),
        (
            {"id": "x/y", "cardData": {"base_model": ["a/b"], "base_model_relation": "merge"}},
            "base_model_relation",
            "merge",
        ),
        ({"id": "x/y", "tags": ["base_model:a/b"]}, "base_model_repo_id", "a/b"),
        ({"id": "x/y", "tags": ["base_model:adapter:a/b"]}, "base_model_relation", "adapter"),
        ({"id": "x/y", "createdAt": "not a date"}, "created_at", None),
        ({"id": "x/y", "downloads": "12"}, "downloads", 12),
        ({"id": "x/y", "downloads": None}, "downloads", 0),
        ({"id": "x/y", "safetensors": {"parameters": {"F16": 10, "F32": 5}}}, "params_total", 15),
        ({"modelId": "legacy/id"}, "repo_id", "legacy/id"),
        ({"id": "x/y", "config": {"model_type": "llama"}}, "config_hint", "transformers"),
        ({"id": "x/y", "config": {}}, "config_hint", ""),
    ],
)
def test_parse_model_handles_variants(entry: dict, field: str, expected: object) -> None:
    assert getattr(parse_model(entry), field) == expected


@pytest.mark.parametrize("bad", [[], "text", None, {"downloads": 3}, {"id": ""}])
def test_parse_model_rejects_entries_without_an_id(bad: object) -> None:
    with pytest.raises(HubFormatError):
        parse_model(bad)


def test_fingerprint_is_stable_and_changes_with_any_field() -> None:
    entry = LISTING["Qwen/Qwen3-30B-A3B"]
    first = parse_model(entry).fingerprint
    assert first == parse_model(json.loads(json.dumps(entry))).fingerprint
    assert len(first) == 64
    assert parse_model({**entry, "downloads": entry["downloads"] + 1}).fingerprint != first
    assert parse_model({**entry, "sha": "0" * 40}).fingerprint != first


@pytest.mark.parametrize(
    ("repo_id", "expected"),
    [
        (
            "meta-llama/Llama-3.1-8B",
            {
                "model_type": "llama",
                "num_layers": 32,
                "hidden_size": 4096,
                "num_heads": 32,
                "num_kv_heads": 8,
                "head_dim": 128,
                "intermediate_size": 14336,
                "vocab_size": 128256,
                "context_tokens": 131072,
                "num_experts": None,
                "dtype": "bfloat16",
            },
        ),
        (
            "Qwen/Qwen3-30B-A3B",
            {
                "num_layers": 48,
                "num_kv_heads": 4,
                "head_dim": 128,
                "num_experts": 128,
                "experts_per_token": 8,
                "moe_intermediate_size": 768,
                "context_tokens": 40960,
                "sliding_window": None,  # use_sliding_window false
            },
        ),
        (
            "deepseek-ai/DeepSeek-V3",
            {
                "num_layers": 61,
                "num_heads": 128,
                "head_dim": 192,  # MLA: qk_nope 128 + qk_rope 64
                "num_experts": 256,
                "experts_per_token": 8,
                "kv_lora_rank": 512,
                "qk_rope_head_dim": 64,
                "num_dense_layers": 3,
                "num_extra_moe_layers": 1,
                "context_tokens": 163840,
            },
        ),
        (
            "mistralai/Mixtral-8x7B-v0.1",
            {"num_experts": 8, "experts_per_token": 2, "sliding_window": None},
        ),
        (
            "google/gemma-2-9b",
            {"sliding_window": 4096, "head_dim": 256, "num_kv_heads": 8, "dtype": "float32"},
        ),
        (
            "Qwen/Qwen3-VL-8B-Instruct",
            {
                "model_type": "qwen3_vl",
                "num_layers": 36,
                "hidden_size": 4096,
                "num_kv_heads": 8,
                "context_tokens": 262144,
                "dtype": "bfloat16",
            },
        ),
        (
            "google-bert/bert-base-uncased",
            {"num_layers": 12, "hidden_size": 768, "num_kv_heads": 12, "head_dim": 64},
        ),
        (
            "openai/whisper-large-v3",
            {
                "num_layers": 32,
                "hidden_size": 1280,
                "num_heads": 20,
                "intermediate_size": 5120,
                "context_tokens": 448,
                "dtype": "float16",
            },
        ),
        (
            "sentence-transformers/all-MiniLM-L6-v2",
            {"num_layers": 6, "hidden_size": 384, "head_dim": 32},
        ),
    ],
)
def test_parse_config_reads_dims(repo_id: str, expected: dict) -> None:
    dims = parse_config(CONFIGS[repo_id])
    assert {k: getattr(dims, k) for k in expected} == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "gpt2_config.json",
            {"num_layers": 12, "hidden_size": 768, "num_heads": 12, "context_tokens": 1024},
        ),
        (
            "t5_config.json",
            {"num_layers": 6, "hidden_size": 512, "head_dim": 64, "intermediate_size": 2048},
        ),
        (
            "clip_config.json",
            {"model_type": "clip", "num_layers": 12, "hidden_size": 768, "context_tokens": 77},
        ),
        (
            "sdxl_model_index.json",
            {
                "model_type": "diffusers",
                "architectures": ("StableDiffusionXLPipeline",),
                "num_layers": None,
            },
        ),
    ],
)
def test_parse_config_naming_variants(name: str, expected: dict) -> None:
    dims = parse_config(_fixture(name))
    assert {k: getattr(dims, k) for k in expected} == expected


@pytest.mark.parametrize("bad", [[1, 2], "x", None])
def test_parse_config_rejects_non_objects(bad: object) -> None:
    with pytest.raises(HubFormatError):
        parse_config(bad)


def test_parse_config_of_an_empty_object_gives_empty_dims() -> None:
    assert parse_config({}) == ArchDims()


@pytest.mark.parametrize(
    ("repo_id", "expected"),
    [
        # 46,702,792,704 - 32 x 6 idle x 3 x 4096 x 14336
        ("mistralai/Mixtral-8x7B-v0.1", 12_879_925_248),
        # 30,532,122,624 - 48 x 120 x 3 x 2048 x 768
        ("Qwen/Qwen3-30B-A3B", 3_353_032_704),
        # 684,531,386,000 - (config total - config active): the idle routed experts and
        # the MTP module (not run per token), counted by catalog.param_count; card: 37B
        ("deepseek-ai/DeepSeek-V3", 37_593_838_224),
        ("meta-llama/Llama-3.1-8B", None),  # dense
    ],
)
def test_active_params_estimate(repo_id: str, expected: int | None) -> None:
    total = parse_model(LISTING[repo_id]).params_total
    assert estimate_active_params(params_total=total, dims=parse_config(CONFIGS[repo_id])) == (
        expected
    )


def test_active_params_needs_a_total() -> None:
    dims = parse_config(CONFIGS["mistralai/Mixtral-8x7B-v0.1"])
    assert estimate_active_params(params_total=None, dims=dims) is None


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        ("text-generation", ("Text generation", "text")),
        ("automatic-speech-recognition", ("Speech recognition", "audio")),
        ("text-to-image", ("Text to image", "vision")),
        ("brand-new-task", ("Brand new task", "")),
    ],
)
def test_task_names(slug: str, expected: tuple[str, str]) -> None:
    assert task_name(slug) == expected


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"num_experts": 128, "top_k_experts": 8}, (128, 8)),  # gemma-4
        ({"n_routed_experts": 64, "num_experts_per_tok": 6}, (64, 6)),  # DeepSeek-V2-Lite
        ({"num_local_experts": 16, "num_experts_per_tok": 1}, (16, 1)),  # Llama 4 Scout
        ({"num_experts": 1, "num_experts_per_tok": 1}, (None, None)),  # not a MoE
    ],
)
def test_parse_config_expert_key_variants(config: dict, expected: tuple) -> None:
    dims = parse_config(config)
    assert (dims.num_experts, dims.experts_per_token) == expected


@pytest.mark.parametrize(
    ("entry", "field", "expected"),
    [
        ({"id": "x/y", "downloads": 2**70}, "downloads", 0),
        ({"id": "x/y", "safetensors": {"total": 2**64}}, "params_total", None),
    ],
)
def test_parse_model_drops_counts_beyond_bigint(entry: dict, field: str, expected: object) -> None:
    assert getattr(parse_model(entry), field) == expected


def test_parse_model_rejects_repo_ids_longer_than_the_column() -> None:
    with pytest.raises(HubFormatError, match="longer than 200"):
        parse_model({"id": "x/" + "y" * 300})
