"""The longest context that still fits (pure).

Memory grows monotonically with the context (weights are fixed; the KV cache is linear in
tokens, sliding-window and chunked layers cap theirs; the engine's buffers grow with the
prompt), so the longest context that fits is found by bisection on the same memory
formula and fit rule as one estimate (memory.estimate_memory, memory.fit_check).
"""

from __future__ import annotations

from benchmarks.estimate.dims import ModelDims
from benchmarks.estimate.memory import AcceleratorSpec, estimate_memory, fit_check

SEARCH_CEILING = 1_048_576  # when the model states no context length of its own
GRANULE = 256  # answer to the nearest 256 tokens


def longest_context(
    dims: ModelDims,
    precision: str,
    spec: AcceleratorSpec,
    *,
    engine: str,
    count: int,
    floor: int,
    ceiling: int | None,
) -> int | None:
    """The longest context in [floor, ceiling] (ceiling: the model's own limit, else
    SEARCH_CEILING) that fits on `count` × `spec` with `engine`; None when the KV cache
    is unknown (no architecture) or `floor` itself does not fit."""

    def fits(tokens: int) -> bool | None:
        memory = estimate_memory(
            dims, precision, tokens, engine=engine, count=count, apple=spec.unified
        )
        if not memory.kv_known:
            return None
        return fit_check(memory, spec, count).fits

    top = ceiling or SEARCH_CEILING
    if floor > top:
        floor = top
    ok = fits(floor)
    if not ok:
        return None
    if fits(top):
        return top
    low, high = floor, top  # fits(low), not fits(high)
    while high - low > GRANULE:
        mid = (low + high) // 2
        if fits(mid):
            low = mid
        else:
            high = mid
    return low
