"""Parameter counts from config dims (pure) and the fill service."""

from __future__ import annotations

import pytest

from catalog.models import Model
from catalog.param_count import DenseDims, estimate_dense_params
from catalog.services.params import models_params_estimate_fill

LLAMA_3_1_8B = DenseDims("llama", 32, 4096, 32, 8, 128, 14336, 128256)


@pytest.mark.parametrize(
    ("dims", "published", "tolerance"),
    [
        (LLAMA_3_1_8B, 8_030_261_248, 0.001),
        (DenseDims("qwen2", 28, 3584, 28, 4, 128, 18944, 152064), 7_615_616_512, 0.001),
        (DenseDims("mistral", 32, 4096, 32, 8, 128, 14336, 32768), 7_248_023_552, 0.001),
        (DenseDims("gpt2", 12, 768, 12, 12, 64, 3072, 50257), 124_439_808, 0.01),
        (DenseDims("gemma2", 26, 2304, 8, 4, 256, 9216, 256000), 2_614_341_888, 0.001),
    ],
)
def test_dense_estimates_match_published_totals(dims, published, tolerance) -> None:
    estimate = estimate_dense_params(dims)
    assert estimate is not None
    assert abs(estimate - published) / published < tolerance


@pytest.mark.parametrize(
    "dims",
    [
        DenseDims("mixtral", 32, 4096, 32, 8, 128, 14336, 32000, num_experts=8),
        DenseDims("llama", None, 4096, 32, 8, 128, 14336, 128256),
        DenseDims("some-new-arch", 32, 4096, 32, 8, 128, 14336, 128256),
    ],
)
def test_no_estimate_for_moe_missing_dims_or_unknown_architectures(dims) -> None:
    assert estimate_dense_params(dims) is None


@pytest.mark.django_db
def test_fill_sets_only_missing_counts_and_is_idempotent() -> None:
    fields = dict(
        model_type="llama",
        num_layers=32,
        hidden_size=4096,
        num_heads=32,
        num_kv_heads=8,
        head_dim=128,
        intermediate_size=14336,
        vocab_size=128256,
    )
    Model.objects.create(repo_id="a/estimated", name="estimated", **fields)
    Model.objects.create(repo_id="b/known", name="known", params_total=8_000_000_000, **fields)
    assert models_params_estimate_fill() == 1
    estimated = Model.objects.get(repo_id="a/estimated")
    assert estimated.params_estimated
    assert estimated.params_total == estimate_dense_params(LLAMA_3_1_8B)
    known = Model.objects.get(repo_id="b/known")
    assert (known.params_total, known.params_estimated) == (8_000_000_000, False)
    assert models_params_estimate_fill() == 0


@pytest.mark.django_db
def test_a_hub_sync_estimates_counts_the_listing_lacks(fake_hub) -> None:
    from catalog.services.hub import hub_sync
    from tests.catalog.conftest import listing_fixture

    listing = [dict(m) for m in listing_fixture()]
    for entry in listing:
        if entry["id"] == "meta-llama/Llama-3.1-8B":
            entry.pop("safetensors")
    fake_hub.set_models(listing)
    hub_sync(limit=100)
    llama = Model.objects.get(repo_id="meta-llama/Llama-3.1-8B")
    assert llama.params_estimated
    assert llama.params_total == estimate_dense_params(LLAMA_3_1_8B)
    instruct = Model.objects.get(repo_id="meta-llama/Llama-3.1-8B-Instruct")
    assert not instruct.params_estimated  # its safetensors total wins
