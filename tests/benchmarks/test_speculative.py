"""benchmarks.estimate.speculative, offload plans, CPU hosts and per-layer embeddings (no DB).

Speculative figures are checked against a published A/B: sudoingX/qwen38-mtp (Apache-2.0),
Qwen3.8-27B Q4_K_M on one RTX 4090 with llama.cpp, 47.7 tok/s plain and 76.3 with
`--spec-type draft-mtp --spec-draft-n-max 2` at 0.56 draft acceptance.
"""

from __future__ import annotations

import pytest

from benchmarks.estimate import (
    AcceleratorSpec,
    CalibrationSet,
    Efficiency,
    ModelDims,
    Observation,
    decode_step,
    estimate_memory,
    weight_bytes,
)
from benchmarks.estimate.engines import CPU_DEFAULTS, engine_get
from benchmarks.estimate.memory import Offload, device_class, offload_plan
from benchmarks.estimate.speculative import (
    Speculation,
    fit_step_overhead,
    implied_step_overhead,
    speculative_tokens_per_s,
    step_seconds,
    tokens_per_step,
)

RTX4090 = AcceleratorSpec("rtx-4090", "RTX 4090", 24, 1008, 165.2, kind="consumer",
                          vendor="nvidia", family="nvidia-ada")  # fmt: skip
RTX4070 = AcceleratorSpec("rtx-4070", "RTX 4070", 12, 504, 58.0, kind="consumer",
                          vendor="nvidia", family="nvidia-ada")  # fmt: skip
RYZEN = AcceleratorSpec("cpu-ryzen-7-7840hs", "Ryzen 7 7840HS", 32, 89.6, 2.0, kind="cpu",
                        vendor="amd", family="cpu")  # fmt: skip
QWEN36_27B = ModelDims(params_total=27_781_427_952, num_layers=64, hidden_size=5120,
                       num_heads=24, num_kv_heads=4, head_dim=256, vocab_size=248320,
                       intermediate_size=17408, model_type="qwen3_5")  # fmt: skip
QWEN36_35B_A3B = ModelDims(params_total=35_951_822_704, params_active=3_000_000_000,
                           num_layers=40, hidden_size=2048, num_heads=16, num_kv_heads=2,
                           head_dim=256, vocab_size=248320, num_experts=256,
                           experts_per_token=8, model_type="qwen3_5_moe")  # fmt: skip
GEMMA4_E2B = ModelDims(params_total=5_123_178_051, num_layers=35, hidden_size=1536,
                       num_heads=8, num_kv_heads=1, head_dim=256, vocab_size=262144,
                       intermediate_size=6144, model_type="gemma4")  # fmt: skip
EFF = Efficiency(bandwidth=0.8, layer_overhead_us=20.0)


def test_tokens_per_step_follows_leviathan_and_a_stated_ratio():
    assert tokens_per_step(Speculation("mtp", draft_tokens=2, acceptance=0.5)) == pytest.approx(
        1.75
    )  # (1 - 0.5^3) / (1 - 0.5)
    assert tokens_per_step(Speculation("mtp", draft_tokens=2, accepted_ratio=0.56)) == 2.12
    assert Speculation("dflash").k == 16
    assert Speculation("dflash").assumed


def test_verifying_more_tokens_reads_more_experts_of_a_moe_model_not_of_a_dense_one():
    def step(dims, tokens):
        return decode_step(dims, "q4_k_m", RTX4090, context_tokens=300, efficiency=EFF,
                           tokens_per_sequence=tokens).memory_s  # fmt: skip

    assert step(QWEN36_27B, 3) == pytest.approx(step(QWEN36_27B, 1))
    assert step(QWEN36_35B_A3B, 3) > 1.6 * step(QWEN36_35B_A3B, 1)  # 24 of 256 experts, not 8


def test_mtp_on_the_published_4090_row_within_a_fifth_with_the_fitted_overhead():
    spec = Speculation("mtp", draft_tokens=2, accepted_ratio=0.56)
    parts = step_seconds(QWEN36_27B, "q4_k_m", RTX4090, spec, context_tokens=230, efficiency=EFF)
    omega = implied_step_overhead(76.3, spec, parts)
    assert 0.0 < omega < 1.5  # verify + MTP head reads explain most of the step
    fitted = fit_step_overhead([omega])
    rate = speculative_tokens_per_s(QWEN36_27B, "q4_k_m", RTX4090, spec, context_tokens=230,
                                    efficiency=EFF, step_overhead=fitted)  # fmt: skip
    assert rate == pytest.approx(76.3, rel=0.01)
    assert fit_step_overhead([]) == pytest.approx(0.3)  # the default without trusted runs
    assert fit_step_overhead([0.2, 0.5, 9.0]) == 0.5  # the median, clamped to [0, 3]


def test_llama_cpp_offloads_experts_first_ollama_whole_layers():
    memory = estimate_memory(QWEN36_35B_A3B, "q4_k_m", 4096, engine="llama.cpp")
    w = weight_bytes(QWEN36_35B_A3B, "q4_k_m")
    experts = w.expert_bytes * w.num_experts
    plan = offload_plan(memory, experts, RTX4070, experts_first=True)
    assert plan.layers == 0.0
    assert 0.3 < plan.experts < 0.7
    ollama = estimate_memory(QWEN36_35B_A3B, "q4_k_m", 4096, engine="ollama")
    assert offload_plan(ollama, experts, RTX4070).experts == 0.0
    assert offload_plan(ollama, experts, RTX4070).layers > 0.3
    fits = estimate_memory(QWEN36_27B, "iq2_xxs", 4096, engine="llama.cpp")
    assert offload_plan(fits, 0.0, RTX4090, experts_first=True) == Offload()
    # experts in host memory cost a token only the experts it routes to
    on_cpu = decode_step(QWEN36_35B_A3B, "q4_k_m", RTX4070, efficiency=EFF,
                         host_expert_fraction=plan.experts).step_s  # fmt: skip
    layers = decode_step(QWEN36_35B_A3B, "q4_k_m", RTX4070, efficiency=EFF,
                         offload_fraction=plan.experts).step_s  # fmt: skip
    assert on_cpu < layers


def test_cpu_hosts_have_their_own_defaults_and_never_pool_with_gpus():
    assert device_class(RYZEN) == "cpu"
    assert device_class(RTX4090) == "gpu"
    assert engine_get("llama.cpp").defaults_for("cpu") == CPU_DEFAULTS
    gpu_runs = [
        Observation(f"g{i}", QWEN36_27B, "q4_k_m", RTX4090, "llama.cpp", decode_tokens_per_s=45.0)
        for i in range(6)
    ]
    calib = CalibrationSet.build(gpu_runs)
    assert calib.for_accelerator("llama.cpp", RTX4090).calibrated
    on_cpu = calib.for_accelerator("llama.cpp", RYZEN)
    assert on_cpu.level == "default"
    assert on_cpu.efficiency == CPU_DEFAULTS
    assert "CPU hosts" in on_cpu.group


def test_per_layer_embeddings_are_resident_but_not_streamed():
    w = weight_bytes(GEMMA4_E2B, "bf16")
    assert w.total / 2 > 4.5e9  # every parameter is resident
    assert 1.4e9 < w.read_per_token / 2 < 1.9e9  # ~1.6B read per token: blocks + tied head
