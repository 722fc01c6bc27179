"""Memory side of the estimate: accelerator specs, what an engine holds in memory, and
whether that fits on N devices (pure; the rules per engine are in engines.py).

total = weights (dims.weight_bytes) + KV cache at the stated context (dims.kv_cache_bytes;
unknown stays unknown, the total is then a lower bound) + the engine's buffers:
- llama.cpp: per device, a compute buffer of 512 × 4 bytes × (vocab + 4 × hidden) (0.25
  GiB when the dims are unknown) and the driver context (0.4 GiB on CUDA/ROCm, none on
  Apple, whose limit is the wired fraction);
- vLLM / SGLang: per device 1 GiB (CUDA graphs, NCCL, non-torch allocations) + a 8192-token
  activation profile of 16 × hidden bytes per token; the pool is `memory_utilization` of
  each GPU, which is also what such a run measures as its peak;
- MLX: 0.25 GiB; transformers: prompt × vocab × 4 bytes of fp32 logits + 0.4 GiB.

Fit on N devices: tensor-parallel engines need weights/N + KV/N + per-device buffers ≤ the
pool of each device; layer-split engines need the sum over devices; single-device engines
take N = 1 only. Apple and other unified-memory machines may wire `WIRED_FRACTION` of
their memory (70% up to 36 GB, 75% above).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.estimate.dims import GIB, ModelDims, kv_cache_bytes, weight_bytes
from benchmarks.estimate.engines import Engine, engine_get

TP_SIZES = (1, 2, 4, 8, 16, 32, 64)
UNIFIED_KINDS = ("apple", "cpu", "unified")
DEFAULT_KV = "bf16"
LLAMACPP_UBATCH = 512
VLLM_PROFILE_TOKENS = 8192


def wired_fraction(memory_gib: float) -> float:
    """Share of unified memory the GPU may wire (Metal recommendedMaxWorkingSetSize)."""
    return 0.70 if memory_gib <= 36 else 0.75


@dataclass(frozen=True, slots=True)
class AcceleratorSpec:
    slug: str
    name: str
    memory_gib: float
    bandwidth_gbps: float
    bf16_tflops: float
    fp8_tflops: float | None = None
    int8_tops: float | None = None
    tdp_watts: int | None = None
    kind: str = "datacenter"
    vendor: str = ""
    family: str = ""

    def tflops_for(self, compute_dtype: str) -> float:
        """Dense TFLOP/s for a compute dtype; falls back to bf16 where the chip lacks it
        (fp4 falls back to fp8, then bf16)."""
        if compute_dtype in ("fp8", "fp4") and self.fp8_tflops:
            return self.fp8_tflops
        if compute_dtype == "int8" and self.int8_tops:
            return self.int8_tops
        return self.bf16_tflops

    @property
    def unified(self) -> bool:
        return self.kind in UNIFIED_KINDS


def device_class(accel: AcceleratorSpec) -> str:
    """ "cpu" for a CPU host, else "gpu" (discrete, Apple and other unified-memory GPUs):
    engines' uncalibrated factors and calibration fallbacks never cross the two."""
    return "cpu" if accel.kind == "cpu" else "gpu"


@dataclass(frozen=True, slots=True)
class Overhead:
    """Legacy fixed overhead (the planner's fit grid): per device + a share of weights."""

    per_device_gib: float = 0.5
    activation_fraction: float = 0.02


DEFAULT_OVERHEAD = Overhead()


@dataclass(frozen=True, slots=True)
class MemoryEstimate:
    weights_bytes: float
    kv_cache_bytes: float | None  # None: unknown (the dims lack layers/heads)
    overhead_bytes: float  # engine buffers and driver context, all devices
    total_bytes: float  # weights + known KV + overhead
    per_device_overhead_bytes: float = 0.0
    kv_known: bool = True
    engine: str = ""
    count: int = 1

    @property
    def total_gib(self) -> float:
        return self.total_bytes / GIB

    @property
    def weights_gib(self) -> float:
        return self.weights_bytes / GIB

    @property
    def kv_cache_gib(self) -> float | None:
        return None if self.kv_cache_bytes is None else self.kv_cache_bytes / GIB

    @property
    def shared_bytes(self) -> float:
        """What N devices split between them (weights + KV)."""
        return self.total_bytes - self.per_device_overhead_bytes * self.count


def engine_buffers_bytes(
    dims: ModelDims,
    engine: Engine,
    *,
    prompt_tokens: int = 512,
    apple: bool = False,
    ubatch: int | None = None,
) -> float:
    """Per-device bytes an engine allocates besides weights and KV (module docstring);
    `ubatch`: llama.cpp's -ub when not the default."""
    vocab, hidden = dims.vocab_size, dims.hidden_size
    reserve = 0.0 if apple else engine.device_reserve_gib * GIB
    if engine.fit_rule == "llamacpp":
        ub = ubatch or LLAMACPP_UBATCH
        buf = ub * 4 * (vocab + 4 * hidden) if vocab and hidden else 0.25 * GIB
        return buf + reserve
    if engine.fit_rule == "vllm":
        return 1.0 * GIB + VLLM_PROFILE_TOKENS * 16 * (hidden or 4096)
    if engine.fit_rule == "mlx":
        return 0.25 * GIB
    logits = max(prompt_tokens, 1) * 4 * (vocab or 32000)
    return logits + reserve + 0.25 * GIB


def estimate_memory(
    dims: ModelDims,
    precision: str,
    context_tokens: int,
    batch: int = 1,
    kv_precision: str = DEFAULT_KV,
    overhead: Overhead | None = None,
    *,
    engine: str = "llama.cpp",
    count: int = 1,
    apple: bool = False,
    ubatch: int | None = None,
) -> MemoryEstimate:
    """Memory to hold `batch` sequences of `context_tokens` with `engine` on `count` devices.

    `overhead` (legacy callers) replaces the engine's buffers with a fixed per-device
    amount + a share of the weights."""
    weights = weight_bytes(dims, precision).total
    kv = kv_cache_bytes(dims, context_tokens, batch, kv_precision)
    eng = engine_get(engine)
    if overhead is not None:
        per_device = overhead.per_device_gib * GIB + overhead.activation_fraction * weights
    else:
        per_device = engine_buffers_bytes(
            dims, eng, prompt_tokens=context_tokens, apple=apple, ubatch=ubatch
        )
    count = max(int(count), 1)
    total = weights + (kv or 0.0) + per_device * count
    return MemoryEstimate(
        weights_bytes=weights,
        kv_cache_bytes=kv,
        overhead_bytes=per_device * count,
        total_bytes=total,
        per_device_overhead_bytes=per_device,
        kv_known=kv is not None,
        engine=eng.name,
        count=count,
    )


@dataclass(frozen=True, slots=True)
class Fit:
    fits: bool
    count: int
    needed_gib_per_device: float  # the fullest device
    usable_gib_per_device: float
    reason: str = ""
    proves_fit: bool = True  # False for engines that offload instead of failing (Ollama)

    @property
    def headroom_gib(self) -> float:
        return self.usable_gib_per_device - self.needed_gib_per_device


def usable_gib(accel: AcceleratorSpec, engine: Engine) -> float:
    """Memory one device offers the engine (module docstring)."""
    if accel.unified:
        return accel.memory_gib * wired_fraction(accel.memory_gib)
    if engine.fit_rule == "vllm":
        return accel.memory_gib * engine.memory_utilization
    return accel.memory_gib


def fit_check(memory: MemoryEstimate, accel: AcceleratorSpec, count: int) -> Fit:
    """Does `memory` (estimated for `count` devices) fit on `count` × `accel`?"""
    eng = engine_get(memory.engine or "llama.cpp")
    usable = usable_gib(accel, eng)
    count = max(int(count), 1)
    if count > 1 and (accel.unified or eng.parallel == "single"):
        return Fit(
            False,
            count,
            memory.total_gib,
            usable,
            f"{eng.label} runs on one device here",
            not eng.offloads,
        )
    shared = memory.shared_bytes / GIB
    per_device = shared / count + memory.per_device_overhead_bytes / GIB
    ok = per_device <= usable
    reason = (
        ""
        if ok
        else (
            f"needs {per_device:.1f} GiB per device, {usable:.1f} GiB usable"
            + ("" if memory.kv_known else " (KV cache unknown: more in fact)")
        )
    )
    return Fit(ok, count, per_device, usable, reason, not eng.offloads)


def devices_needed(
    dims: ModelDims,
    precision: str,
    accel: AcceleratorSpec,
    *,
    engine: str,
    context_tokens: int,
    batch: int = 1,
    kv_precision: str = DEFAULT_KV,
    max_count: int = 8,
    memory_of: Callable[..., MemoryEstimate] | None = None,
) -> tuple[int | None, MemoryEstimate]:
    """Fewest devices (tensor parallel: powers of two; layer split: any count) that hold
    the model at `context_tokens` × `batch`, and the memory estimate at that count; None
    when even `max_count` do not. `memory_of`: estimate_memory or a memo of it (a page
    that asks for many accelerators builds each estimate once)."""
    memory_of = memory_of or estimate_memory
    eng = engine_get(engine)
    if accel.unified or eng.parallel == "single":
        counts: tuple[int, ...] = (1,)
    elif eng.parallel == "tensor":
        counts = tuple(n for n in TP_SIZES if n <= max_count)
    else:
        counts = tuple(range(1, max_count + 1))
    memory = None
    for n in counts:
        memory = memory_of(
            dims,
            precision,
            context_tokens,
            batch,
            kv_precision,
            engine=eng.name,
            count=n,
            apple=accel.unified,
        )
        if fit_check(memory, accel, n).fits:
            return n, memory
    return None, memory  # type: ignore[return-value]  # counts is never empty


def accelerators_needed(
    memory: MemoryEstimate,
    accel: AcceleratorSpec,
    max_count: int = 8,
    usable_fraction: float | None = None,
    unified_memory_fraction: float | None = None,
) -> int | None:
    """Smallest tensor-parallel size N (1, 2, 4, 8 ...) that holds `memory` (legacy form:
    the per-device overhead of `memory` is repeated on each device). None: no fit."""
    if accel.unified:
        fraction = unified_memory_fraction or wired_fraction(accel.memory_gib)
        return 1 if memory.total_bytes <= accel.memory_gib * GIB * fraction else None
    fraction = usable_fraction if usable_fraction is not None else 0.95
    usable = accel.memory_gib * GIB * fraction
    shared = memory.total_bytes - memory.per_device_overhead_bytes * memory.count
    for n in TP_SIZES:
        if n > max_count:
            break
        if shared / n + memory.per_device_overhead_bytes <= usable:
            return n
    return None


def offload_fraction(memory: MemoryEstimate, accel: AcceleratorSpec, count: int = 1) -> float:
    """Share of the weights a layer-split engine that offloads (llama.cpp `-ngl`, Ollama)
    has to keep in host memory: what exceeds the devices' memory, over the weights.
    0 when it fits; tensor-parallel engines do not offload (the answer is "no fit")."""
    eng = engine_get(memory.engine or "llama.cpp")
    if eng.fit_rule != "llamacpp" or memory.weights_bytes <= 0:
        return 0.0
    usable = usable_gib(accel, eng) * GIB * max(count, 1)
    over = memory.total_bytes - usable
    return min(max(over / memory.weights_bytes, 0.0), 1.0)


@dataclass(frozen=True, slots=True)
class Offload:
    """What of a model that does not fit its devices sits in host memory.

    `layers`: share of the layers (their weights and KV cache), as `-ngl` below the layer
    count or Ollama's automatic split place them; `experts`: share of the routed-expert
    bytes, which llama.cpp moves to host memory before any dense layer (`--fit`, on by
    default, and `--n-cpu-moe`): a token then reads on the CPU only the experts it routes to
    among those."""

    layers: float = 0.0
    experts: float = 0.0


def offload_plan(
    memory: MemoryEstimate,
    expert_total_bytes: float,
    accel: AcceleratorSpec,
    count: int = 1,
    *,
    experts_first: bool = False,
) -> Offload:
    """The Offload of `memory` on `count` × `accel` (class docstring). `experts_first`:
    llama.cpp proper; Ollama offloads whole layers (its num_gpu), as do dense models."""
    eng = engine_get(memory.engine or "llama.cpp")
    if eng.fit_rule != "llamacpp" or memory.weights_bytes <= 0:
        return Offload()
    over = memory.total_bytes - usable_gib(accel, eng) * GIB * max(count, 1)
    if over <= 0:
        return Offload()
    if experts_first and expert_total_bytes > 0:
        if over <= expert_total_bytes:
            return Offload(0.0, over / expert_total_bytes)
        rest = memory.weights_bytes - expert_total_bytes
        layers = (over - expert_total_bytes) / rest if rest > 0 else 1.0
        return Offload(min(layers, 1.0), 1.0)
    return Offload(min(over / memory.weights_bytes, 1.0), 0.0)
