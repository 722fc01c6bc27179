"""The feed-name normalizer and the alias index (pure: no database)."""

from __future__ import annotations

import pytest

from catalog.matching import AliasIndex, CatalogEntry, name_keys, strip_provider_prefix


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("openai/gpt-4o", "gpt-4o"),
        ("bedrock/us.meta.llama3-1-8b-instruct-v1:0", "llama3-1-8b-instruct-v1:0"),
        ("openrouter/meta-llama/llama-3.1-8b-instruct", "llama-3.1-8b-instruct"),
        ("@cf/meta/llama-3-8b-instruct", "llama-3-8b-instruct"),
        ("anthropic.claude-3-5-sonnet-20240620-v1:0", "claude-3-5-sonnet-20240620-v1:0"),
        ("gpt-4o", "gpt-4o"),
    ],
)
def test_provider_prefixes_are_stripped(raw: str, expected: str) -> None:
    assert strip_provider_prefix(raw) == expected


@pytest.mark.parametrize(
    ("raw", "keys"),
    [
        ("gpt-4o-2024-08-06", ["gpt-4o-20240806", "gpt-4o"]),
        ("claude-3-5-sonnet-20240620", ["claude-3-5-sonnet-20240620", "claude-3-5-sonnet"]),
        # "Meta-" before "Llama" is dropped; a letter before a digit is split
        ("Meta-Llama-3.1-8B-Instruct", ["llama-3-1-8b-instruct", "llama-3-1-8b"]),
        ("Qwen/Qwen2.5_7B Instruct", ["qwen-2-5-7b-instruct", "qwen-2-5-7b"]),
        ("mistral-large-latest", ["mistral-large"]),  # "-latest" is no snapshot
        ("gemma-2-9b-it", ["gemma-2-9b-it", "gemma-2-9b"]),
    ],
)
def test_name_keys_go_from_strict_to_loose(raw: str, keys: list[str]) -> None:
    assert name_keys(raw) == keys


def _index() -> AliasIndex:
    return AliasIndex.build(
        [
            CatalogEntry(1, "meta-llama/Llama-3.1-8B-Instruct", "meta-llama"),
            CatalogEntry(2, "bartowski/Llama-3.1-8B-Instruct-GGUF", "bartowski", True),
            CatalogEntry(3, "Qwen/Qwen2.5-7B-Instruct", "qwen"),
            CatalogEntry(4, "someone/Qwen2.5-7B-Instruct", "someone"),
            CatalogEntry(5, "other/Qwen2.5-7B-Instruct", "other"),
        ]
    )


def test_exact_hub_repo_id_wins_over_names() -> None:
    result = _index().match("whatever", hub_repo_id="Qwen/Qwen2.5-7B-Instruct")
    assert (result.model_id, result.rule) == (3, "exact_repo")


def test_normalized_name_links_when_exactly_one_model_matches() -> None:
    result = _index().match("together_ai/meta-llama/Llama-3.1-8B-Instruct")
    assert result.model_id == 1


def test_same_name_under_several_orgs_goes_to_the_vendor_the_name_says() -> None:
    # "qwen..." is Qwen's: the vendor's own repo, not a same-named copy (issue 14)
    result = _index().match("qwen2.5-7b-instruct-turbo")
    assert result.model_id == 3


def test_same_name_under_several_orgs_is_ambiguous_without_a_vendor() -> None:
    index = AliasIndex.build(
        [CatalogEntry(1, "a/Orca-Mini-7B", "a"), CatalogEntry(2, "b/Orca-Mini-7B", "b")]
    )
    result = index.match("orca-mini-7b")
    assert result.model_id is None
    assert result.rule == "ambiguous"


def test_serving_suffixes_are_dropped_before_the_instruct_suffix() -> None:
    index = AliasIndex.build(
        [
            CatalogEntry(1, "meta-llama/Llama-3.1-8B-Instruct", "meta-llama"),
            CatalogEntry(2, "meta-llama/Llama-3.1-8B", "meta-llama"),
        ]
    )
    assert index.match("meta-llama/Llama-3.1-8B-Instruct-Turbo").model_id == 1
    assert index.match("llama-3.1-8b-fp8").model_id == 2


def test_organization_hint_breaks_a_tie() -> None:
    result = _index().match("qwen2.5-7b-instruct", organization_hint="Qwen")
    assert (result.model_id, result.rule) == (3, "normalized")


def test_unknown_name_matches_nothing() -> None:
    assert _index().match("claude-3-opus").rule == "none"
