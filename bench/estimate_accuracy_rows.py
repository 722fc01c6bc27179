"""Rows for bench/estimate_accuracy.py: every measurement normalised to one shape (no Django).

A row carries what the estimator needs (model dims, format, accelerator spec, engine,
devices, prompt/output/context, concurrency) and what was measured (decode tokens/s of
all streams, prefill tokens/s, peak memory GiB). A row that cannot be predicted keeps
`reason` (unknown hardware, model, format or engine; speculative decoding; a CPU host).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.devices import UNKNOWN, DeviceTable
from benchmarks.estimate import (
    AcceleratorSpec,
    ModelDims,
)
from benchmarks.estimate.configs import dims_from_config
from benchmarks.estimate.speculative import Speculation
from benchmarks.importers.llmfit_community import parse_llmfit_submission
from benchmarks.names import RepoIndex, resolve_run_model

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"


OLLAMA_NUM_CTX = 4096


@dataclass
class Row:
    source: str
    key: str
    device: str
    accel: AcceleratorSpec | None
    count: int
    engine: str
    precision: str
    model: str
    dims: ModelDims | None
    prompt_tokens: int
    output_tokens: int
    context_tokens: int
    concurrency: int = 1
    kv_precision: str = "bf16"
    decode: float | None = None
    prefill: float | None = None
    memory: float | None = None
    calibrates: bool = False
    reason: str = ""
    decode_depth: int | None = None  # llama-bench -d: decode starts at this context
    gpu_layers: int | None = None  # llama.cpp -ngl below the layer count: CPU offload
    e2e: bool = False  # the decode figure is output / (TTFT + decode time)
    ubatch: int | None = None  # llama.cpp -ub when the command line gives it
    cpu_moe_layers: int = 0  # llama.cpp --n-cpu-moe: experts of N layers on the CPU
    context_stated: bool = False  # the run set its context (-c, llama-bench p + n + d)
    own_dims: bool = True  # dims of the model itself (catalog, config, model card), not a size
    spec: Speculation | None = None  # speculative decoding, as the row ran it
    extra: dict = field(default_factory=dict)

    @property
    def predictable(self) -> bool:
        return not self.reason

    @property
    def fit_context(self) -> int:
        """The context the run's memory held. A stated context (-c) is allocated whole;
        without one, llama.cpp sizes its context to what fits (`--fit`, on by default) and
        Ollama allocates its default num_ctx of 4096 (Ollama FAQ), so only what the run
        needs (prompt + output) has to fit."""
        needed = self.prompt_tokens + self.output_tokens + (self.decode_depth or 0)
        if self.context_stated:
            return max(self.context_tokens, needed)
        return max(needed, OLLAMA_NUM_CTX) if self.engine == "ollama" else needed

    @property
    def decode_context_prompt(self) -> int:
        """The prompt length the estimator should assume before decode starts."""
        return self.decode_depth if self.decode_depth is not None else self.prompt_tokens


@dataclass
class Catalog:
    dims: dict[str, ModelDims]  # lower-cased repo id -> dims
    index: RepoIndex
    devices: DeviceTable
    accels: dict[str, AcceleratorSpec]
    ollama: dict
    facts: dict[str, ModelDims] = field(default_factory=dict)  # model cards (see below)


def _spec(a: dict) -> AcceleratorSpec:
    return AcceleratorSpec(
        a["slug"],
        a["name"],
        a["memory_gib"],
        a["bandwidth_gbps"],
        a["bf16_tflops"] or 0.0,
        a.get("fp8_tflops"),
        a.get("int8_tops"),
        a.get("tdp_watts"),
        a["kind"],
        a["vendor"],
        a.get("family") or "",
    )


def load_catalog(shared: Path) -> Catalog:
    doc = json.loads((DATA / "accelerators.json").read_text())
    accels = {a["slug"]: _spec(a) for a in doc["accelerators"]}
    devices = DeviceTable.build(
        [(a["slug"], a["memory_gib"], [a["name"], *a["aliases"]]) for a in doc["accelerators"]],
        doc.get("device_groups", {}),
    )
    configs = {}
    for path in (shared / "hub" / "configs").glob("*--*.json"):
        configs[path.stem.replace("--", "/").lower()] = json.loads(path.read_text())
    dims: dict[str, ModelDims] = {}
    repos = []
    for m in json.loads((shared / "hardware/llmfit/hf_models.json").read_text()):
        total = m.get("parameters_raw") or 0
        if total <= 0:
            continue
        repos.append((m["name"], m.get("hf_downloads") or 0))
        active = m.get("active_parameters") if m.get("is_moe") else None
        if not active and (named := dims_from_name(m["name"])) and named.params_active:
            active = named.params_active  # "Kimi-Linear-48B-A3B": MoE by its name
        cfg = configs.get(m["name"].lower())
        if cfg:
            dims[m["name"].lower()] = dims_from_config(
                cfg, params_total=total, params_active=active
            )
            continue
        dims[m["name"].lower()] = ModelDims(
            params_total=total,
            params_active=active,
            num_layers=m.get("num_hidden_layers"),
            hidden_size=m.get("hidden_size"),
            num_heads=m.get("num_attention_heads"),
            num_kv_heads=m.get("num_key_value_heads"),
            head_dim=m.get("head_dim"),
            vocab_size=m.get("vocab_size"),
            context_tokens=m.get("context_length"),
            num_experts=m.get("num_experts") if m.get("is_moe") else None,
            experts_per_token=m.get("active_experts") if m.get("is_moe") else None,
            # llmfit stores a dense model's FFN size under moe_intermediate_size
            intermediate_size=None if m.get("is_moe") else m.get("moe_intermediate_size"),
            model_type=m.get("architecture") or "",
        )
    for repo, cfg in configs.items():  # dense models with a config but no catalog row
        total = _dense_params(cfg)
        if repo not in dims and total:
            dims[repo] = dims_from_config(cfg, params_total=total)
            repos.append((repo, 0))
    ollama = json.loads((DATA / "ollama_library.json").read_text())["tags"]
    return Catalog(dims, RepoIndex.build(repos), devices, accels, ollama, _model_facts(dims))


FACT_FIELDS = (
    "params_total",
    "params_active",
    "num_experts",
    "experts_per_token",
    "num_layers",
    "hidden_size",
    "num_heads",
    "num_kv_heads",
    "head_dim",
    "vocab_size",
    "sliding_window",
    "sliding_window_layers",
)


def _model_facts(dims: dict[str, ModelDims]) -> dict[str, ModelDims]:
    """bench/estimate_accuracy_models.json: model-card facts (or `dims_from` a catalog model
    of the same architecture) for models the catalog lacks, under every alias."""
    doc = json.loads((ROOT / "bench" / "estimate_accuracy_models.json").read_text())
    out: dict[str, ModelDims] = {}
    for repo, entry in doc["models"].items():
        if entry.get("dims_from"):
            fact = dims.get(entry["dims_from"].lower())
            if fact is None:
                continue
        else:
            fact = ModelDims(**{k: entry[k] for k in FACT_FIELDS if k in entry})
        for name in (repo, *entry.get("aliases", ())):
            out[name.lower()] = fact
    return out


def _facts_by_name(catalog: Catalog, name: str, repo: str) -> tuple[str, ModelDims | None]:
    """The facts-table entry whose name part is `name` (a GGUF file's "Laguna-XS-2.1"), with
    a QAT suffix off ("gemma-4-E2B-it-QAT" is the gemma-4-E2B-it the catalog knows)."""
    lowered = re.sub(r"(?i)-qat$", "", name).lower()
    for key, dims in catalog.facts.items():
        if key.rsplit("/", 1)[-1] == lowered:
            return key, dims
    for key in catalog.dims:
        if key.rsplit("/", 1)[-1] == lowered and lowered != name.lower():
            return key, catalog.dims[key]
    return repo, None


def _dense_params(cfg: dict) -> int | None:
    """Parameters of a dense decoder from its config.json (attention + gated FFN per layer,
    the embedding, and the LM head unless tied); None for MoE or incomplete configs."""
    cfg = cfg.get("text_config") or cfg
    h, layers = cfg.get("hidden_size"), cfg.get("num_hidden_layers")
    heads, ffn, vocab = (
        cfg.get("num_attention_heads"),
        cfg.get("intermediate_size"),
        cfg.get("vocab_size"),
    )
    if (
        not (h and layers and heads and ffn and vocab)
        or cfg.get("num_experts")
        or cfg.get("num_local_experts")
    ):
        return None
    hd = cfg.get("head_dim") or h // heads
    kv = cfg.get("num_key_value_heads") or heads
    attn = h * (heads * hd + 2 * kv * hd) + heads * hd * h
    tables = 1 if cfg.get("tie_word_embeddings", True) else 2
    return int(layers * (attn + 3 * h * ffn) + tables * vocab * h)


_SIZE_IN_NAME = re.compile(
    r"(?i)(?:^|[-_ .])(\d+(?:\.\d+)?)([BM])(?:-A(\d+(?:\.\d+)?)B)?(?=$|[-_ .])"
)


def dims_from_name(*names: str) -> ModelDims | None:
    """The size a model's published name states ("Codestral-22B", "Qwen3.6-35B-A3B": 35B
    total, 3B active), as dims without layer shapes (so no KV cache), or None."""
    for name in names:
        found = _SIZE_IN_NAME.search((name or "").split("/")[-1])
        if found:
            total = float(found.group(1)) * (1e9 if found.group(2).upper() == "B" else 1e6)
            active = float(found.group(3)) * 1e9 if found.group(3) else None
            return ModelDims(params_total=int(total), params_active=int(active) if active else None)
    return None


def _finish(row: Row, catalog: Catalog, slug: str) -> Row:
    if row.reason:
        return row
    if slug == UNKNOWN or slug not in catalog.accels:
        row.reason = "hardware unknown"
    elif not row.engine:
        row.reason = "engine not modelled"
    elif row.dims is None:
        row.reason = "model unknown"
    elif not row.precision:
        row.reason = "weight format unknown"
    else:
        row.accel = catalog.accels[slug]
    return row


def rows_published(catalog: Catalog) -> list[Row]:
    doc = json.loads((DATA / "published_runs.json").read_text())
    rows = []
    for i, r in enumerate(doc["runs"]):
        if r.get("kind") == "oom":
            continue
        # "dims_from": a model of the same architecture and size the catalog has dims for
        dims = catalog.dims.get((r.get("dims_from") or r["model"]).lower())
        row = Row(
            "published",
            f"pub-{i}",
            r["device"],
            None,
            r["count"],
            r["engine"],
            r["precision"],
            r["model"],
            dims,
            r["input_tokens"],
            r["output_tokens"],
            r.get("context_tokens") or r["input_tokens"] + r["output_tokens"],
            kv_precision=r.get("kv_precision") or "bf16",
            decode=r.get("decode_tokens_per_s"),
            prefill=r.get("prefill_tokens_per_s"),
            memory=r.get("peak_memory_gib"),
            calibrates=True,
            context_stated=bool(r.get("context_tokens")),
        )
        if not row.decode:
            continue  # prefill-only rows calibrate prefill; decode is what is scored
        if r.get("spec"):
            row.spec = Speculation(**r["spec"])
        rows.append(_finish(row, catalog, r["accelerator"]))
    return rows


def rows_community(shared: Path, catalog: Catalog) -> list[Row]:
    rows = []
    for path in sorted((shared / "hardware/llmfit/community").glob("*/*.json")):
        results, _ = parse_llmfit_submission(
            path.read_bytes(), submission=f"{path.parent.name}/{path.stem}"
        )
        for j, res in enumerate(results):
            resolved = resolve_run_model(
                res.model_name, engine=res.engine, index=catalog.index, ollama=catalog.ollama
            )
            repo = resolved.repo_id or ""
            dims = catalog.dims.get(repo.lower()) if repo else None
            if dims is None and resolved.parsed:  # a model card of bench's facts table
                repo, dims = _facts_by_name(catalog, resolved.parsed.name, repo)
            by_name = dims is None
            if by_name:  # not in the catalog: the size in its published name, scored only
                dims = dims_from_name(resolved.parsed.name if resolved.parsed else res.model_name)
            slug = catalog.devices.resolve(res.hardware_name, res.memory_gib)
            row = Row(
                "community",
                f"{res.submission}#{j}",
                res.hardware_name,
                None,
                res.gpu_count,
                res.engine,
                resolved.precision or "",
                repo or res.model_name,
                dims,
                32,
                res.output_tokens,
                4096,
                decode=res.decode_tokens_per_s,
                calibrates=not by_name,
                own_dims=not by_name,
            )
            rows.append(_finish(row, catalog, slug))
    return rows
