#!/usr/bin/env python3
"""Standalone GPU runner: measure real architectures with random weights, no network.

Runs with a bare `python3` (3.11+) that has torch and transformers — no project code, no
pip, no downloads — so it can run on a GPU machine cut off from the network:

    python3 standalone_runner.py CONFIG.json [CONFIG.json ...] --out results.json \\
        [--precision bf16] [--input-len 512] [--output-len 128] [--concurrency 1,8]

Each CONFIG.json is a transformers `config.json` (../shared/hub/configs/<org>--<name>.json;
the repo id is read from the file name). The model is built from it with random weights
(speed and memory do not depend on the values) directly on the device, then measured per
concurrency level, as benchmarks/runner.py does:
- TTFT = wall time of the prefill forward over the batch; prefill tokens/s = batch ×
  input / TTFT;
- decode: output − 1 greedy steps over the KV cache; TPOT = decode time / steps (ms, each
  stream); decode tokens/s = batch × steps / decode time (all streams);
- peak memory: torch.cuda.max_memory_reserved (what the allocator took from the device,
  close to what nvidia-smi shows less the CUDA context); on CPU the process's peak RSS.
The result file records engine "transformers", its version and the environment (GPU
name, count and memory, driver, CUDA, torch, Python, host CPU). Import it with
`manage.py import_runs standalone --path results.json` (benchmarks.importers.standalone).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

FORMAT = "model-atlas-standalone/1"
DTYPES = {"bf16": "bfloat16", "fp16": "float16", "fp32": "float32"}
GIB = 2**30

# Run as a script from inside the project, sys.path[0] is this file's folder (benchmarks/),
# whose `selectors` package would shadow the standard library's (torch imports subprocess,
# which imports selectors): drop it, the script needs nothing from its folder.
if sys.path and Path(sys.path[0] or ".").resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)


def _host_cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _driver() -> str:
    try:
        return Path("/proc/driver/nvidia/version").read_text().split("Kernel Module")[1].split()[0]
    except (OSError, IndexError):
        return ""


def environment(torch, transformers) -> dict:
    cuda = torch.cuda.is_available()
    props = torch.cuda.get_device_properties(0) if cuda else None
    return {
        "engine": "transformers",
        "engine_version": transformers.__version__,
        "gpu_name": torch.cuda.get_device_name(0) if cuda else "",
        "gpu_count": torch.cuda.device_count() if cuda else 0,
        "gpu_memory_gib": round(props.total_memory / GIB, 2) if props else None,
        "driver": _driver() if cuda else "",
        "cuda": torch.version.cuda or "",
        "torch": torch.__version__,
        "python": platform.python_version(),
        "host_cpu": _host_cpu(),
        "cpu_count": os.cpu_count(),
        "device": "cuda" if cuda else "cpu",
        "random_weights": True,
        "attn_implementation": "sdpa",
    }


def _repo_id(path: Path) -> str:
    return path.stem.replace("--", "/", 1)


def _from_config(transformers, torch, cfg, dtype, device: str):
    # transformers >= 4.56 names the argument `dtype`; older releases `torch_dtype`.
    major, minor = (int(v) for v in transformers.__version__.split(".")[:2])
    key = "dtype" if (major, minor) >= (4, 56) else "torch_dtype"
    with torch.device(device):
        model = transformers.AutoModelForCausalLM.from_config(
            cfg, attn_implementation="sdpa", **{key: dtype}
        )
    return model.eval()


def _free_bytes(torch, device: str) -> int | None:
    if device == "cuda":
        return torch.cuda.mem_get_info()[0]
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _build(transformers, torch, config: dict, dtype, device: str):
    """Build on the meta device first: a model whose weights cannot fit is reported as an
    error instead of taking the machine down (an out-of-memory kill loses every result)."""
    cfg = transformers.AutoConfig.for_model(**config)
    shell = _from_config(transformers, torch, cfg, dtype, "meta")
    need = sum(p.numel() * p.element_size() for p in shell.parameters())
    del shell
    free = _free_bytes(torch, device)
    if free is not None and need > 0.9 * free:
        raise MemoryError(f"weights need {need / GIB:.1f} GiB, {free / GIB:.1f} GiB free")
    return _from_config(transformers, torch, cfg, dtype, device)


def _rss_peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def measure(model, torch, *, vocab: int, input_len: int, output_len: int, concurrency: int) -> dict:
    cuda = next(model.parameters()).is_cuda
    device = "cuda" if cuda else "cpu"

    def sync() -> None:
        if cuda:
            torch.cuda.synchronize()

    ids = torch.randint(0, vocab, (concurrency, input_len), device=device)
    with torch.inference_mode():
        model(ids[:, : min(8, input_len)], use_cache=True)  # warm-up
        sync()
        if cuda:
            torch.cuda.reset_peak_memory_stats()
        start = time.perf_counter()
        out = model(ids, use_cache=True)
        sync()
        prefill_s = time.perf_counter() - start
        past, token = out.past_key_values, out.logits[:, -1:].argmax(-1)
        steps = max(output_len - 1, 1)
        start = time.perf_counter()
        for _ in range(steps):
            out = model(token, past_key_values=past, use_cache=True)
            past, token = out.past_key_values, out.logits[:, -1:].argmax(-1)
        sync()
        decode_s = time.perf_counter() - start
    peak = torch.cuda.max_memory_reserved() / GIB if cuda else _rss_peak() / GIB
    return {
        "concurrency": concurrency,
        "input_tokens": input_len,
        "output_tokens": output_len,
        "ttft_ms": prefill_s * 1000,
        "tpot_ms": decode_s / steps * 1000,
        "prefill_tokens_per_s": concurrency * input_len / prefill_s,
        "decode_tokens_per_s": concurrency * steps / decode_s,
        "peak_memory_gib": peak,
        "decode_steps": steps,
    }


def run(
    paths: list[Path],
    *,
    precision: str,
    input_len: int,
    output_len: int,
    concurrency: list[int],
    out: Path | None = None,
) -> dict:
    import torch
    import transformers

    torch.manual_seed(0)
    dtype = getattr(torch, DTYPES[precision])
    device = "cuda" if torch.cuda.is_available() else "cpu"
    doc = {
        "format": FORMAT,
        "environment": environment(torch, transformers),
        "results": [],
        "errors": [],
    }
    for path in paths:
        repo_id = _repo_id(path)
        model = None
        try:
            config = json.loads(path.read_text())
            model = _build(transformers, torch, config, dtype, device)
            params = sum(p.numel() for p in model.parameters())
            vocab = model.config.get_text_config().vocab_size
            for conc in concurrency:
                row = measure(
                    model,
                    torch,
                    vocab=vocab,
                    input_len=input_len,
                    output_len=output_len,
                    concurrency=conc,
                )
                doc["results"].append(
                    {
                        "model": repo_id,
                        "precision": precision,
                        "params_total": params,
                        **row,
                        "measured_at": datetime.now(UTC).isoformat(),
                    }
                )
                sys.stderr.write(
                    f"{repo_id} c={conc}: decode {row['decode_tokens_per_s']:.1f} "
                    f"tok/s, peak {row['peak_memory_gib']:.2f} GiB\n"
                )
        except Exception as exc:  # one model failing must not lose the others
            doc["errors"].append(f"{repo_id}: {type(exc).__name__}: {exc}")
            traceback.print_exc(file=sys.stderr)
        finally:
            model = None
            gc.collect()
            if device == "cuda":
                torch.cuda.empty_cache()
            if out is not None:  # after each model: a crash later keeps what was measured
                out.write_text(json.dumps(doc, indent=1))
    return doc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("configs", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--precision", choices=sorted(DTYPES), default="bf16")
    parser.add_argument("--input-len", type=int, default=512)
    parser.add_argument("--output-len", type=int, default=128)
    parser.add_argument("--concurrency", default="1", help="comma-separated, e.g. 1,8")
    args = parser.parse_args(argv)
    levels = [int(v) for v in args.concurrency.split(",") if v.strip()]
    doc = run(
        args.configs,
        precision=args.precision,
        input_len=args.input_len,
        output_len=max(args.output_len, 2),
        concurrency=levels,
        out=args.out,
    )
    args.out.write_text(json.dumps(doc, indent=1))
    return 0 if doc["results"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
