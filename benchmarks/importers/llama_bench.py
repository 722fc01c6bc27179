"""llama.cpp `llama-bench` results (`-o json`, `-o jsonl` or `-o csv`).

Each row is one test: "pp" (n_prompt > 0, n_gen = 0: prompt processing, avg_ts = prefill
tokens/s) or "tg" (n_gen > 0, n_prompt = 0: generation at batch 1, avg_ts = decode
tokens/s). Rows with the same model and settings are paired in file order, pp with tg,
into one run (input = n_prompt, output = n_gen): TTFT = n_prompt / pp rate, TPOT = 1 / tg
rate. Combined "pg" rows report one blended rate and are rejected with a reason.
Columns read: build_commit, build_number, cpu_info, gpu_info, backends, model_filename,
model_type ("llama 8B Q4_K - Medium"), model_size, model_n_params, n_batch, n_ubatch,
n_threads, type_k, type_v, n_gpu_layers, flash_attn, n_prompt, n_gen, test_time, avg_ts.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from benchmarks.importers import ImportFormatError, RunRecord

RESULT_KEYS = {"n_prompt", "n_gen", "test_time", "avg_ns", "stddev_ns", "avg_ts", "stddev_ts",
               "samples_ns", "samples_ts"}  # fmt: skip
# llama.cpp file-type names (llama_model_ftype_name) -> our precision keys.
FTYPES = {
    "all f32": "fp32", "f16": "fp16", "bf16": "bf16", "q8_0": "q8_0", "q6_k": "q6_k",
    "q5_k - medium": "q5_k_m", "q4_k - medium": "q4_k_m", "q3_k - medium": "q3_k_m",
    "q2_k - medium": "q2_k", "q2_k": "q2_k",
}  # fmt: skip


def _rows(data: bytes) -> list[dict[str, Any]]:
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff").strip()
    if not text:
        raise ImportFormatError("empty llama-bench file")
    if text[0] in "[{":
        try:
            doc = json.loads(text)
        except json.JSONDecodeError:
            try:
                doc = [json.loads(line) for line in text.splitlines() if line.strip()]
            except json.JSONDecodeError as exc:
                raise ImportFormatError(f"not llama-bench JSON: {exc}") from exc
        rows = doc if isinstance(doc, list) else [doc]
    else:
        rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or not all(isinstance(r, dict) for r in rows):
        raise ImportFormatError("llama-bench output has no rows")
    if "avg_ts" not in rows[0] or "n_prompt" not in rows[0]:
        raise ImportFormatError("not llama-bench output: no avg_ts / n_prompt columns")
    return rows


def _int(row: dict[str, Any], key: str) -> int:
    return int(float(row.get(key) or 0))


def precision_from_model_type(model_type: str) -> str:
    """ "llama 8B Q4_K - Medium" -> "q4_k_m"; unknown types are lowercased as they are."""
    parts = model_type.split(" ", 2)
    ftype = (parts[2] if len(parts) == 3 else model_type).strip().lower()
    return FTYPES.get(ftype, ftype.replace(" ", ""))


def _key(row: dict[str, Any]) -> tuple:
    return tuple(sorted((k, str(v)) for k, v in row.items() if k not in RESULT_KEYS))


def _measured_at(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _record(pp: dict[str, Any] | None, tg: dict[str, Any] | None) -> RunRecord:
    row = pp or tg or {}
    on_gpu = _int(row, "n_gpu_layers") > 0 and bool(row.get("gpu_info"))
    prefill = float(pp["avg_ts"]) if pp else None
    decode = float(tg["avg_ts"]) if tg else None
    n_prompt = _int(pp, "n_prompt") if pp else 0
    if (prefill is not None and prefill <= 0) or (decode is not None and decode <= 0):
        raise ValueError("avg_ts must be positive")
    env = {k: row.get(k) for k in ("build_commit", "build_number", "cpu_info", "gpu_info",
                                    "backends", "n_threads", "n_gpu_layers", "n_batch",
                                    "n_ubatch", "type_k", "type_v", "flash_attn",
                                    "model_filename", "model_size", "model_n_params")}  # fmt: skip
    env["engine"] = "llama.cpp"
    return RunRecord(
        engine="llama.cpp",
        engine_version=f"b{row.get('build_number', '')} ({row.get('build_commit', '')})",
        input_tokens=n_prompt,
        output_tokens=_int(tg, "n_gen") if tg else 0,
        precision=precision_from_model_type(str(row.get("model_type", ""))),
        model_name=str(row.get("model_filename") or row.get("model_type") or ""),
        accelerator_name=str(row.get("gpu_info") if on_gpu else row.get("cpu_info") or ""),
        ttft_ms=n_prompt / prefill * 1000 if prefill else None,
        tpot_ms=1000 / decode if decode else None,
        prefill_tokens_per_s=prefill,
        decode_tokens_per_s=decode,
        measured_at=_measured_at((tg or pp or {}).get("test_time")),
        environment=env,
        raw={"tests": [r for r in (pp, tg) if r]},
    )


def parse_llama_bench(data: bytes) -> tuple[list[RunRecord], list[str]]:
    """llama-bench JSON/JSONL/CSV -> run records (pp and tg tests paired per settings)."""
    groups: dict[tuple, tuple[list[dict], list[dict]]] = {}
    errors: list[str] = []
    for i, row in enumerate(_rows(data)):
        try:
            n_prompt, n_gen = _int(row, "n_prompt"), _int(row, "n_gen")
        except ValueError as exc:
            errors.append(f"row {i}: {exc}")
            continue
        if n_prompt and n_gen:
            errors.append(f"row {i}: pg test (pp{n_prompt}+tg{n_gen}) has one blended rate")
            continue
        pps, tgs = groups.setdefault(_key(row), ([], []))
        (pps if n_prompt else tgs).append(row)
    records: list[RunRecord] = []
    for pps, tgs in groups.values():
        for j in range(max(len(pps), len(tgs))):
            pp = pps[j] if j < len(pps) else None
            tg = tgs[j] if j < len(tgs) else None
            try:
                records.append(_record(pp, tg))
            except (TypeError, ValueError) as exc:
                errors.append(f"{(pp or tg or {}).get('model_type', '?')}: {exc}")
    return records, errors
