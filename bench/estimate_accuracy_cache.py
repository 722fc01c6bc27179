"""benchmark_cache.json rows for bench/estimate_accuracy.py (no Django).

../shared/hardware/llmfit/benchmark_cache.json is a third-party leaderboard scrape
(llmfit-core/data/benchmark_cache.json, https://github.com/AlexsJones/llmfit): scored only,
never calibrated on. Each row is read as the run it describes: llama-bench rows decode from
an empty (or `-d`) context; `-c` sets the KV cache llama.cpp allocates; `-ub` its compute
buffer; a decode figure is end to end (output / (TTFT + decode)) where a stated TTFT says so,
or, without one, where the leaderboard's derived total allows it and the physics does too
(_end_to_end, estimate_accuracy_predict.resolve_end_to_end).
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

from bench.estimate_accuracy_flags import SpecFlags, cpu_moe_layers, parallel_slots, speculation
from bench.estimate_accuracy_memory import memory_class
from bench.estimate_accuracy_rows import Catalog, Row, _finish, dims_from_name
from benchmarks.devices import UNKNOWN
from benchmarks.estimate import ModelDims, engine_key, precision_get, precision_key
from benchmarks.estimate.speculative import Speculation
from benchmarks.names import ParsedName, parse_gguf_name

_DEPTH = re.compile(r"(?:^|\s)-d\s+(\d+)")
_CTX = re.compile(r"(?:^|\s)(?:-c|--ctx-size|--ctx|--max-ctx)[\s=]+(\d+)")
_UBATCH = re.compile(r"(?:^|\s)(?:-ub|--ubatch-size)[\s=]+(\d+)")


def _bc_precision(raw: str | None, engine: str) -> str:
    """The format a row states: the whole string, else the first token of it that names a
    format ("Unsloth-Dynamic-IQ4_XS", "compressed-tensors (NVFP4+FP8)"), skipping a token
    that names the KV cache's type ("... + FP8 KV")."""
    if not raw:
        return ""
    text = raw.strip().upper().replace("-QAT", "")
    gguf = engine in ("llama.cpp", "ollama", "lmstudio")
    if engine == "mlx" and text.lower() in ("mxfp4", "mxfp8", "nvfp4"):
        return f"mlx-{text.lower()}"  # MLX quantizes every linear layer in that mode
    key = precision_key(text, gguf=gguf)
    if key:
        return key
    tokens = re.findall(r"[A-Z0-9_]+", text)
    for i, token in enumerate(tokens):
        if i + 1 < len(tokens) and tokens[i + 1] == "KV":
            continue
        if key := precision_key(token, gguf=gguf):
            return key
    return ""


_SUFFIX = re.compile(
    r"(?i)-(gguf|mlx.*|awq.*|gptq.*|nvfp4.*|fp8.*|int4.*|\d+bit.*|mtp|dflash|eagle\d*|qat.*)$"
)


def _bc_dims(r: dict, catalog: Catalog) -> tuple[str, ModelDims | None, bool]:
    """(model id, dims, whether the dims are the model's own: catalog, config or model
    card) for a row; otherwise the row's stated size or its name's."""
    m = r["model"]
    ids = [x for x in (m.get("hfId"), (m.get("baseModel") or {}).get("hfId")) if x]
    for hf in ids:
        if hf.lower() in catalog.dims:
            return hf, _moe_from_row(catalog.dims[hf.lower()], m), True
        if hf.lower() in catalog.facts:
            return hf, catalog.facts[hf.lower()], True
    for hf in ids:
        name = hf.split("/")[-1]
        for _ in range(2):  # "Qwen3.6-27B-MTP-GGUF": strip both
            name = _SUFFIX.sub("", name)
        repo = catalog.index.find(resolve_name(name))
        if repo:
            return repo, _moe_from_row(catalog.dims[repo.lower()], m), True
    params = m.get("params") or 0
    if params and params > 0.05:
        dims = _moe_from_row(ModelDims(params_total=int(params * 1e9)), m)
        return m.get("hfId") or "", dims, False
    named = dims_from_name(*ids)
    return m.get("hfId") or "", _moe_from_row(named, m) if named else None, False


_ACTIVE_IN_NAME = re.compile(r"(?i)\d+(?:\.\d+)?B-A(\d+(?:\.\d+)?)B(?![a-z])")


def _moe_from_row(dims: ModelDims, m: dict) -> ModelDims:
    """The row's own active size when the catalog does not know the model is MoE: the
    row's `activeParams`, else the "-A3B" of the published name (30B-A3B: 3B active)."""
    if dims.params_active:
        return dims
    active = m.get("activeParams") if m.get("isMoE") else None
    if not active:
        names = (m.get("hfId") or "", (m.get("baseModel") or {}).get("hfId") or "")
        found = next((x for x in map(_ACTIVE_IN_NAME.search, names) if x), None)
        active = float(found.group(1)) if found else None
    if not active or active * 1e9 >= dims.params_total:
        return dims
    return replace(dims, params_active=int(active * 1e9))


def resolve_name(name: str) -> ParsedName:
    return ParsedName(name)


_CHIP = re.compile(r"^M\d")
_NGL = re.compile(r"(?:^|\s)(?:-ngl|--gpu-layers|--n-gpu-layers)[\s=]+(\d+|all)")
_IGPU = re.compile(r"w/ (Radeon \d+M)")


def _device(hw: dict, snippet: str) -> tuple[str, float | None]:
    """The device name and memory hint a row ran on: the GPU; Apple's chip ("M4" + "Max");
    a CPU-only row's CPU, or the integrated GPU its CPU string names when the command
    offloads layers to it (`-ngl N`, N > 0: the Vulkan/ROCm iGPU, not the CPU cores)."""
    if hw.get("hwClass") == "UNIFIED":
        family, variant = hw.get("chipFamily") or "", hw.get("chipVariant") or ""
        chip = variant if _CHIP.match(variant) else f"{family} {variant}"
        return "Apple " + chip.strip(), hw.get("unifiedMemoryGb")
    if hw.get("hwClass") == "CPU_ONLY":
        cpu = hw.get("cpu") or ""
        ngl, igpu = _NGL.search(snippet), _IGPU.search(cpu)
        if ngl and igpu and ngl.group(1) != "0":
            return "AMD " + igpu.group(1), None
        return cpu, None
    return hw.get("gpuName") or "", hw.get("vramGb")


def rows_benchmark_cache(shared: Path, catalog: Catalog) -> list[Row]:
    doc = json.loads((shared / "hardware/llmfit/benchmark_cache.json").read_text())
    seen: set[str] = set()
    rows = []
    for preset in doc["presets"].values():
        for r in preset["rows"]:
            if r["id"] in seen:
                continue
            seen.add(r["id"])
            rows.append(_bc_row(r, catalog))
    return rows


def _bc_row(r: dict, catalog: Catalog) -> Row:
    hw, eng, flags = r["hardware"], r["engine"], r.get("engineFlags") or {}
    engine = engine_key(eng.get("engineName") or "") or ""
    snippet = (flags.get("commandSnippet") or "") + " " + (r.get("notes") or "")
    model_id, dims, own_dims = _bc_dims(r, catalog)
    count = int(hw.get("gpuCount") or 1)
    prompt, output = int(r.get("promptTokens") or 0), int(r.get("outputTokens") or 0)
    concurrency = int(r.get("batchSize") or 1) if engine in ("vllm", "sglang") else 1
    slots = parallel_slots(snippet)
    if engine == "llama.cpp" and slots and slots > 1:  # requests decoding at once: -np slots
        concurrency = min(slots, int(r.get("batchSize") or 1))
    depth = None
    context = int(r.get("contextLength") or prompt + output)
    stated = False
    if ctx := _CTX.search(snippet):  # llama.cpp allocates the KV cache of all -c tokens
        context, stated = int(ctx.group(1)) or context, bool(int(ctx.group(1)))
    if "llama-bench" in snippet:  # tg runs from an empty (or -d) context; n_ctx = p + n (+ d)
        m = _DEPTH.search(snippet)
        depth = int(m.group(1)) if m else 0
        context, stated = depth + prompt + output, True
    name, memory_hint = _device(hw, snippet)
    slug = catalog.devices.resolve(name, memory_hint) if name else UNKNOWN
    peak = r.get("peakVramGb")
    if peak and memory_hint and peak > 1.5 * memory_hint * count:
        peak /= 1024  # recorded in MiB (23691 "GB" on a 24 GB card)
    e2e = _end_to_end(r.get("tokSOut"), r.get("tokSTotal"), r.get("ttftMs"), prompt, output)
    ngl = flags.get("gpuLayers")
    row = Row(
        "bench-cache",
        r["id"],
        name or "CPU",
        None,
        count,
        engine,
        _bc_precision(eng.get("quantization"), engine),
        model_id,
        dims,
        prompt,
        output,
        context,
        concurrency,
        kv_precision=str(flags.get("kvCacheDtype") or "f16"),
        decode=r.get("tokSOut"),
        prefill=r.get("tokSPrefill"),
        memory=peak if peak and peak >= 0.5 else None,
        decode_depth=depth,
        gpu_layers=int(ngl) if isinstance(ngl, int) else None,
        e2e=e2e is not False,  # None: resolved by the physics (predict.resolve_end_to_end)
        ubatch=int(ub.group(1)) if (ub := _UBATCH.search(snippet)) else None,
        cpu_moe_layers=cpu_moe_layers(snippet),
        context_stated=stated,
        own_dims=own_dims,
        extra={
            "snippet": snippet,
            "submitter": (r.get("user") or {}).get("username") or "",
            "e2e_unstated": e2e is None,
        },
    )
    if engine in ("vllm", "sglang") and row.precision and _is_gguf(row.precision):
        # vLLM's GGUF loader is experimental, single-file and cannot offload; a row that
        # names vLLM yet loads a k-/i-quant GGUF ran on a llama.cpp-compatible server
        row.engine, row.concurrency = "llama.cpp", 1
        row.extra["engine_stated"] = engine
    if row.memory is not None and (why := memory_class(r.get("notes") or "")):
        row.extra["memory_class"], row.memory = why, None
    spec = speculation(snippet, model_id, flags)
    if spec is not None:
        row.spec = _speculation(spec, catalog)
    if r["model"].get("isMoE") and dims is not None and not dims.is_moe and not own_dims:
        row.reason = "MoE model, active parameters unknown"
    elif not prompt and not output:
        row.prompt_tokens, row.output_tokens = 32, 256
    return _finish(row, catalog, slug)


def _end_to_end(
    out_rate: float | None,
    total_rate: float | None,
    ttft_ms: float | None,
    prompt: int,
    output: int,
) -> bool | None:
    """Whether `tokSOut` is output / (TTFT + decode time) rather than the decode rate: True,
    False, or None when the row cannot tell.

    The figure is end to end when total = out × (P + O) / O holds (both rates over the same
    wall time) and, with a stated TTFT, the decode-rate reading total = (P + O) / (TTFT +
    O / out) does not. Without a TTFT the relation proves nothing: the leaderboard also
    fills `tokSTotal` as tokSOut × (P + O) / O for decode-rate submissions (88 tok/s at a
    50,054-token prompt, tokSTotal 34,503, on one RTX 5090: no 27B model prefills 50k tokens
    in 1.5 s), so such a row is None and the physics decides (estimate_accuracy_predict.
    resolve_end_to_end)."""
    if not (out_rate and total_rate and output):
        return False
    if abs(out_rate * (prompt + output) / output / total_rate - 1) >= 0.05:
        return False
    if not ttft_ms:
        return None
    decode_reading = (prompt + output) / (ttft_ms / 1000 + output / out_rate)
    return abs(decode_reading / total_rate - 1) >= 0.05


def _is_gguf(precision: str) -> bool:
    return precision_get(precision).family == "gguf"


def _speculation(flags: SpecFlags, catalog: Catalog) -> Speculation:
    """The estimator's Speculation for a row: its draft model (a `-md` GGUF file the catalog
    knows) and that file's format; a DFlash drafter's format when its file names one."""
    draft_dims, draft_precision = None, None
    if flags.draft_file:
        parsed = parse_gguf_name(flags.draft_file)
        draft_precision = parsed.precision
        repo = catalog.index.find(parsed)
        draft_dims = catalog.dims.get(repo.lower()) if repo else None
    return Speculation(
        flags.method,  # type: ignore[arg-type]
        draft_tokens=flags.draft_tokens,
        accepted_ratio=flags.accepted_ratio,
        verify_tokens=flags.verify_tokens,
        draft_dims=draft_dims,
        draft_precision=draft_precision,
    )
