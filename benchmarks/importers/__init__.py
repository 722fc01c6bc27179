"""Pure parsers of benchmark result files: bytes -> (list[RunRecord], list[str] errors).

`vllm.parse_vllm` reads `vllm bench serve --save-result` (benchmark_serving.py) JSON;
`llama_bench.parse_llama_bench` reads llama.cpp `llama-bench -o json|csv`. Parsers never
raise for one bad record; they raise `ImportFormatError` when the document is unreadable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class ImportFormatError(ValueError):
    """The whole document is unreadable (not JSON/CSV, or not the expected shape)."""


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One run as a result file states it (names as the file spells them)."""

    engine: str
    engine_version: str
    input_tokens: int
    output_tokens: int
    precision: str = ""  # a key of estimate.PRECISIONS when the file tells it, else ""
    model_name: str = ""
    accelerator_name: str = ""
    accelerator_count: int | None = None
    batch_size: int = 1
    concurrency: int = 1
    ttft_ms: float | None = None
    tpot_ms: float | None = None
    prefill_tokens_per_s: float | None = None
    decode_tokens_per_s: float | None = None
    peak_memory_gib: float | None = None
    measured_at: datetime | None = None
    environment: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
