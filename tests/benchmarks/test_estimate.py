"""benchmarks.estimate: formats, dims, memory and fit rules, speed (no database).

Sizes and fits are checked against llama.cpp's own tables and published measurements
(benchmarks/data/published_runs.json, XiongjieDai/GPU-Benchmarks-on-LLM-Inference).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from benchmarks.estimate import (
    GIB,
    AcceleratorArrays,
    AcceleratorSpec,
    Efficiency,
    ModelArrays,
    ModelDims,
    decode_step,
    devices_needed,
    estimate_grid,
    estimate_memory,
    estimate_speed,
    fit_check,
    kv_cache_bytes,
    roofline_ratio,
    weight_bytes,
    weight_split,
)
from benchmarks.estimate.dims import expert_bytes_read, layer_kinds_of
from benchmarks.estimate.memory import offload_fraction
from benchmarks.estimate.speed import layers_of, overhead_layers

ROOT = Path(__file__).resolve().parents[2]

LLAMA3_8B = ModelDims(
    params_total=8_030_261_248,
    num_layers=32,
    hidden_size=4096,
    num_heads=32,
    num_kv_heads=8,
    head_dim=128,
    vocab_size=128256,
    intermediate_size=14336,
    context_tokens=8192,
    model_type="llama",
)
LLAMA3_70B = ModelDims(
    params_total=70_553_706_496,
    num_layers=80,
    hidden_size=8192,
    num_heads=64,
    num_kv_heads=8,
    head_dim=128,
    vocab_size=128256,
    intermediate_size=28672,
    model_type="llama",
)
LLAMA32_1B = ModelDims(
    params_total=1_235_814_400,
    num_layers=16,
    hidden_size=2048,
    num_heads=32,
    num_kv_heads=8,
    head_dim=64,
    vocab_size=128256,
    intermediate_size=8192,
)
DEEPSEEK_V3 = ModelDims(
    params_total=671_000_000_000,
    params_active=37_000_000_000,
    num_layers=61,
    hidden_size=7168,
    num_heads=128,
    kv_lora_rank=512,
    qk_rope_head_dim=64,
    num_experts=256,
    experts_per_token=8,
)
MIXTRAL = ModelDims(
    params_total=46_702_792_704,
    params_active=12_879_925_248,
    num_layers=32,
    hidden_size=4096,
    num_heads=32,
    num_kv_heads=8,
    head_dim=128,
    num_experts=8,
    experts_per_token=2,
    vocab_size=32000,
)
GPT_OSS_20B = ModelDims(
    params_total=20_914_757_184,
    params_active=3_610_000_000,
    num_layers=24,
    hidden_size=2880,
    num_heads=64,
    num_kv_heads=8,
    head_dim=64,
    num_experts=32,
    experts_per_token=4,
    vocab_size=201088,
    model_type="gpt_oss",
)
H100 = AcceleratorSpec("h100-sxm", "H100 SXM", 80, 3350, 989, 1979, 1979, 700, "datacenter")
RTX4090 = AcceleratorSpec("rtx-4090", "RTX 4090", 24, 1008, 165, 330, 660, 450, "consumer")
RTX4080 = AcceleratorSpec("rtx-4080", "RTX 4080", 16, 716.8, 97.5, 195, 390, 320, "consumer")
M3_MAX_48 = AcceleratorSpec("apple-m3-max-48gb", "M3 Max", 48, 400, 14, kind="apple")


# --- dims: tied embeddings, experts, KV by layer kind ------------------------------
def test_tied_embeddings_are_found_from_the_dims():
    assert weight_split(LLAMA32_1B).tied is True
    assert weight_split(LLAMA3_8B).tied is False


def test_moe_keeps_all_experts_resident_but_reads_only_the_routed_ones():
    split = weight_split(MIXTRAL)
    assert split.expert_size == pytest.approx((46.70e9 - 12.88e9) / 6, rel=0.01)
    w = weight_bytes(MIXTRAL, "bf16")
    assert w.total == pytest.approx(MIXTRAL.params_total * 2)
    assert w.read_per_token < 0.3 * w.total
    # a batch of 32 tokens touches (almost) every expert
    assert expert_bytes_read(w, 1) == pytest.approx(2 * w.expert_bytes)
    assert expert_bytes_read(w, 32) == pytest.approx(8 * w.expert_bytes, rel=0.001)


def test_a_moe_known_only_by_its_active_count_reads_its_active_share():
    # gemma-4 26B-A4B without its config: 26B resident, about 4B read per token
    dims = ModelDims(params_total=26_000_000_000, params_active=4_000_000_000)
    assert dims.is_moe
    assert dims.routing == (128, 8)
    w = weight_bytes(dims, "bf16")
    assert w.total == pytest.approx(52e9)
    assert w.read_per_token == pytest.approx(8e9, rel=0.01)
    assert not ModelDims(params_total=8_000_000_000).is_moe


def test_llama_cpp_compute_buffer_follows_its_ubatch():
    small = estimate_memory(LLAMA3_8B, "q4_k_m", 4096, engine="llama.cpp")
    large = estimate_memory(LLAMA3_8B, "q4_k_m", 4096, engine="llama.cpp", ubatch=2048)
    # logits of 2048 - 512 more tokens: 1536 × 4 B × (vocab + 4 × hidden)
    extra = 1536 * 4 * (128256 + 4 * 4096)
    assert large.total_bytes - small.total_bytes == pytest.approx(extra)


def test_llama3_8b_kv_cache_at_8k_fp16_is_one_gib():
    # 2 × 32 layers × 8 kv heads × 128 dim × 2 bytes × 8192 tokens = 2**30
    assert kv_cache_bytes(LLAMA3_8B, 8192, 1, "fp16") == GIB
    assert kv_cache_bytes(LLAMA3_8B, 8192, 4, "q8_0") == pytest.approx(4 * GIB * 8.5 / 16)


def test_deepseek_v3_mla_kv_is_latent_plus_rope_per_layer():
    assert kv_cache_bytes(DEEPSEEK_V3, 1000, 1, "bf16") == (512 + 64) * 2 * 61 * 1000


def test_layer_kinds_hold_window_chunk_or_nothing():
    dims = ModelDims(
        params_total=1,
        num_layers=4,
        num_heads=8,
        num_kv_heads=8,
        head_dim=64,
        layer_kinds=("sliding", "full", "chunked", "linear"),
        sliding_window=1024,
        attention_chunk_tokens=2048,
    )
    per = 2 * 8 * 64 * 2
    assert kv_cache_bytes(dims, 32768) == per * (1024 + 32768 + 2048)


def test_architecture_defaults_give_the_layout_when_layer_kinds_are_unknown():
    qwen35 = ModelDims(
        params_total=1,
        num_layers=8,
        num_heads=16,
        num_kv_heads=4,
        head_dim=256,
        model_type="qwen3_5",
    )
    assert layer_kinds_of(qwen35).count("full") == 2
    gemma3 = ModelDims(params_total=1, num_layers=12, model_type="gemma3")
    assert layer_kinds_of(gemma3).count("sliding") == 10


def test_nemotron_h_attends_in_one_layer_in_twelve_and_pays_per_mixer_pairs():
    # nvidia/Nemotron-H-56B-Base-8K: 118 layers, 10 of them attention ("*")
    nemotron = ModelDims(params_total=56_000_000_000, num_layers=118, num_heads=64,
                         num_kv_heads=8, head_dim=128, model_type="nemotron_h")  # fmt: skip
    assert layer_kinds_of(nemotron).count("full") == 10
    # its KV cache is that of 10 layers, not 118
    assert kv_cache_bytes(nemotron, 4096) == 10 * 4096 * 2 * 8 * 128 * 2
    # one Mamba-2 / attention layer + one MLP layer = one transformer layer of τ
    assert overhead_layers(nemotron) == 59
    dense = ModelDims(params_total=56_000_000_000, num_layers=118)
    assert overhead_layers(dense) == 118
    rtx3090 = AcceleratorSpec("rtx-3090", "RTX 3090", 24, 936, 71)
    eff = Efficiency(0.8, 0.45, 0.3, 25.0)
    hybrid = decode_step(nemotron, "q4_k_m", rtx3090, count=3, efficiency=eff)
    plain = decode_step(dense, "q4_k_m", rtx3090, count=3, efficiency=eff)
    assert plain.overhead_s - hybrid.overhead_s == pytest.approx(59 * 25e-6)


def test_a_moe_model_of_unknown_depth_gets_the_catalog_moe_rule_not_the_dense_one():
    # Qwen3.6-35B-A3B has 40 layers: the dense rule over its total would say 59
    moe = ModelDims(params_total=35_950_000_000, params_active=3_000_000_000)
    assert layers_of(moe) == 43
    assert layers_of(ModelDims(params_total=35_950_000_000)) == 59
    assert layers_of(ModelDims(params_total=8_000_000_000, num_layers=32)) == 32


def test_kv_cache_without_layer_or_head_counts_is_unknown_not_zero():
    bare = ModelDims(params_total=8_000_000_000)
    assert kv_cache_bytes(bare, 8192) is None
    memory = estimate_memory(bare, "bf16", 8192)
    assert memory.kv_known is False
    assert memory.kv_cache_bytes is None
    assert memory.total_bytes > 16e9  # a lower bound: weights + buffers


# --- memory and fit rules per engine -----------------------------------------------
def _published_runs() -> list[dict]:
    doc = json.loads((ROOT / "benchmarks/data/published_runs.json").read_text())
    return [
        r for r in doc["runs"] if r["kind"] != "prefill" and r["source"] == "xiongjiedai-llama3"
    ]


SPECS = {
    s["slug"]: s
    for s in json.loads((ROOT / "benchmarks/data/accelerators.json").read_text())["accelerators"]
}
MODELS = {
    "meta-llama/Meta-Llama-3-8B-Instruct": LLAMA3_8B,
    "meta-llama/Meta-Llama-3-70B-Instruct": LLAMA3_70B,
}


def _spec(slug: str) -> AcceleratorSpec:
    s = SPECS[slug]
    return AcceleratorSpec(
        slug,
        s["name"],
        s["memory_gib"],
        s["bandwidth_gbps"],
        s["bf16_tflops"],
        kind=s["kind"],
        vendor=s["vendor"],
        family=s["family"],
    )


@pytest.mark.parametrize(
    "run",
    _published_runs(),
    ids=lambda r: f"{r['count']}x{r['accelerator']}-{r['model'][-8:]}-{r['precision']}-{r['kind']}",
)
def test_llama_cpp_fit_rule_agrees_with_every_published_run_and_oom(run):
    spec = _spec(run["accelerator"])
    memory = estimate_memory(
        MODELS[run["model"]],
        run["precision"],
        1024,
        engine="llama.cpp",
        count=run["count"],
        apple=spec.unified,
    )
    assert fit_check(memory, spec, run["count"]).fits == (run["kind"] == "decode")


def test_8b_f16_fits_a_16_gb_card_only_at_short_context():
    short = estimate_memory(LLAMA3_8B, "gguf-f16", 2048, engine="llama.cpp")
    long = estimate_memory(LLAMA3_8B, "gguf-f16", 32768, engine="llama.cpp")
    assert fit_check(short, RTX4080, 1).fits
    assert not fit_check(long, RTX4080, 1).fits


def test_stated_gpu_counts_are_the_ones_people_run():
    rtx3090 = _spec("rtx-3090")
    n, _ = devices_needed(LLAMA3_70B, "q4_k_m", rtx3090, engine="llama.cpp", context_tokens=4096)
    assert n == 2  # XiongjieDai: 70B Q4_K_M on 2 × 3090
    n, _ = devices_needed(LLAMA3_70B, "int4-awq", rtx3090, engine="vllm", context_tokens=4096)
    assert n == 2  # 70B AWQ with --tensor-parallel-size 2
    n, _ = devices_needed(LLAMA3_70B, "bf16", rtx3090, engine="vllm", context_tokens=4096)
    assert n == 8  # 141 GB of weights over a power-of-two tensor-parallel group
    n, _ = devices_needed(LLAMA3_8B, "gguf-f16", RTX4080, engine="llama.cpp", context_tokens=1024)
    assert n == 1  # XiongjieDai: 8B F16 on one 4080


def test_apple_wires_three_quarters_of_large_unified_memory_and_never_splits():
    memory = estimate_memory(LLAMA3_70B, "q4_k_m", 1024, engine="llama.cpp", apple=True)
    assert not fit_check(memory, M3_MAX_48, 1).fits  # 39.6 GiB > 0.75 × 48
    assert not fit_check(memory, M3_MAX_48, 2).fits


def test_vllm_memory_pool_is_its_gpu_memory_utilization():
    memory = estimate_memory(LLAMA3_8B, "bf16", 8192, engine="vllm")
    fit = fit_check(memory, H100, 1)
    assert fit.fits
    assert fit.usable_gib_per_device == pytest.approx(80 * 0.9)


def test_offload_fraction_is_what_exceeds_the_devices_over_the_weights():
    memory = estimate_memory(LLAMA3_70B, "q4_k_m", 1024, engine="llama.cpp")
    off = offload_fraction(memory, RTX4090, 1)
    assert 0.35 < off < 0.5
    assert offload_fraction(estimate_memory(LLAMA3_8B, "q4_k_m", 1024), RTX4090) == 0.0


# --- speed -------------------------------------------------------------------------
def test_decode_of_8b_bf16_on_h100_is_bandwidth_bound_hand_computed():
    eff = Efficiency(bandwidth=0.8, layer_overhead_us=0.0)
    step = decode_step(LLAMA3_8B, "bf16", H100, engine="vllm", context_tokens=0, efficiency=eff)
    w = weight_bytes(LLAMA3_8B, "bf16")
    assert step.bound == "memory"
    assert step.step_s == pytest.approx((w.dense + w.head) / (3350e9 * 0.8))


def test_layer_split_adds_memory_not_speed_and_tensor_parallel_adds_bandwidth():
    eff = Efficiency(bandwidth=0.8, layer_overhead_us=20)
    one = estimate_speed(LLAMA3_8B, "q4_k_m", RTX4090, engine="llama.cpp", efficiency=eff)
    two = estimate_speed(LLAMA3_8B, "q4_k_m", RTX4090, engine="llama.cpp", count=2, efficiency=eff)
    assert two.decode_tokens_per_s_per_stream < one.decode_tokens_per_s_per_stream
    tp1 = estimate_speed(LLAMA3_70B, "bf16", H100, engine="vllm", count=1, efficiency=eff)
    tp4 = estimate_speed(LLAMA3_70B, "bf16", H100, engine="vllm", count=4, efficiency=eff)
    assert 2.5 < tp4.decode_tokens_per_s_per_stream / tp1.decode_tokens_per_s_per_stream < 4


def test_offloaded_weights_stream_at_host_bandwidth():
    fast = decode_step(LLAMA3_8B, "q4_k_m", RTX4090, context_tokens=512)
    slow = decode_step(LLAMA3_8B, "q4_k_m", RTX4090, context_tokens=512, offload_fraction=0.5)
    assert slow.memory_s > 5 * fast.memory_s


def test_throughput_at_load_pays_for_every_prefill():
    decode_only = estimate_speed(
        LLAMA3_8B, "bf16", H100, engine="vllm", concurrency=32, prompt_tokens=16, output_tokens=1024
    )
    heavy = estimate_speed(
        LLAMA3_8B,
        "bf16",
        H100,
        engine="vllm",
        concurrency=32,
        prompt_tokens=2048,
        output_tokens=128,
    )
    assert heavy.decode_tokens_per_s_total < 0.7 * decode_only.decode_tokens_per_s_total
    single = estimate_speed(LLAMA3_8B, "bf16", H100, engine="vllm")
    assert decode_only.decode_tokens_per_s_total > 10 * single.decode_tokens_per_s_total


def test_moe_decodes_at_active_speed():
    dense_like = estimate_speed(MIXTRAL, "bf16", H100, engine="vllm", efficiency=Efficiency())
    bound = H100.bandwidth_gbps * 1e9 * 0.7 / weight_bytes(MIXTRAL, "bf16").total
    assert dense_like.decode_tokens_per_s_per_stream > 2.5 * bound


def test_fp8_uses_the_fp8_tensor_rate_and_falls_back_to_bf16_without_it():
    a100 = AcceleratorSpec("a100", "A100", 80, 2039, 312, None, 624)
    assert H100.tflops_for("fp8") == 1979
    assert a100.tflops_for("fp8") == 312


def test_roofline_ratio_flags_impossible_figures():
    assert roofline_ratio(300, 100) == 3
    assert roofline_ratio(1, 0) == float("inf")


def test_grid_screen_agrees_with_the_fit_of_the_scalar_functions_at_bf16():
    specs = [H100, RTX4090]
    grid = estimate_grid(
        ModelArrays.from_dims([LLAMA3_8B, LLAMA3_70B]),
        AcceleratorArrays.from_specs(specs),
        ["bf16"],
    )
    assert grid.accelerators_needed[0, 0, 0] == 1
    assert grid.accelerators_needed[1, 1, 0] == 8  # as devices_needed with vLLM
    assert np.all(grid.decode_tokens_per_s_per_stream > 0)
