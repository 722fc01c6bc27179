"""vLLM serving benchmark results (`vllm bench serve --save-result`, benchmark_serving.py).

The file is one JSON object per run: "date" ("%Y%m%d-%H%M%S"), "backend", "model_id",
"num_prompts", "request_rate", "max_concurrency", "completed", "total_input_tokens",
"total_output_tokens", "output_throughput" (tok/s, all streams), "mean_ttft_ms",
"mean_tpot_ms", ... and any `--metadata key=value` pairs at top level (we read
"tensor_parallel_size"/"tp", "version"/"vllm_version", "precision"/"dtype"/"quantization",
"gpu"/"accelerator"). A JSON list of such objects (or JSON lines) is read as several runs.
Per-request arrays (ttfts, itls, generated_texts, ...) are dropped from the raw copy.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from benchmarks.importers import ImportFormatError, RunRecord

PER_REQUEST_KEYS = ("input_lens", "output_lens", "ttfts", "itls", "generated_texts", "errors",
                    "start_times")  # fmt: skip
PRECISION_ALIASES = {
    "bfloat16": "bf16", "float16": "fp16", "half": "fp16", "float32": "fp32", "auto": "bf16",
    "awq": "int4-awq", "awq_marlin": "int4-awq", "gptq": "int4-gptq", "gptq_marlin": "int4-gptq",
    "fp8": "fp8", "int8": "int8", "w8a8": "int8", "bf16": "bf16", "fp16": "fp16",
}  # fmt: skip


def _documents(data: bytes) -> list[Any]:
    text = data.decode("utf-8", errors="replace").strip()
    if not text:
        raise ImportFormatError("empty vLLM result file")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        try:
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise ImportFormatError(f"not vLLM result JSON: {exc}") from exc
    return doc if isinstance(doc, list) else [doc]


def _measured_at(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    for fmt in ("%Y%m%d-%H%M%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def _record(doc: dict[str, Any]) -> RunRecord:
    completed = int(doc["completed"])
    if completed <= 0:
        raise ValueError("no completed requests")
    input_tokens = round(float(doc["total_input_tokens"]) / completed)
    output_tokens = round(float(doc["total_output_tokens"]) / completed)
    concurrency = int(doc.get("max_concurrency") or doc.get("num_prompts") or 1)
    ttft_ms = float(doc["mean_ttft_ms"]) if doc.get("mean_ttft_ms") is not None else None
    # With one stream TTFT is all prefill; with more it includes queueing, so no figure.
    prefill = input_tokens / (ttft_ms / 1000) if ttft_ms and concurrency == 1 else None
    raw_precision = str(doc.get("precision") or doc.get("dtype") or doc.get("quantization") or "")
    tp = doc.get("tensor_parallel_size") or doc.get("tp")
    raw = {k: v for k, v in doc.items() if k not in PER_REQUEST_KEYS}
    return RunRecord(
        engine=str(doc.get("backend") or "vllm"),
        engine_version=str(doc.get("version") or doc.get("vllm_version") or ""),
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        precision=PRECISION_ALIASES.get(raw_precision.lower(), raw_precision.lower()),
        model_name=str(doc.get("model_id") or ""),
        accelerator_name=str(doc.get("gpu") or doc.get("accelerator") or ""),
        accelerator_count=int(tp) if tp else None,
        concurrency=concurrency,
        ttft_ms=ttft_ms,
        tpot_ms=float(doc["mean_tpot_ms"]) if doc.get("mean_tpot_ms") is not None else None,
        prefill_tokens_per_s=prefill,
        decode_tokens_per_s=float(doc["output_throughput"]),
        measured_at=_measured_at(doc.get("date")),
        environment={
            "engine": "vllm",
            "backend": doc.get("backend"),
            "request_rate": doc.get("request_rate"),
            "num_prompts": doc.get("num_prompts"),
        },
        raw=raw,
    )


def parse_vllm(data: bytes) -> tuple[list[RunRecord], list[str]]:
    """vLLM result JSON -> run records. Token lengths are per-request means
    (total tokens / completed); decode tokens/s is `output_throughput` (all streams)."""
    records: list[RunRecord] = []
    errors: list[str] = []
    for i, doc in enumerate(_documents(data)):
        if not isinstance(doc, dict):
            errors.append(f"run {i}: not a JSON object")
            continue
        try:
            records.append(_record(doc))
        except (KeyError, TypeError, ValueError) as exc:
            errors.append(f"run {i}: {type(exc).__name__}: {exc}")
    if not records and not errors:
        raise ImportFormatError("no runs in vLLM result file")
    return records, errors
