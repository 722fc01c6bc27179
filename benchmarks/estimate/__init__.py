"""Memory and throughput estimates for running a model on accelerators (pure; numpy only).

Units: bytes, GiB (2**30 bytes), GB/s (1e9 bytes/s), TFLOP/s (1e12 FLOP/s), seconds.

Formulas (ARCHITECTURE.md "The math"):
- weights bytes = params_total × bits_per_weight / 8. MoE keeps all experts in memory.
- KV cache bytes = 2 × layers × kv_heads × head_dim × kv bytes × tokens × batch (GQA through
  kv_heads). MLA (DeepSeek-V2/V3) caches one compressed latent plus the decoupled RoPE key:
  (kv_lora_rank + qk_rope_head_dim) × layers × kv bytes × tokens × batch. Sliding window:
  the `sliding_window_layers` layers (all layers when None) hold min(tokens, window) tokens,
  the other layers hold all tokens.
- overhead bytes = per-device fixed bytes (CUDA context, allocator slack) + activation
  fraction × weights bytes.
- decode step time = max(bytes read per step / (bandwidth × bw efficiency),
  concurrency × 2 × active params / (FLOP/s × decode MFU)), where bytes read per step =
  active weights + KV of every stream at its mean context. tokens/s per stream = 1 / step.
- prefill tokens/s = FLOP/s × prefill MFU / (2 × active params); TTFT = prompt / prefill.
Multi-device tensor parallelism multiplies bandwidth and FLOP/s by count × tp_efficiency.

The package re-exports its public names: `from benchmarks.estimate import estimate_memory`.
"""

from benchmarks.estimate.grid import (
    AcceleratorArrays,
    GridEstimate,
    ModelArrays,
    estimate_grid,
)
from benchmarks.estimate.memory import (
    DEFAULT_KV,
    DEFAULT_OVERHEAD,
    GIB,
    PRECISIONS,
    TP_SIZES,
    UNIFIED_KINDS,
    AcceleratorSpec,
    MemoryEstimate,
    ModelDims,
    Overhead,
    Precision,
    UnknownPrecision,
    accelerators_needed,
    estimate_kv_cache_bytes,
    estimate_memory,
    kv_bytes_per_token_layerwise,
    precision_get,
)
from benchmarks.estimate.throughput import (
    DEFAULT_EFFICIENCY,
    Efficiency,
    MeasuredRun,
    ThroughputEstimate,
    calibrate_efficiency,
    estimate_throughput,
    roofline_ratio,
)

__all__ = [
    "DEFAULT_EFFICIENCY",
    "DEFAULT_KV",
    "DEFAULT_OVERHEAD",
    "GIB",
    "PRECISIONS",
    "TP_SIZES",
    "UNIFIED_KINDS",
    "AcceleratorArrays",
    "AcceleratorSpec",
    "Efficiency",
    "GridEstimate",
    "MeasuredRun",
    "MemoryEstimate",
    "ModelArrays",
    "ModelDims",
    "Overhead",
    "Precision",
    "ThroughputEstimate",
    "UnknownPrecision",
    "accelerators_needed",
    "calibrate_efficiency",
    "estimate_grid",
    "estimate_kv_cache_bytes",
    "estimate_memory",
    "estimate_throughput",
    "kv_bytes_per_token_layerwise",
    "precision_get",
    "roofline_ratio",
]
