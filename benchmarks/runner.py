"""Run a real inference engine locally and measure it (no Django; torch imported lazily).

Engines: "transformers" (manual prefill + greedy decode loop over the KV cache, so each
phase is timed on its own) and "vllm" (offline `LLM.generate`, when vllm is installed).
Weights: a local directory (`weights`), or random weights from a config with no download
(`random_weights`): the catalog model's dims, scaled down to a tiny model unless
`full_size`. Measured per concurrency level (one batch of `concurrency` prompts):
- TTFT = wall time of the prefill forward pass over the batch (ms);
  prefill tokens/s = concurrency × input_len / TTFT.
- TPOT = decode wall time / (output_len − 1) (ms per token, each stream);
  decode tokens/s = concurrency × (output_len − 1) / decode time (all streams).
- peak memory: torch.cuda.max_memory_allocated on GPU; on CPU the rise of the process's
  peak RSS (getrusage ru_maxrss) over its RSS before loading (/proc/self/statm).
"""

from __future__ import annotations

import os
import platform
import resource
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.estimate import ModelDims

DTYPES = {"fp32": "float32", "bf16": "bfloat16", "fp16": "float16"}
GIB = 2**30


class RunnerError(RuntimeError):
    """The engine is missing, or the run cannot be set up as asked."""


@dataclass(frozen=True, slots=True)
class ArchDims:
    """The catalog architecture the random-weight model is built from."""

    num_layers: int = 2
    hidden_size: int = 128
    num_heads: int = 4
    num_kv_heads: int = 4
    intermediate_size: int | None = None
    vocab_size: int = 32000
    model_type: str = "llama"


@dataclass(frozen=True, slots=True)
class RunnerConfig:
    engine: str = "transformers"
    precision: str = "bf16"
    input_len: int = 512
    output_len: int = 128
    concurrency: Sequence[int] = (1,)
    weights: str | None = None
    random_weights: bool = False
    full_size: bool = False
    arch: ArchDims = ArchDims()
    seed: int = 0


@dataclass(frozen=True, slots=True)
class Measurement:
    concurrency: int
    ttft_ms: float
    tpot_ms: float
    prefill_tokens_per_s: float
    decode_tokens_per_s: float
    peak_memory_gib: float
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RunnerResult:
    engine: str
    engine_version: str
    device: str  # "cuda" or "cpu"
    gpu_name: str
    gpu_count: int
    environment: dict[str, Any]
    dims: ModelDims  # of the model that actually ran
    scaled_down: bool
    measurements: list[Measurement]


def _rss_bytes() -> int:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _host_cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _driver_version() -> str:
    try:
        return Path("/proc/driver/nvidia/version").read_text().split("Kernel Module")[1].split()[0]
    except (OSError, IndexError):
        return ""


def environment_collect(engine: str, engine_version: str) -> dict[str, Any]:
    """The fingerprint fields: GPU name and count, driver, CUDA, engine, torch, host CPU."""
    import torch

    cuda = torch.cuda.is_available()
    return {
        "gpu_name": torch.cuda.get_device_name(0) if cuda else "",
        "gpu_count": torch.cuda.device_count() if cuda else 0,
        "driver": _driver_version() if cuda else "",
        "cuda": torch.version.cuda or "",
        "engine": engine,
        "engine_version": engine_version,
        "torch": torch.__version__,
        "host_cpu": _host_cpu(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "device": "cuda" if cuda else "cpu",
    }


def tiny_arch(arch: ArchDims) -> ArchDims:
    """Scale an architecture down to ~1M parameters, keeping its GQA ratio and type."""
    ratio = max(1, arch.num_heads // max(1, arch.num_kv_heads))
    heads = 4 if ratio <= 4 else 8
    return ArchDims(
        num_layers=2, hidden_size=16 * heads, num_heads=heads,
        num_kv_heads=max(1, heads // ratio), intermediate_size=64 * heads, vocab_size=1024,
        model_type=arch.model_type,
    )  # fmt: skip


def _build_model(config: RunnerConfig, dtype: Any) -> tuple[Any, ArchDims, bool]:
    from transformers import AutoConfig, AutoModelForCausalLM

    if config.weights:
        model = AutoModelForCausalLM.from_pretrained(
            config.weights, dtype=dtype, local_files_only=True
        )
        c = model.config
        arch = ArchDims(c.num_hidden_layers, c.hidden_size, c.num_attention_heads,
                        getattr(c, "num_key_value_heads", None) or c.num_attention_heads,
                        getattr(c, "intermediate_size", None), c.vocab_size,
                        c.model_type)  # fmt: skip
        return model, arch, False
    if not config.random_weights:
        raise RunnerError("give --weights PATH or --random-weights")
    arch = config.arch if config.full_size else tiny_arch(config.arch)
    model_type = arch.model_type if arch.model_type in ("llama", "mistral", "qwen2") else "llama"
    hf_config = AutoConfig.for_model(
        model_type, num_hidden_layers=arch.num_layers, hidden_size=arch.hidden_size,
        num_attention_heads=arch.num_heads, num_key_value_heads=arch.num_kv_heads,
        intermediate_size=arch.intermediate_size or 4 * arch.hidden_size,
        vocab_size=arch.vocab_size,
        max_position_embeddings=config.input_len + config.output_len + 16,
    )  # fmt: skip
    return AutoModelForCausalLM.from_config(hf_config, dtype=dtype), arch, not config.full_size


def _dims_of(model: Any, arch: ArchDims) -> ModelDims:
    params = sum(p.numel() for p in model.parameters())
    return ModelDims(
        params_total=params, num_layers=arch.num_layers, hidden_size=arch.hidden_size,
        num_heads=arch.num_heads, num_kv_heads=arch.num_kv_heads,
        head_dim=arch.hidden_size // arch.num_heads,
    )  # fmt: skip


def _run_transformers(config: RunnerConfig) -> RunnerResult:
    import torch
    import transformers

    if config.precision not in DTYPES:
        raise RunnerError(f"transformers runner supports {sorted(DTYPES)}, not {config.precision}")
    if config.output_len < 2:
        raise RunnerError("output_len must be at least 2 (one prefill token + decode)")
    torch.manual_seed(config.seed)
    cuda = torch.cuda.is_available()
    device = "cuda" if cuda else "cpu"
    dtype = getattr(torch, DTYPES[config.precision])
    rss_before = _rss_bytes()
    model, arch, scaled = _build_model(config, dtype)
    model = model.to(device).eval()
    vocab = model.config.vocab_size

    def sync() -> None:
        if cuda:
            torch.cuda.synchronize()

    measurements = []
    for conc in config.concurrency:
        ids = torch.randint(0, vocab, (conc, config.input_len), device=device)
        with torch.inference_mode():
            model(ids[:, :8], use_cache=True)  # warm-up
            sync()
            if cuda:
                torch.cuda.reset_peak_memory_stats()
            start = time.perf_counter()
            out = model(ids, use_cache=True)
            sync()
            prefill_s = time.perf_counter() - start
            past, token = out.past_key_values, out.logits[:, -1:].argmax(-1)
            start = time.perf_counter()
            for _ in range(config.output_len - 1):
                out = model(token, past_key_values=past, use_cache=True)
                past, token = out.past_key_values, out.logits[:, -1:].argmax(-1)
            sync()
            decode_s = time.perf_counter() - start
        if cuda:
            peak = torch.cuda.max_memory_allocated() / GIB
        else:
            peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            peak = max(0, peak_rss - rss_before) / GIB
        steps = config.output_len - 1
        measurements.append(Measurement(
            concurrency=conc, ttft_ms=prefill_s * 1000, tpot_ms=decode_s / steps * 1000,
            prefill_tokens_per_s=conc * config.input_len / prefill_s,
            decode_tokens_per_s=conc * steps / decode_s, peak_memory_gib=peak,
            raw={"prefill_s": prefill_s, "decode_s": decode_s, "decode_steps": steps},
        ))  # fmt: skip
    env = environment_collect("transformers", transformers.__version__)
    dims = _dims_of(model, arch)
    env.update(dtype=config.precision, random_weights=not config.weights, scaled_down=scaled,
               arch=_arch_dict(arch), params_run=dims.params_total)  # fmt: skip
    return RunnerResult(
        engine="transformers", engine_version=transformers.__version__, device=device,
        gpu_name=env["gpu_name"], gpu_count=env["gpu_count"], environment=env,
        dims=dims, scaled_down=scaled, measurements=measurements,
    )  # fmt: skip


def _arch_dict(arch: ArchDims) -> dict[str, Any]:
    return {f: getattr(arch, f) for f in ArchDims.__dataclass_fields__}


def _run_vllm(config: RunnerConfig) -> RunnerResult:
    try:
        import vllm
    except ImportError as exc:
        raise RunnerError("vllm is not installed on this host") from exc
    if not config.weights:
        raise RunnerError("the vllm engine needs --weights PATH")
    import torch

    llm = vllm.LLM(model=config.weights, dtype=DTYPES.get(config.precision, "auto"))
    measurements = []
    for conc in config.concurrency:
        prompts = [{"prompt_token_ids": [11 + i] * config.input_len} for i in range(conc)]
        first = vllm.SamplingParams(max_tokens=1, ignore_eos=True)
        full = vllm.SamplingParams(max_tokens=config.output_len, ignore_eos=True)
        torch.cuda.reset_peak_memory_stats()
        start = time.perf_counter()
        llm.generate(prompts, first, use_tqdm=False)
        ttft_s = time.perf_counter() - start
        start = time.perf_counter()
        llm.generate(prompts, full, use_tqdm=False)
        decode_s = max(1e-9, time.perf_counter() - start - ttft_s)
        steps = config.output_len - 1
        measurements.append(Measurement(
            concurrency=conc, ttft_ms=ttft_s * 1000, tpot_ms=decode_s / steps * 1000,
            prefill_tokens_per_s=conc * config.input_len / ttft_s,
            decode_tokens_per_s=conc * steps / decode_s,
            peak_memory_gib=torch.cuda.max_memory_allocated() / GIB,
        ))  # fmt: skip
    env = environment_collect("vllm", vllm.__version__)
    hf = llm.llm_engine.model_config.hf_config
    arch = ArchDims(hf.num_hidden_layers, hf.hidden_size, hf.num_attention_heads,
                    getattr(hf, "num_key_value_heads", hf.num_attention_heads))  # fmt: skip
    params = int(getattr(hf, "num_parameters", 0) or 0)
    dims = ModelDims(params_total=params or 1, num_layers=arch.num_layers,
                     hidden_size=arch.hidden_size, num_heads=arch.num_heads,
                     num_kv_heads=arch.num_kv_heads)  # fmt: skip
    return RunnerResult("vllm", vllm.__version__, "cuda", env["gpu_name"], env["gpu_count"],
                        env, dims, False, measurements)  # fmt: skip


def run_benchmark(config: RunnerConfig) -> RunnerResult:
    """Run the configured engine once per concurrency level and return the measurements."""
    try:
        import torch  # noqa: F401
    except ImportError as exc:
        raise RunnerError("torch is not installed: pip install -e '.[bench]'") from exc
    if config.engine == "transformers":
        return _run_transformers(config)
    if config.engine == "vllm":
        return _run_vllm(config)
    raise RunnerError(f"unknown engine {config.engine!r}")
