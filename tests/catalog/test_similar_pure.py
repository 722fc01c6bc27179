"""Series stems and size bands for "similar models" (catalog.facts.similar, pure)."""

from __future__ import annotations

import pytest

from catalog.facts.similar import series_stem, size_band, size_for_band


@pytest.mark.parametrize(
    ("repo_id", "stem"),
    [
        ("meta-llama/Llama-3.1-70B-Instruct", "llama-3.1"),
        ("meta-llama/Meta-Llama-3.1-8B", "llama-3.1"),
        ("Qwen/Qwen3-30B-A3B", "qwen3"),
        ("mistralai/Mixtral-8x7B-Instruct-v0.1", "mixtral"),
        ("google/gemma-2-2b-it", "gemma-2"),
        ("gpt2", None),  # no size in the name
        ("google-bert/bert-base-uncased", None),
    ],
)
def test_series_stem(repo_id: str, stem: str | None) -> None:
    assert series_stem(repo_id) == stem


def test_size_for_band_prefers_the_recorded_count_then_the_name() -> None:
    assert size_for_band(8_030_000_000, "acme/x-70B") == 8_030_000_000
    assert size_for_band(None, "meta-llama/Llama-3.1-70B-Instruct") == 70_000_000_000
    assert size_for_band(None, "acme/mystery") is None
    assert size_band(8_000_000_000) == (4_000_000_000, 16_000_000_000)
