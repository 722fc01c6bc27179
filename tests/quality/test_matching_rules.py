"""catalog.matching rules the leaderboards needed (pure; kept here to avoid colliding with
the catalog helper's tests/catalog/ folder)."""

from __future__ import annotations

import pytest

from catalog.matching import AliasIndex, CatalogEntry

CATALOG = [
    CatalogEntry(1, "openai/gpt-5-chat", "openai"),
    CatalogEntry(2, "meta-llama/Llama-2-7b-chat-hf", "meta-llama"),
    CatalogEntry(3, "mistral/mistral-large-2402", "mistral"),
    CatalogEntry(4, "openai/whisper-large-v3", "openai"),
    CatalogEntry(5, "mistralai/Mistral-7B-Instruct-v0.3", "mistralai"),
    CatalogEntry(6, "anthropic/claude-3-5-sonnet-20241022", "anthropic"),
    CatalogEntry(7, "openai/gpt-5.1", "openai"),
    CatalogEntry(8, "meta-llama/Llama-3.1-8B", "meta-llama"),
    CatalogEntry(9, "meta-llama/Llama-3.1-8B-Instruct", "meta-llama"),
]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # a bare name never links to a "-chat"/"-instruct" model, and vice versa
        ("gpt-5", None),
        ("gpt-5-chat-latest", 1),
        ("llama-2-7b-chat", 2),
        ("llama-3.1-8b", 8),
        ("llama-3.1-8b-instruct", 9),
        # two different dates / versions are two models
        ("mistral-large-2407", None),
        ("openai/whisper-large-v2", None),
        ("mistral-7b-instruct-v0.2", None),
        ("claude-3-5-sonnet-20240620", None),
        # the same date, or a name without one, still links
        ("bedrock/anthropic.claude-3-5-sonnet-20241022-v2:0", 6),
        ("claude-3-5-sonnet-20241022", 6),
        ("gpt-5.1-2025-11-13", 7),
        ("mistral-large", 3),
    ],
)
def test_normalized_links_keep_variants_and_versions_apart(name: str, expected: int | None) -> None:
    assert AliasIndex.build(CATALOG).match(name).model_id == expected
