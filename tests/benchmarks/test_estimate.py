"""benchmarks.estimate: hand-computed cases and published figures (no database)."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.estimate import (
    GIB,
    PRECISIONS,
    AcceleratorArrays,
    AcceleratorSpec,
    Efficiency,
    MeasuredRun,
    ModelArrays,
    ModelDims,
    Overhead,
    UnknownPrecision,
    accelerators_needed,
    calibrate_efficiency,
    estimate_grid,
    estimate_kv_cache_bytes,
    estimate_memory,
    estimate_throughput,
)

LLAMA3_8B = ModelDims(
    params_total=8_030_261_248, num_layers=32, hidden_size=4096, num_heads=32,
    num_kv_heads=8, head_dim=128, context_tokens=8192,
)  # fmt: skip
LLAMA3_70B = ModelDims(
    params_total=70_553_706_496, num_layers=80, hidden_size=8192, num_heads=64,
    num_kv_heads=8, head_dim=128,
)  # fmt: skip
DEEPSEEK_V3 = ModelDims(
    params_total=671_000_000_000, params_active=37_000_000_000, num_layers=61,
    hidden_size=7168, num_heads=128, kv_lora_rank=512, qk_rope_head_dim=64,
    num_experts=256, experts_per_token=8,
)  # fmt: skip
MIXTRAL = ModelDims(
    params_total=46_702_792_704, params_active=12_879_925_248, num_layers=32,
    hidden_size=4096, num_heads=32, num_kv_heads=8, head_dim=128, num_experts=8,
    experts_per_token=2,
)  # fmt: skip
H100 = AcceleratorSpec("h100-sxm", "H100 SXM", 79.6, 3350, 989, 1979, 1979, 700)
A100_40 = AcceleratorSpec("a100-sxm-40gb", "A100 40GB", 40, 1555, 312, None, 624, 400)
M2_ULTRA = AcceleratorSpec("m2-ultra", "M2 Ultra", 192, 800, 27.2, kind="apple")
NO_OVERHEAD = Overhead(per_device_gib=0, activation_fraction=0)


def test_all_contract_precisions_exist_with_bits_and_compute_dtype():
    expected = {"fp32", "bf16", "fp16", "fp8", "int8", "int4-awq", "int4-gptq", "q8_0",
                "q6_k", "q5_k_m", "q4_k_m", "q3_k_m", "q2_k"}  # fmt: skip
    assert set(PRECISIONS) == expected
    assert PRECISIONS["bf16"].bits_per_weight == 16
    assert PRECISIONS["fp8"].compute_dtype == "fp8"
    assert 4.0 < PRECISIONS["int4-awq"].bits_per_weight < 4.3  # group-128 scales + zeros


@pytest.mark.parametrize(
    ("params", "precision", "low_gb", "high_gb"),
    [
        (8_000_000_000, "bf16", 15.9, 16.1),  # 8B × 2 bytes ≈ 16 GB
        (70_000_000_000, "q4_k_m", 41.5, 43.5),  # Llama-3-70B Q4_K_M GGUF is ≈ 42.5 GB
        (8_000_000_000, "fp32", 31.9, 32.1),
        (8_000_000_000, "fp8", 7.9, 8.1),
        (7_000_000_000, "q8_0", 7.4, 7.5),  # 8.5 bpw
        (70_000_000_000, "int4-awq", 36.0, 37.0),  # 4 bits + g128 scales ≈ 36.4 GB
    ],
)
def test_weights_bytes_match_published_sizes(params, precision, low_gb, high_gb):
    mem = estimate_memory(ModelDims(params_total=params), precision, context_tokens=0)
    assert low_gb * 1e9 <= mem.weights_bytes <= high_gb * 1e9


def test_llama3_8b_kv_cache_at_8k_fp16_is_one_gib():
    # 2 × 32 layers × 8 kv heads × 128 dim × 2 bytes × 8192 tokens = 2**30
    assert estimate_kv_cache_bytes(LLAMA3_8B, 8192, 1, "fp16") == GIB


def test_kv_cache_scales_with_batch_and_kv_precision():
    assert estimate_kv_cache_bytes(LLAMA3_8B, 8192, 4, "fp8") == 2 * GIB


def test_deepseek_v3_mla_kv_is_latent_plus_rope_per_layer():
    # (512 + 64) × 61 layers × 2 bytes = 70,272 bytes per token
    assert estimate_kv_cache_bytes(DEEPSEEK_V3, 1, 1, "bf16") == 70_272
    at_128k = estimate_kv_cache_bytes(DEEPSEEK_V3, 131_072, 1, "bf16")
    assert at_128k / GIB == pytest.approx(8.578, abs=0.001)


def test_sliding_window_caps_tokens_only_on_windowed_layers():
    # Mistral-7B-v0.1 style: all 32 layers windowed at 4096 tokens.
    mistral = ModelDims(7_241_732_096, num_layers=32, num_heads=32, num_kv_heads=8,
                        head_dim=128, sliding_window=4096)  # fmt: skip
    per_token = 2 * 32 * 8 * 128 * 2
    assert estimate_kv_cache_bytes(mistral, 32_768) == per_token * 4096
    assert estimate_kv_cache_bytes(mistral, 1000) == per_token * 1000
    # Gemma-style: 5 of 6 layers windowed at 1024; 1 layer keeps the whole context.
    gemma = ModelDims(1, num_layers=6, num_heads=4, num_kv_heads=1, head_dim=256,
                      sliding_window=1024, sliding_window_layers=5)  # fmt: skip
    layer_token = 2 * 1 * 256 * 2
    assert estimate_kv_cache_bytes(gemma, 32_768) == layer_token * (5 * 1024 + 32_768)


def test_mixtral_keeps_all_experts_in_memory_but_decodes_at_active_speed():
    mem = estimate_memory(MIXTRAL, "bf16", 0, overhead=NO_OVERHEAD)
    assert mem.weights_bytes == MIXTRAL.params_total * 2
    dense_active = ModelDims(MIXTRAL.params_active, num_layers=32, num_heads=32,
                             num_kv_heads=8, head_dim=128)  # fmt: skip
    moe = estimate_throughput(MIXTRAL, "bf16", H100)
    dense = estimate_throughput(dense_active, "bf16", H100)
    assert moe.decode_tokens_per_s_per_stream == pytest.approx(dense.decode_tokens_per_s_per_stream)


def test_overhead_is_fixed_per_device_plus_activation_fraction():
    overhead = Overhead(per_device_gib=1.0, activation_fraction=0.05)
    mem = estimate_memory(LLAMA3_8B, "bf16", 8192, kv_precision="fp16", overhead=overhead)
    weights = LLAMA3_8B.params_total * 2
    assert mem.overhead_bytes == pytest.approx(GIB + 0.05 * weights)
    assert mem.total_bytes == pytest.approx(weights + GIB + GIB + 0.05 * weights)


@pytest.mark.parametrize(
    ("dims", "precision", "accel", "expected"),
    [
        (LLAMA3_8B, "bf16", H100, 1),
        # 70B bf16: (141.1 GB × 1.05 + KV) / 2 + 1 GiB = 70.5 GiB ≤ 0.9 × 79.6 = 71.6 GiB
        (LLAMA3_70B, "bf16", H100, 2),
        # on 40 GiB: /4 = 35.6 GiB ≤ 36 GiB
        (LLAMA3_70B, "bf16", A100_40, 4),
        (ModelDims(405_000_000_000), "fp8", H100, 8),
        (ModelDims(405_000_000_000), "bf16", H100, None),  # 850 GB > 8 × 71.6 GiB
        (LLAMA3_70B, "q4_k_m", M2_ULTRA, 1),
    ],
)
def test_accelerators_needed_splits_weights_across_tensor_parallel_devices(
    dims, precision, accel, expected
):
    mem = estimate_memory(dims, precision, context_tokens=4096)
    assert accelerators_needed(mem, accel) == expected


def test_apple_unified_memory_is_capped_at_three_quarters():
    # 100B × 8.5 bits = 98.95 GiB; × 1.05 + 1 GiB = 104.9 GiB > 0.75 × 128 GiB = 96 GiB
    mem = estimate_memory(ModelDims(100_000_000_000), "q8_0", 0)
    m2_128 = AcceleratorSpec("m", "M", 128, 800, 27, kind="apple")
    assert accelerators_needed(mem, m2_128) is None
    assert accelerators_needed(mem, m2_128, unified_memory_fraction=0.9) == 1


def test_decode_of_8b_bf16_on_h100_is_bandwidth_bound_hand_computed():
    est = estimate_throughput(LLAMA3_8B, "bf16", H100, prompt_tokens=512, output_tokens=128)
    # bytes/step = 8.03e9 × 2 + KV(576 tokens) = 16,060,522,496 + 75,497,472
    step_s = (16_060_522_496 + 75_497_472) / (3350e9 * 0.7)
    assert est.bound == "memory"
    assert est.decode_tokens_per_s_per_stream == pytest.approx(1 / step_s)
    assert 120 < est.decode_tokens_per_s_per_stream < 160  # vLLM reports ~130-150 tok/s
    # prefill = 989e12 × 0.5 / (2 × 8.03e9) ≈ 30.8k tokens/s; TTFT(512) ≈ 16.6 ms
    assert est.prefill_tokens_per_s == pytest.approx(989e12 * 0.5 / (2 * LLAMA3_8B.params_total))
    assert est.ttft_s == pytest.approx(512 / est.prefill_tokens_per_s)


def test_high_concurrency_turns_decode_compute_bound_and_raises_total_throughput():
    one = estimate_throughput(LLAMA3_8B, "bf16", H100, concurrency=1)
    many = estimate_throughput(LLAMA3_8B, "bf16", H100, concurrency=256, prompt_tokens=64,
                               output_tokens=64)  # fmt: skip
    assert many.bound == "compute"
    assert many.decode_tokens_per_s_total > 10 * one.decode_tokens_per_s_total
    assert many.decode_tokens_per_s_per_stream < one.decode_tokens_per_s_per_stream


def test_fp8_uses_the_fp8_tensor_rate_and_falls_back_to_bf16_without_it():
    assert H100.tflops_for("fp8") == 1979
    assert A100_40.tflops_for("fp8") == 312
    assert A100_40.tflops_for("int8") == 624


def test_unknown_precision_is_an_error():
    with pytest.raises(UnknownPrecision):
        estimate_memory(LLAMA3_8B, "q1_xs", 10)


def test_calibration_recovers_the_efficiency_that_produced_the_runs():
    truth = Efficiency(bandwidth=0.55, prefill_mfu=0.3, decode_mfu=0.2)
    runs = []
    for dims, conc in [(LLAMA3_8B, 1), (MIXTRAL, 1), (LLAMA3_8B, 2048)]:
        est = estimate_throughput(dims, "bf16", H100, concurrency=conc, prompt_tokens=32,
                                  output_tokens=32, efficiency=truth)  # fmt: skip
        runs.append(MeasuredRun(dims, "bf16", H100, concurrency=conc, prompt_tokens=32,
                                output_tokens=32,
                                decode_tokens_per_s_per_stream=est.decode_tokens_per_s_per_stream,
                                prefill_tokens_per_s=est.prefill_tokens_per_s))  # fmt: skip
    got = calibrate_efficiency(runs)
    assert got.bandwidth == pytest.approx(0.55)
    assert got.prefill_mfu == pytest.approx(0.3)
    assert got.decode_mfu == pytest.approx(0.2)


def test_calibration_without_runs_keeps_defaults():
    assert calibrate_efficiency([]) == Efficiency()


def test_grid_matches_the_scalar_functions():
    dims = [LLAMA3_8B, LLAMA3_70B, DEEPSEEK_V3, MIXTRAL, ModelDims(1_000_000_000)]
    accels = [H100, A100_40, M2_ULTRA]
    precs = ["bf16", "fp8", "q4_k_m"]
    models, accel_arrays = ModelArrays.from_dims(dims), AcceleratorArrays.from_specs(accels)
    grid = estimate_grid(models, accel_arrays, precs, context_tokens=4096, prompt_tokens=512)
    for i, d in enumerate(dims):
        for k, p in enumerate(precs):
            mem = estimate_memory(d, p, 4096)
            assert grid.total_bytes[i, k] == pytest.approx(mem.total_bytes)
            for j, a in enumerate(accels):
                assert grid.accelerators_needed[i, j, k] == (accelerators_needed(mem, a) or 0)
                est = estimate_throughput(d, p, a)
                assert grid.decode_tokens_per_s_per_stream[i, j, k] == pytest.approx(
                    est.decode_tokens_per_s_per_stream
                )
                assert grid.prefill_tokens_per_s[i, j, k] == pytest.approx(est.prefill_tokens_per_s)
    assert isinstance(grid.accelerators_needed, np.ndarray)
