"""Small builders for benchmark tests (real services where the state is "after a load")."""

from __future__ import annotations

from itertools import count

from benchmarks.importers import RunRecord
from benchmarks.models import Accelerator
from benchmarks.services import accelerators_load
from catalog.models import Model

_seq = count(1)

LLAMA_8B_DIMS = {
    "params_total": 8_030_261_248, "num_layers": 32, "hidden_size": 4096, "num_heads": 32,
    "num_kv_heads": 8, "head_dim": 128, "intermediate_size": 14336, "vocab_size": 128256,
    "context_tokens": 131072, "model_type": "llama",
}  # fmt: skip


def make_model(repo_id: str | None = None, **fields: object) -> Model:
    values = {**LLAMA_8B_DIMS, **fields}
    repo_id = repo_id or f"org/model-{next(_seq)}"
    return Model.objects.create(repo_id=repo_id, name=repo_id.split("/")[-1], **values)


def load_accelerators() -> dict[str, Accelerator]:
    accelerators_load()
    return {a.slug: a for a in Accelerator.objects.all()}


def make_record(**fields: object) -> RunRecord:
    values: dict = {
        "engine": "vllm", "engine_version": "0.9.1", "input_tokens": 512, "output_tokens": 128,
        "precision": "bf16", "concurrency": 1, "ttft_ms": 40.0, "tpot_ms": 12.0,
        "decode_tokens_per_s": 83.0, "environment": {"gpu_name": "NVIDIA H100 80GB HBM3"},
    }  # fmt: skip
    values.update(fields)
    return RunRecord(**values)
