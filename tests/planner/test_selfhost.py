"""The vectorized self-host grid agrees with the scalar engine-aware estimator."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.estimate import (
    AcceleratorSpec,
    Efficiency,
    ModelDims,
    decode_step,
    estimate_memory,
    fit_check,
)
from planner.engine.options import PLAN_PRECISIONS, Host, best_precision, host_grid

LLAMA_8B = ModelDims(
    params_total=8_030_261_248,
    num_layers=32,
    hidden_size=4096,
    num_heads=32,
    num_kv_heads=8,
    head_dim=128,
    context_tokens=131072,
    vocab_size=128256,
)
LLAMA_70B = ModelDims(
    params_total=70_553_706_496,
    num_layers=80,
    hidden_size=8192,
    num_heads=64,
    num_kv_heads=8,
    head_dim=128,
    context_tokens=131072,
    vocab_size=128256,
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
H100 = AcceleratorSpec("h100-sxm", "H100", 80, 3350, 989, 1979, 1979, 700, "datacenter")
RTX4090 = AcceleratorSpec("rtx-4090", "RTX 4090", 24, 1008, 165, 330, 330, 450, "consumer")
M3 = AcceleratorSpec("apple-m3-max", "M3 Max", 128, 400, 28, kind="apple")


@pytest.mark.parametrize("concurrency", [1, 4])
def test_grid_cells_match_the_engine_aware_scalar_estimate(concurrency: int) -> None:
    eff = Efficiency(bandwidth=0.6, layer_overhead_us=20.0)
    hosts = [Host(H100, 1, eff), Host(H100, 2, eff), Host(RTX4090, 1), Host(M3, 1)]
    models = [LLAMA_8B, LLAMA_70B, MIXTRAL]
    grid = host_grid(
        models, hosts, prompt_tokens=512, output_tokens=128, peak_concurrency=concurrency
    )
    for mi, dims in enumerate(models):
        for ki, host in enumerate(hosts):
            for pi, precision in enumerate(PLAN_PRECISIONS):
                memory = estimate_memory(
                    dims,
                    precision,
                    640,
                    engine=host.engine,
                    count=host.count,
                    apple=host.spec.unified,
                )
                fits = fit_check(memory, host.spec, host.count).fits
                assert grid.fits[mi, ki, pi] == fits, (mi, ki, precision)
                if not fits:
                    continue
                conc = int(grid.concurrency[mi, ki, pi])
                step = decode_step(
                    dims,
                    precision,
                    host.spec,
                    engine=host.engine,
                    count=host.count,
                    batch=conc,
                    context_tokens=512 + 64,
                    efficiency=host.efficiency,
                )
                assert grid.decode_tokens_per_s_total[mi, ki, pi] == pytest.approx(
                    conc / step.step_s
                )


def test_concurrency_is_capped_by_the_memory_left_for_kv() -> None:
    grid = host_grid(
        [LLAMA_8B],
        [Host(RTX4090, 1)],
        ["bf16"],
        prompt_tokens=8000,
        output_tokens=0,
        peak_concurrency=64,
    )
    # vLLM pool 0.9 × 24 GiB − buffers (1 GiB + 8192 × 16 × 4096 B = 1.5 GiB) − 16.06 GB of
    # weights ≈ 5.2 GiB for KV; 8000 tokens of KV is 8000 × 32 × 2 × 8 × 128 × 2 B ≈ 0.98 GiB
    assert int(grid.concurrency[0, 0, 0]) == 5


def test_a_model_whose_kv_cache_is_unknown_is_served_one_stream_at_a_time() -> None:
    bare = ModelDims(params_total=8_000_000_000)
    grid = host_grid(
        [bare], [Host(H100, 1)], ["bf16"], prompt_tokens=512, output_tokens=128, peak_concurrency=32
    )
    assert int(grid.concurrency[0, 0, 0]) == 1
    assert bool(grid.fits[0, 0, 0])


def test_best_precision_prefers_the_widest_among_the_fewest_instances() -> None:
    fits = np.array([[[False, True, True, True]]])
    ok = np.array([[[True, True, False, True]]])
    instances = np.array([[[1, 2, 1, 2]]])
    assert best_precision(fits, ok, instances).tolist() == [[[False, True, False, False]]]
    none_ok = np.zeros_like(ok)
    assert best_precision(fits, none_ok, instances).tolist() == [[[False, True, False, False]]]


GEMMA_SLIDING = ModelDims(
    params_total=9_241_705_984,
    num_layers=42,
    hidden_size=3584,
    num_heads=16,
    num_kv_heads=8,
    head_dim=256,
    sliding_window=4096,
    layer_kinds=("sliding", "full") * 21,
    vocab_size=256000,
)
LINEAR_ONLY = ModelDims(params_total=1_000_000_000, num_layers=4, layer_kinds=("linear",) * 4)
NO_DIMS = ModelDims(params_total=3_000_000_000)


@pytest.mark.parametrize("tokens", [512, 4096, 9000, 131072])
def test_dims_columns_kv_bytes_is_the_estimators(tokens: int) -> None:
    from benchmarks.estimate.dims import kv_cache_bytes
    from planner.engine.options import DimsColumns

    models = [LLAMA_8B, MIXTRAL, GEMMA_SLIDING, LINEAR_ONLY, NO_DIMS]
    cols = DimsColumns.from_dims(models)
    got = cols.kv_bytes(tokens)
    for i, d in enumerate(models):
        want = kv_cache_bytes(d, tokens)
        assert bool(cols.kv_known[i]) == (want is not None)
        assert got[i] == (want or 0.0)


def test_grid_on_taken_columns_equals_the_grid_on_those_models() -> None:
    """The planner takes the passing models' rows of the cached columns: the same cells,
    bit for bit, as a grid built from those models' dims."""
    from planner.engine.options import DimsColumns

    hosts = [Host(H100, 1), Host(H100, 2), Host(RTX4090, 1), Host(M3, 1)]
    models = [LLAMA_8B, LLAMA_70B, MIXTRAL, GEMMA_SLIDING, NO_DIMS]
    cols = DimsColumns.from_dims(models)
    cols.buffers("vllm", False)  # computed on the source before the take, and after
    picked = [3, 0, 2]
    kw = {"prompt_tokens": 800, "output_tokens": 300, "peak_concurrency": 8}
    taken = host_grid(cols.take(picked), hosts, **kw)
    direct = host_grid([models[i] for i in picked], hosts, **kw)
    for name in taken.__dataclass_fields__:
        np.testing.assert_array_equal(getattr(taken, name), getattr(direct, name))
