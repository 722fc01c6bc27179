"""Memory and speed estimates for running a model on accelerators (pure; numpy only).

Units: bytes, GiB (2**30 bytes), GB/s (1e9 bytes/s), TFLOP/s (1e12 FLOP/s), seconds.

- formats.py: weight formats (GGUF file types from llama.cpp's own tables, MLX, AWQ/GPTQ,
  FP8, NVFP4, MXFP4) as bits per weight per tensor class;
- dims.py: model dims, weights by tensor class (embedding, LM head, experts, the rest),
  bytes read per token, KV cache by per-layer attention kind (MLA; unknown stays None);
- engines.py: engines (tensor parallel vs layer split, memory rules, default factors);
- memory.py: accelerator specs, memory an engine holds, fit on N devices;
- speed.py: decode, prefill and throughput at load;
- calibration.py: efficiency factors per engine × accelerator family from measured runs,
  with leave-one-out error bands;
- grid.py: a vectorized coarse screen over many combinations.

The package re-exports its public names: `from benchmarks.estimate import estimate_memory`.
"""

from benchmarks.estimate.calibration import (
    MIN_RUNS,
    Calibration,
    CalibrationSet,
    Observation,
)
from benchmarks.estimate.dims import (
    GIB,
    KV_BITS,
    LAYER_KINDS,
    ModelDims,
    WeightBytes,
    kv_bits,
    kv_bytes_per_token_layer,
    kv_cache_bytes,
    weight_bytes,
    weight_split,
)
from benchmarks.estimate.engines import (
    DEFAULT_ENGINE,
    ENGINES,
    Efficiency,
    Engine,
    UnknownEngine,
    engine_get,
    engine_key,
)
from benchmarks.estimate.formats import (
    PRECISIONS,
    Precision,
    UnknownPrecision,
    precision_get,
    precision_key,
)
from benchmarks.estimate.grid import (
    AcceleratorArrays,
    GridEstimate,
    ModelArrays,
    estimate_grid,
)
from benchmarks.estimate.memory import (
    DEFAULT_KV,
    DEFAULT_OVERHEAD,
    TP_SIZES,
    UNIFIED_KINDS,
    AcceleratorSpec,
    Fit,
    MemoryEstimate,
    Overhead,
    accelerators_needed,
    devices_needed,
    estimate_memory,
    fit_check,
    usable_gib,
    wired_fraction,
)
from benchmarks.estimate.speed import (
    DEFAULT_EFFICIENCY,
    ROOFLINE,
    StepParts,
    ThroughputEstimate,
    decode_step,
    estimate_speed,
    estimate_throughput,
    prefill_seconds,
    roofline_ratio,
)

estimate_kv_cache_bytes = kv_cache_bytes

__all__ = [
    "DEFAULT_EFFICIENCY",
    "DEFAULT_ENGINE",
    "DEFAULT_KV",
    "DEFAULT_OVERHEAD",
    "ENGINES",
    "GIB",
    "KV_BITS",
    "LAYER_KINDS",
    "MIN_RUNS",
    "PRECISIONS",
    "ROOFLINE",
    "TP_SIZES",
    "UNIFIED_KINDS",
    "AcceleratorArrays",
    "AcceleratorSpec",
    "Calibration",
    "CalibrationSet",
    "Efficiency",
    "Engine",
    "Fit",
    "GridEstimate",
    "MemoryEstimate",
    "ModelArrays",
    "ModelDims",
    "Observation",
    "Overhead",
    "Precision",
    "StepParts",
    "ThroughputEstimate",
    "UnknownEngine",
    "UnknownPrecision",
    "WeightBytes",
    "accelerators_needed",
    "decode_step",
    "devices_needed",
    "engine_get",
    "engine_key",
    "estimate_grid",
    "estimate_kv_cache_bytes",
    "estimate_memory",
    "estimate_speed",
    "estimate_throughput",
    "fit_check",
    "kv_bits",
    "kv_bytes_per_token_layer",
    "kv_cache_bytes",
    "precision_get",
    "precision_key",
    "prefill_seconds",
    "roofline_ratio",
    "usable_gib",
    "weight_bytes",
    "weight_split",
    "wired_fraction",
]
