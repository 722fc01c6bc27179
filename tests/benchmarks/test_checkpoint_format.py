"""benchmarks.estimate.support.checkpoint_format / plan_precision_mask (pure, no database):
a pre-quantized repo is served in its own format, never widened or re-quantized."""

from __future__ import annotations

import pytest

from benchmarks.estimate.support import checkpoint_format, plan_precision_mask

PLAN = ("bf16", "fp8", "int8", "int4-awq")


@pytest.mark.parametrize(
    ("quant_method", "repo_id", "expected"),
    [
        ("", "Qwen/Qwen3-8B", None),
        ("", "meta-llama/Llama-3.1-8B", None),
        ("", "Qwen/Qwen3-30B-A3B", None),
        ("", "google/gemma-3-4b-it", None),
        ("", "BAAI/bge-m3", None),
        ("", "Qwen/Qwen3-4B-Instruct-2507", None),
        ("", "Qwen/Qwen3-8B-AWQ", "int4-awq"),
        ("", "TheBloke/Mistral-7B-Instruct-v0.2-AWQ", "int4-awq"),
        ("fp8", "nvidia/Llama-3.1-8B-Instruct-FP8", "fp8"),
        ("", "neuralmagic/Meta-Llama-3.1-8B-Instruct-FP8-dynamic", "fp8"),
        ("", "RedHatAI/Llama-3.1-8B-Instruct-quantized.w8a8", "int8"),
        ("compressed-tensors", "RedHatAI/Llama-3.1-8B-Instruct-quantized.w4a16", "int4-gptq"),
        ("", "Qwen/Qwen2.5-7B-Instruct-GPTQ-Int4", "int4-gptq"),
        ("", "Qwen/Qwen2.5-7B-Instruct-GPTQ-Int8", "int8-gptq"),
        ("modelopt", "nvidia/Llama-3.3-70B-Instruct-FP4", "nvfp4"),
        ("", "unsloth/Llama-3.2-1B-Instruct-GGUF", "gguf"),
        ("", "mlx-community/Qwen3-8B-4bit", "mlx"),
        ("", "lmstudio-community/DeepSeek-R1-0528-Qwen3-8B-MLX-4bit", "mlx"),
        ("", "unsloth/llama-3-8b-bnb-4bit", "bnb-nf4"),
        ("", "tiiuae/Falcon3-7B-Instruct-1.58bit", "bitnet"),
        ("mxfp4", "openai/gpt-oss-20b", "mxfp4"),
        # the config's quant_method wins over the name
        ("awq", "someone/model-FP8", "int4-awq"),
    ],
)
def test_checkpoint_format_from_config_then_name(quant_method, repo_id, expected) -> None:
    assert checkpoint_format(quant_method, repo_id) == expected


def test_plan_precision_mask() -> None:
    assert plan_precision_mask(None, PLAN) == (True, True, True, True)
    assert plan_precision_mask("fp8", PLAN) == (False, True, False, False)
    assert plan_precision_mask("int4-awq", PLAN) == (False, False, False, True)
    assert plan_precision_mask("int8", PLAN) == (False, False, True, False)
    # formats without a plan column: the original repo is the candidate
    for stored in ("int4-gptq", "nvfp4", "gguf", "mlx", "bnb-nf4", "bitnet"):
        assert plan_precision_mask(stored, PLAN) == (False, False, False, False)
    # gpt-oss ships MXFP4 as its original weights: kept until MXFP4 has a plan column
    assert plan_precision_mask("mxfp4", PLAN) == (True, True, True, True)
