"""What runs on my GPU, the pure parts: the longest context that still fits (bisection on
the memory formula) and which models decode (encoders get no decode speed)."""

from __future__ import annotations

from dataclasses import replace

from benchmarks.estimate import AcceleratorSpec, ModelDims, estimate_memory, fit_check
from benchmarks.estimate.context import GRANULE, longest_context
from catalog.facts.generation import generates_tokens

RTX4090 = AcceleratorSpec("rtx-4090", "RTX 4090", 24, 1008, 165, kind="consumer")
LLAMA_8B = ModelDims(
    params_total=8_000_000_000, params_active=None, num_layers=32, hidden_size=4096,
    num_heads=32, num_kv_heads=8, head_dim=128, context_tokens=131072,
)  # fmt: skip


def _fits(tokens: int, count: int = 1) -> bool:
    memory = estimate_memory(LLAMA_8B, "bf16", tokens, engine="vllm", count=count)
    return fit_check(memory, RTX4090, count).fits


def test_longest_context_is_the_edge_of_the_fit() -> None:
    longest = longest_context(LLAMA_8B, "bf16", RTX4090, engine="vllm", count=1,
                              floor=2048, ceiling=131072)  # fmt: skip
    assert longest is not None
    assert 2048 <= longest < 131072
    assert _fits(longest)
    assert not _fits(longest + GRANULE)


def test_longest_context_is_the_model_limit_when_everything_fits() -> None:
    assert longest_context(LLAMA_8B, "q4_k_m", RTX4090, engine="llama.cpp", count=1,
                           floor=512, ceiling=8192) == 8192  # fmt: skip


def test_longest_context_unknown_without_kv_or_when_the_floor_does_not_fit() -> None:
    no_dims = ModelDims(params_total=8_000_000_000, params_active=None)
    assert longest_context(no_dims, "bf16", RTX4090, engine="vllm", count=1,
                           floor=2048, ceiling=None) is None  # fmt: skip
    huge = replace(LLAMA_8B, params_total=70 * 10**9)
    assert longest_context(huge, "bf16", RTX4090, engine="vllm", count=1,
                           floor=2048, ceiling=None) is None  # fmt: skip


def test_encoders_do_not_decode() -> None:
    assert generates_tokens("text-generation", "llama")
    assert generates_tokens("automatic-speech-recognition", "whisper")
    assert generates_tokens("text2text-generation", "t5")
    assert not generates_tokens("fill-mask", "bert")
    assert not generates_tokens("sentence-similarity", "")
    assert not generates_tokens("text-generation", "bert")  # a mislabelled encoder
    assert not generates_tokens("automatic-speech-recognition", "wav2vec2")  # CTC
    assert not generates_tokens(None, None)
