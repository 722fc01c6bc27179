"""benchmarks.estimate.formats: sizes against llama.cpp's own tables and published files."""

from __future__ import annotations

import pytest

from benchmarks.estimate import GIB, UnknownPrecision, precision_get, precision_key, weight_bytes
from tests.benchmarks.test_estimate import GPT_OSS_20B, LLAMA3_8B, LLAMA3_70B, LLAMA32_1B


# --- formats: llama.cpp's own table (tools/quantize QUANT_OPTIONS, GiB @ Llama-3-8B) ----
@pytest.mark.parametrize(
    ("key", "gib"),
    [
        ("q4_0", 4.34),
        ("q4_1", 4.78),
        ("q5_0", 5.21),
        ("q5_1", 5.65),
        ("q2_k", 2.96),
        ("q3_k_s", 3.41),
        ("q3_k_m", 3.74),
        ("q3_k_l", 4.03),
        ("q4_k_s", 4.37),
        ("q4_k_m", 4.58),
        ("q5_k_s", 5.21),
        ("q5_k_m", 5.33),
        ("q6_k", 6.14),
        ("q8_0", 7.96),
    ],
)
def test_gguf_sizes_reproduce_llama_cpp_quantize_table_for_llama3_8b(key, gib):
    assert weight_bytes(LLAMA3_8B, key).total / GIB == pytest.approx(gib, rel=0.005)


@pytest.mark.parametrize(
    ("key", "gib"),
    [("q4_k_m", 39.60), ("q8_0", 69.83), ("iq4_xs", 35.30), ("iq2_xxs", 17.79), ("q4_k_s", 37.58)],
)
def test_gguf_sizes_match_published_llama3_70b_files(key, gib):
    # llama.cpp PR #6745 (dranger003), quoted in the XiongjieDai README
    assert weight_bytes(LLAMA3_70B, key).total / GIB == pytest.approx(gib, rel=0.01)


@pytest.mark.parametrize(
    ("raw", "gguf", "key"),
    [
        ("Q4_K_M", True, "q4_k_m"),
        ("UD-Q4_K_XL", True, "q4_k_m"),
        ("IQ4_XS", True, "iq4_xs"),
        ("Q4_0", True, "q4_0"),
        ("F16", True, "gguf-f16"),
        ("MXFP4", True, "mxfp4_moe"),
        ("AWQ", False, "int4-awq"),
        ("GPTQ", False, "int4-gptq"),
        ("bfloat16", False, "bf16"),
        ("4bit", False, "mlx-4bit"),
        ("NVFP4", False, "nvfp4"),
        ("FP8", False, "fp8"),
        ("MQ4", False, "mq4"),  # hipfire's 4-bit, group 256
        ("JANGTQ", False, None),
    ],
)
def test_format_names_as_engines_and_files_spell_them(raw, gguf, key):
    assert precision_key(raw, gguf=gguf) == key


def test_mlx_4bit_costs_half_a_bit_per_weight_for_scales_and_biases():
    assert precision_get("mlx-4bit").bits_per_weight == 4.5
    assert precision_get("mlx-8bit").embedding_bits == 8.5


def test_gpt_oss_mxfp4_keeps_attention_bf16_and_experts_at_4_25_bits():
    # the gpt-oss-20b checkpoint is 13.8 GB on the Hub
    assert 12.8e9 < weight_bytes(GPT_OSS_20B, "mxfp4").total < 14.5e9


def test_awq_keeps_embedding_and_lm_head_in_16_bit():
    w = weight_bytes(LLAMA32_1B, "int4-awq")
    assert w.head == pytest.approx(128256 * 2048 * 2)


def test_unknown_precision_is_an_error():
    with pytest.raises(UnknownPrecision):
        precision_get("int3-magic")
