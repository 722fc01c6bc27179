"""Result files of the standalone GPU runner (benchmarks/standalone_runner.py), pure.

{"format": "model-atlas-standalone/1", "environment": {"engine": "transformers",
"engine_version", "gpu_name", "gpu_count", "gpu_memory_gib", "driver", "cuda", "torch",
"python", "host_cpu", "device", ...}, "results": [{"model": repo id, "precision",
"params_total", "concurrency", "input_tokens", "output_tokens", "ttft_ms", "tpot_ms",
"prefill_tokens_per_s", "decode_tokens_per_s", "peak_memory_gib", "decode_steps", "measured_at"}],
"errors": [...]} -> one RunRecord per result (the model's repo id in `model_name`, the
GPU name in `accelerator_name`).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from benchmarks.importers import ImportFormatError, RunRecord

FORMAT = "model-atlas-standalone/1"


def _when(value: object) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None


def parse_standalone(data: bytes) -> tuple[list[RunRecord], list[str]]:
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFormatError(f"not a standalone runner result: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ImportFormatError(f"not a {FORMAT} document")
    env: dict[str, Any] = dict(doc.get("environment") or {})
    records: list[RunRecord] = []
    errors = [f"runner: {e}" for e in doc.get("errors") or []]
    for i, r in enumerate(doc.get("results") or []):
        try:
            records.append(RunRecord(
                engine=str(env.get("engine") or "transformers"),
                engine_version=str(env.get("engine_version") or ""),
                input_tokens=int(r["input_tokens"]), output_tokens=int(r["output_tokens"]),
                precision=str(r["precision"]), model_name=str(r["model"]),
                accelerator_name=str(env.get("gpu_name") or env.get("host_cpu") or ""),
                accelerator_count=max(int(env.get("gpu_count") or 1), 1),
                batch_size=int(r["concurrency"]), concurrency=int(r["concurrency"]),
                ttft_ms=float(r["ttft_ms"]), tpot_ms=float(r["tpot_ms"]),
                prefill_tokens_per_s=float(r["prefill_tokens_per_s"]),
                decode_tokens_per_s=float(r["decode_tokens_per_s"]),
                peak_memory_gib=float(r["peak_memory_gib"]),
                measured_at=_when(r.get("measured_at")),
                environment=env, raw=dict(r),
            ))  # fmt: skip
        except (KeyError, TypeError, ValueError) as exc:
            errors.append(f"result {i}: {type(exc).__name__}: {exc}")
    return records, errors
