"""Import measured runs from outside: llmfit community submissions and curated published runs.

Community (`../shared/hardware/llmfit/community/<hardware>/<id>.json`, MIT): each result
becomes a run with source "community" and community trust, the submission path as its
submitter and the hardware as the submission states it. The device string resolves to an
accelerator by exact alias with the stated memory (benchmarks.devices); an unknown one is
stored with no accelerator (never trusted). The model name resolves to a catalog repo by
exact name (benchmarks.names); a result whose model is not in the catalog, or whose
weight format the name does not say, is rejected with its reason. The prompt length is not
stated (llmfit's short built-in prompt): stored as 32 tokens. Ollama runs do not prove a
fit (Ollama offloads to the CPU instead of failing).

Published (`benchmarks/data/published_runs.json`): trusted runs, source "published", each
with its source URL; rows of kind "oom" record a published out-of-memory and are not runs.

Both are idempotent (run_key) and one transaction per file.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.db import transaction
from django.db.models.functions import Lower

from benchmarks.importers import ImportFormatError, RunRecord
from benchmarks.importers.llmfit_community import parse_llmfit_submission
from benchmarks.models import Accelerator, BenchmarkRun
from benchmarks.names import RepoIndex, parse_gguf_name, parse_mlx_name, resolve_run_model
from benchmarks.selectors.devices import accelerator_resolver
from benchmarks.services.runs import BenchmarkRunInvalid, benchmark_run_record
from catalog.models import Model

logger = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parent.parent / "data"
PUBLISHED_PATH = DATA / "published_runs.json"
LLMFIT_URL = "https://github.com/AlexsJones/llmfit/tree/main/llmfit-core/data/community"
COMMUNITY_PROMPT_TOKENS = 32


@dataclass
class ImportCounts:
    created: int = 0
    unchanged: int = 0
    rejected: int = 0
    unknown_hardware: int = 0
    errors: list[str] = field(default_factory=list)


def _ollama_table() -> dict:
    return json.loads((DATA / "ollama_library.json").read_text())["tags"]


def _repo_index(names: set[str]) -> RepoIndex:
    """Catalog repos whose name part is one of `names` (case-insensitive), 1 query."""
    lowered = {n.lower() for n in names if n}
    lowered |= {n.removeprefix("meta-") for n in lowered} | {"meta-" + n for n in lowered}
    rows = (
        Model.objects.annotate(lname=Lower("name"))
        .filter(lname__in=lowered)
        .values_list("repo_id", "downloads")
    )
    return RepoIndex.build(rows)


def _name_part(raw: str, engine: str) -> str:
    if raw.lower().endswith(".gguf"):
        return parse_gguf_name(raw).name
    if ":" in raw and "/" not in raw:
        return raw
    return parse_mlx_name(raw).name


def community_runs_import(*, root: Path) -> ImportCounts:
    """Import every submission under `root` (module docstring)."""
    counts = ImportCounts()
    files = sorted(root.glob("*/*.json"))
    parsed = []
    for path in files:
        try:
            results, errors = parse_llmfit_submission(
                path.read_bytes(), submission=f"{path.parent.name}/{path.stem}"
            )
        except (OSError, ImportFormatError) as exc:
            counts.rejected += 1
            counts.errors.append(str(exc))
            continue
        counts.rejected += len(errors)
        counts.errors += errors
        parsed.append(results)
    names = {_name_part(r.model_name, r.engine) for results in parsed for r in results}
    index, ollama = _repo_index(names), _ollama_table()
    repos = {m.repo_id: m for m in Model.objects.filter(repo_id__in=_all_repos(index))}
    resolver = accelerator_resolver()
    accels = Accelerator.objects.in_bulk()
    for results in parsed:
        with transaction.atomic():
            for res in results:
                resolved = resolve_run_model(
                    res.model_name, engine=res.engine, index=index, ollama=ollama
                )
                model = repos.get(resolved.repo_id or "")
                if model is None or not resolved.precision:
                    counts.rejected += 1
                    what = "model not in the catalog" if model is None else "format unknown"
                    counts.errors.append(f"{res.submission} {res.model_name}: {what}")
                    continue
                accel_id = resolver.device(res.hardware_name, res.memory_gib)
                counts.unknown_hardware += accel_id is None
                record = RunRecord(
                    engine=res.engine,
                    engine_version="",
                    input_tokens=COMMUNITY_PROMPT_TOKENS,
                    output_tokens=max(res.output_tokens, 1),
                    precision=resolved.precision,
                    model_name=res.model_name,
                    accelerator_name=res.hardware_name,
                    accelerator_count=res.gpu_count,
                    decode_tokens_per_s=res.decode_tokens_per_s,
                    tpot_ms=1000 / res.decode_tokens_per_s,
                    ttft_ms=res.ttft_ms,
                    measured_at=res.submitted_at or datetime(2026, 1, 1, tzinfo=UTC),
                    environment={**res.environment, "memory_gib": res.memory_gib},
                    raw={**res.raw, "submission": res.submission},
                )
                try:
                    _, created = benchmark_run_record(
                        model=model,
                        accelerator=accels.get(accel_id) if accel_id else None,
                        record=record,
                        source=BenchmarkRun.Source.COMMUNITY,
                        accelerator_count=res.gpu_count,
                        trust=BenchmarkRun.Trust.COMMUNITY,
                        proves_fit=res.engine != "ollama",
                        source_url=LLMFIT_URL,
                        submitter_name=f"llmfit community ({res.submission})",
                    )
                except BenchmarkRunInvalid as exc:
                    counts.rejected += 1
                    counts.errors.append(f"{res.submission} {res.model_name}: {exc.message}")
                    continue
                counts.created += created
                counts.unchanged += not created
    logger.info(
        "community runs imported created=%d unchanged=%d rejected=%d",
        counts.created,
        counts.unchanged,
        counts.rejected,
    )
    return counts


def _all_repos(index: RepoIndex) -> set[str]:
    return {repo for repos in index.by_name.values() for repo in repos} | {
        v["repo"] for v in _ollama_table().values()
    }


def published_runs_import(*, path: Path | None = None) -> ImportCounts:
    """Import the curated published runs (module docstring); rows whose model is not in
    the catalog are counted as rejected with their reason."""
    doc = json.loads(Path(path or PUBLISHED_PATH).read_text())
    sources = doc.get("sources", {})
    # "oom" rows test the fit rules; speculative-decoding rows are not plain decode runs
    # (bench/estimate_accuracy.py scores them with the speculative model)
    runs = [r for r in doc.get("runs", []) if r.get("kind") != "oom" and not r.get("spec")]
    models = {m.repo_id: m for m in Model.objects.filter(repo_id__in={r["model"] for r in runs})}
    accels = {
        a.slug: a for a in Accelerator.objects.filter(slug__in={r["accelerator"] for r in runs})
    }
    counts = ImportCounts()
    with transaction.atomic():
        for i, r in enumerate(runs):
            model, accel = models.get(r["model"]), accels.get(r["accelerator"])
            if model is None or accel is None:
                counts.rejected += 1
                counts.errors.append(
                    f"published run {i}: {r['model']} or {r['accelerator']} missing"
                )
                continue
            source = sources.get(r["source"], {})
            record = RunRecord(
                engine=r["engine"],
                engine_version="",
                input_tokens=r["input_tokens"],
                output_tokens=r["output_tokens"],
                precision=r["precision"],
                model_name=r["model"],
                accelerator_name=r["device"],
                accelerator_count=r["count"],
                decode_tokens_per_s=r.get("decode_tokens_per_s"),
                prefill_tokens_per_s=r.get("prefill_tokens_per_s"),
                measured_at=datetime.fromisoformat(source.get("measured", "2024-05-01")).replace(
                    tzinfo=UTC
                ),
                environment={"gpu_name": r["device"], "gpu_count": r["count"]},
                raw={"source": r["source"], "method": source.get("method", "")},
            )
            _, created = benchmark_run_record(
                model=model,
                accelerator=accel,
                record=record,
                source=BenchmarkRun.Source.PUBLISHED,
                accelerator_count=r["count"],
                source_url=source.get("url", ""),
                submitter_name=source.get("title", ""),
            )
            counts.created += created
            counts.unchanged += not created
    return counts
