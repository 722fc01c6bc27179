"""llmfit community benchmark submissions (`llmfit bench --share`, MIT), one JSON per file.

Schema (llmfit-core/data/community/schema.json, schemaVersion 1): {"submittedAtUnix",
"tool": {"name", "version"}, "hardware": {"hwClass", "hardwareName", "vramGb", "gpuCount",
"unifiedMemory", "cpu", "cpuCores", "ramGb", "os"}, "results": [{"model", "provider"
(ollama | vllm | mlx | llamacpp), "numRuns", "avgTps", "minTps", "maxTps", "avgTtftMs",
"avgTotalMs", "avgOutputTokens"}]}. One record per result; `avgTps` is the decode rate of
one stream (llmfit times generation only), `avgOutputTokens` the mean generated length.
The prompt is llmfit's short built-in one: its length is not stated (taken as 0), so
these runs carry no prefill rate. `vramGb` is the memory of all `gpuCount` GPUs together
(2 × RTX 3090 report 48): `memory_gib` is one device's share, what alias resolution checks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from benchmarks.importers import ImportFormatError

ENGINES = {"llamacpp": "llama.cpp", "ollama": "ollama", "mlx": "mlx", "vllm": "vllm"}


@dataclass(frozen=True, slots=True)
class CommunityResult:
    submission: str  # "<hardware dir>/<file stem>"
    hardware_name: str
    hw_class: str
    memory_gib: float | None
    gpu_count: int
    unified_memory: bool
    engine: str
    model_name: str
    decode_tokens_per_s: float
    output_tokens: int
    ttft_ms: float | None
    num_runs: int
    submitted_at: datetime | None
    tool_version: str
    environment: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)


def parse_llmfit_submission(
    data: bytes, *, submission: str
) -> tuple[list[CommunityResult], list[str]]:
    """One submission file -> results (bad results are listed as errors, not raised).
    Raises ImportFormatError when the document is not a submission at all."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFormatError(f"{submission}: not JSON ({exc})") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("hardware"), dict):
        raise ImportFormatError(f"{submission}: no hardware object")
    hw = doc["hardware"]
    results = doc.get("results")
    if not isinstance(results, list):
        raise ImportFormatError(f"{submission}: no results list")
    when = doc.get("submittedAtUnix")
    submitted = datetime.fromtimestamp(when, tz=UTC) if isinstance(when, int | float) else None
    tool = doc.get("tool") or {}
    env = {
        "gpu_name": hw.get("hardwareName") or "",
        "gpu_count": hw.get("gpuCount") or 1,
        "host_cpu": hw.get("cpu") or "",
        "os": hw.get("os") or "",
        "ram_gb": hw.get("ramGb"),
        "cpu_cores": hw.get("cpuCores"),
        "engine_tool": f"{tool.get('name', 'llmfit')} {tool.get('version', '')}".strip(),
    }
    out: list[CommunityResult] = []
    errors: list[str] = []
    for i, r in enumerate(results):
        try:
            count = max(int(hw.get("gpuCount") or 1), 1)
            engine = ENGINES[str(r["provider"]).lower()]
            tps = float(r["avgTps"])
            if tps <= 0:
                raise ValueError(f"avgTps {tps} is not positive")
            out.append(
                CommunityResult(
                    submission=submission,
                    hardware_name=str(hw.get("hardwareName") or ""),
                    hw_class=str(hw.get("hwClass") or ""),
                    memory_gib=float(hw["vramGb"]) / count if hw.get("vramGb") else None,
                    gpu_count=count,
                    unified_memory=bool(hw.get("unifiedMemory")),
                    engine=engine,
                    model_name=str(r["model"]),
                    decode_tokens_per_s=tps,
                    output_tokens=round(float(r.get("avgOutputTokens") or 0)),
                    ttft_ms=float(r["avgTtftMs"]) if r.get("avgTtftMs") is not None else None,
                    num_runs=int(r.get("numRuns") or 1),
                    submitted_at=submitted,
                    tool_version=str(tool.get("version") or ""),
                    environment=env,
                    raw=dict(r),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            errors.append(f"{submission} result {i}: {type(exc).__name__}: {exc}")
    return out, errors
