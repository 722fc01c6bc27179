"""The vectorized self-host grid agrees with the scalar estimator functions."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.estimate import (
    AcceleratorSpec,
    Efficiency,
    ModelDims,
    accelerators_needed,
    estimate_memory,
    estimate_throughput,
)
from planner.selfhost import PLAN_PRECISIONS, Host, best_precision, host_grid

LLAMA_8B = ModelDims(
    params_total=8_030_261_248, num_layers=32, hidden_size=4096, num_heads=32, num_kv_heads=8,
    head_dim=128, context_tokens=131072,
)  # fmt: skip
LLAMA_70B = ModelDims(
    params_total=70_553_706_496, num_layers=80, hidden_size=8192, num_heads=64, num_kv_heads=8,
    head_dim=128, context_tokens=131072,
)  # fmt: skip
H100 = AcceleratorSpec("h100-sxm", "H100", 80, 3350, 989, 1979, 1979, 700)
RTX4090 = AcceleratorSpec("rtx-4090", "RTX 4090", 24, 1008, 165, 330, 330, 450, "consumer")
M3 = AcceleratorSpec("apple-m3-max", "M3 Max", 128, 400, 28, kind="apple")


@pytest.mark.parametrize("concurrency", [1, 4])
def test_grid_cells_match_estimate_throughput_and_memory(concurrency: int) -> None:
    eff = Efficiency(bandwidth=0.6)
    hosts = [Host(H100, 1, eff), Host(H100, 2, eff), Host(RTX4090, 1), Host(M3, 1)]
    grid = host_grid([LLAMA_8B, LLAMA_70B], hosts, prompt_tokens=512, output_tokens=128,
                     peak_concurrency=concurrency)  # fmt: skip
    for mi, dims in enumerate([LLAMA_8B, LLAMA_70B]):
        for ki, host in enumerate(hosts):
            for pi, precision in enumerate(PLAN_PRECISIONS):
                memory = estimate_memory(dims, precision, 640)
                needed = accelerators_needed(memory, host.spec, max_count=host.count)
                assert grid.fits[mi, ki, pi] == (needed is not None), (mi, ki, precision)
                if not grid.fits[mi, ki, pi]:
                    continue
                conc = int(grid.concurrency[mi, ki, pi])
                est = estimate_throughput(dims, precision, host.spec, host.count, conc,
                                          512, 128, host.efficiency)  # fmt: skip
                assert grid.decode_tokens_per_s_total[mi, ki, pi] == pytest.approx(
                    est.decode_tokens_per_s_total
                )
                assert grid.ttft_s[mi, ki, pi] == pytest.approx(est.ttft_s)


def test_concurrency_is_capped_by_the_memory_left_for_kv() -> None:
    grid = host_grid([LLAMA_8B], [Host(RTX4090, 1)], ["bf16"], prompt_tokens=8000,
                     output_tokens=0, peak_concurrency=64)  # fmt: skip
    # 24 GiB × 0.9 − 1 GiB − 8.03e9 × 2 × 1.05 B ≈ 4.9 GiB free; 8000 tokens of KV is
    # 8000 × 32 layers × 2 × 8 × 128 × 2 B ≈ 0.98 GiB -> 5 sequences
    assert int(grid.concurrency[0, 0, 0]) == 5


def test_best_precision_prefers_the_widest_among_the_fewest_instances() -> None:
    fits = np.array([[[False, True, True, True]]])
    ok = np.array([[[True, True, False, True]]])
    instances = np.array([[[1, 2, 1, 2]]])
    assert best_precision(fits, ok, instances).tolist() == [[[False, True, False, False]]]
    none_ok = np.zeros_like(ok)
    assert best_precision(fits, none_ok, instances).tolist() == [[[False, True, False, False]]]
