"""Peak memory a row's process held, as the engine allocates it (no Django).

For bench/estimate_accuracy.py. What a reading measures decides what is predicted:
- vLLM / SGLang reserve `--gpu-memory-utilization` (0.9) / `--mem-fraction-static` (0.88)
  of each GPU up front, whatever the model: the reading is that share of the card;
- llama.cpp holds weights + the KV cache of the context it allocated + its buffers
  (benchmarks/estimate/memory.py). The allocated context is the stated one (`-c`,
  llama-bench p + n + d, a published row's context). Without one, llama-server sizes its
  context to the card (`--fit`, on by default since late 2025: the model's trained
  context, cut down until the devices keep FIT_MARGIN_GIB free), so the reading is
  min(the model at its full context, the card less that margin); Ollama allocates its
  default num_ctx (4096);
- what was offloaded to host memory is not on the devices;
- a reading larger than one device's memory on a several-device run is the sum over the
  devices (a single process cannot hold more than its card); otherwise per device.

Readings that are demonstrably not the process's peak are classified, not scored
(`memory_class`): the row's notes say the figure covers the whole machine (desktop, OS,
other processes); or a submitter's series of one model on one machine reads the same
figure (within FLAT_READING) while the memory that series allocates varies by more than
FLAT_ALLOCATION between its runs (llama-bench -p 512 … 16384 grows the KV cache 30×): a
figure that does not move with the allocation is not that process's memory.
"""

from __future__ import annotations

import re

from bench.estimate_accuracy_rows import Row
from benchmarks.estimate import engine_get, estimate_memory, usable_gib, weight_bytes
from benchmarks.estimate.memory import Offload

GIB = 2**30
FIT_MARGIN_GIB = 1.0
FLAT_READING = 0.02
FLAT_ALLOCATION = 0.25  # llama.cpp --fit-target default: 1024 MiB left free per device
WHOLE_MACHINE = re.compile(
    r"(?i)model \+ OS|total usage with everything|whole[- ](?:system|machine)|"
    r"system[- ]wide|all processes|Windows eats|includ\w* (?:the )?(?:desktop|display|OS\b)"
)
_UTIL = re.compile(r"--(?:gpu-memory-utilization|mem-fraction-static)[\s=]+(0?\.\d+|1(?:\.0+)?)")


def memory_class(notes: str) -> str:
    """Why a memory reading is not the process's own peak, or "" when it is."""
    return "whole-machine reading (the row's notes say so)" if WHOLE_MACHINE.search(notes) else ""


def utilization(snippet: str, default: float) -> float:
    found = _UTIL.search(snippet or "")
    return float(found.group(1)) if found else default


def allocated_context(row: Row) -> int | None:
    """The context llama.cpp / Ollama allocated (module docstring); None: sized to fit."""
    if row.context_stated:
        return max(row.context_tokens, row.fit_context)
    if row.engine in ("ollama", "lmstudio"):
        return max(row.fit_context, 4096)  # num_ctx / LM Studio's default context
    if row.engine == "llama.cpp":
        return None
    return row.fit_context


def predict_memory(row: Row, off: Offload) -> float | None:
    """GiB the reading should show (module docstring), or None when the KV cache is
    unknown (the dims lack layers or heads)."""
    eng = engine_get(row.engine)
    devices = _devices_in_reading(row)
    if eng.fit_rule == "vllm":
        util = utilization(row.extra.get("snippet", ""), eng.memory_utilization)
        return row.accel.memory_gib * util * devices
    context = allocated_context(row)
    full = context is None
    if full:
        context = max(row.dims.context_tokens or 0, row.fit_context)
    per_device = _on_devices_gib(row, context, off)
    if per_device is None:
        return None
    if full:  # --fit: the full trained context, or as much as the card leaves room for
        cap = usable_gib(row.accel, eng) - FIT_MARGIN_GIB
        needed = _on_devices_gib(row, row.fit_context, off) or 0.0
        per_device = max(min(per_device, cap), needed)
    return per_device * devices


def _on_devices_gib(row: Row, context: int, off: Offload) -> float | None:
    mem = estimate_memory(
        row.dims,
        row.precision,
        context,
        1,
        row.kv_precision,
        engine=row.engine,
        count=row.count,
        apple=row.accel.unified,
        ubatch=row.ubatch,
    )
    if not mem.kv_known:
        return None
    w = weight_bytes(row.dims, row.precision)
    host = mem.weights_bytes * off.layers + w.expert_bytes * w.num_experts * off.experts
    return ((mem.shared_bytes - host) / row.count + mem.per_device_overhead_bytes) / GIB


def _devices_in_reading(row: Row) -> int:
    if row.count > 1 and row.memory and row.memory > row.accel.memory_gib * 1.02:
        return row.count
    return 1


def flat_series(results: list[dict]) -> set[str]:
    """Row keys whose memory readings are flat while their allocation is not (module
    docstring). `results`: {"row": Row, "memory": predicted GiB or None}."""
    series: dict[tuple, list[tuple[float, float, str]]] = {}
    for res in results:
        row, predicted = res["row"], res.get("memory")
        if not (row.memory and predicted and row.extra.get("submitter")):
            continue
        key = (row.extra["submitter"], row.model, row.accel.slug, row.count, row.precision)
        series.setdefault(key, []).append((row.memory, predicted, row.key))
    flat = set()
    for points in series.values():
        if len(points) < 3:
            continue
        readings = [p[0] for p in points]
        predicted = [p[1] for p in points]
        if (max(readings) - min(readings)) / max(readings) <= FLAT_READING and (
            max(predicted) - min(predicted)
        ) / max(predicted) > FLAT_ALLOCATION:
            flat.update(p[2] for p in points)
    return flat
