"""catalog.matching improvement the price feeds need: a dated snapshot is not ambiguous
with its undated model (both are API-only models created from the same feed)."""

from __future__ import annotations

import pytest

from catalog.matching import AliasIndex, CatalogEntry


def _index() -> AliasIndex:
    return AliasIndex.build(
        [
            CatalogEntry(1, "openai/gpt-image-2", "openai", is_derivative=True),
            CatalogEntry(2, "openai/gpt-image-2-2026-04-21", "openai", is_derivative=True),
            CatalogEntry(3, "anthropic/claude-3-5-haiku", "anthropic", is_derivative=True),
            CatalogEntry(4, "anthropic/claude-3-5-haiku-20241022", "anthropic", is_derivative=True),
            CatalogEntry(5, "meta-llama/Llama-3.1-8B-Instruct", "meta-llama"),
            CatalogEntry(6, "someone/Llama-3.1-8B-Instruct", "someone"),
            CatalogEntry(7, "someone/Orca-Mini-7B", "someone"),
            CatalogEntry(8, "other/Orca-Mini-7B", "other"),
        ]
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("aiml/openai/gpt-image-2", 1),  # the undated model, not its snapshot
        ("azure/gpt-image-2-2026-04-21", 2),  # the dated name still finds the snapshot
        ("bedrock/anthropic.claude-3-5-haiku-20241022-v1:0", 4),
        ("vertex_ai/claude-3-5-haiku", 3),
    ],
)
def test_the_model_named_by_the_key_wins_over_its_dated_variants(name, expected) -> None:
    result = _index().match(name)
    assert (result.model_id, result.rule) == (expected, "normalized")


def test_the_vendors_own_repo_wins_when_the_name_says_the_vendor() -> None:
    # "llama-..." is Meta's: its own repo, not a copy under another org (issue 14)
    result = _index().match("together_ai/llama-3.1-8b-instruct")
    assert (result.model_id, result.rule) == (5, "normalized")


def test_two_originals_with_the_same_name_stay_ambiguous() -> None:
    result = _index().match("together_ai/orca-mini-7b")
    assert result.rule == "ambiguous"
    assert set(result.candidates) == {7, 8}
