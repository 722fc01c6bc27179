"""Import result files of the standalone GPU runner as measured runs."""

from __future__ import annotations

from django.db import transaction

from benchmarks.importers import ImportFormatError
from benchmarks.importers.standalone import parse_standalone
from benchmarks.models import Accelerator, BenchmarkRun
from benchmarks.selectors.devices import accelerator_resolver
from benchmarks.services.community import ImportCounts
from benchmarks.services.runs import BenchmarkRunInvalid, benchmark_run_record
from catalog.models import Model


def standalone_runs_import(*, data: bytes) -> ImportCounts:
    """One result file -> runs (source "standalone"): full-size random-weight models on the
    runner's own GPU, so trusted when the GPU name resolves to an accelerator (with its
    memory) and stored as unknown hardware otherwise; a CPU host's result is stored on no
    accelerator (never trusted). Results whose model is not in the catalog are rejected.
    Idempotent (run_key); one transaction. Raises ImportFormatError for an unreadable file.
    """
    records, errors = parse_standalone(data)
    counts = ImportCounts(errors=list(errors), rejected=len(errors))
    models = {
        m.repo_id: m for m in Model.objects.filter(repo_id__in={r.model_name for r in records})
    }
    resolver = accelerator_resolver()
    with transaction.atomic():
        for record in records:
            model = models.get(record.model_name)
            if model is None:
                counts.rejected += 1
                counts.errors.append(f"{record.model_name}: not in the catalog")
                continue
            on_gpu = record.environment.get("device") == "cuda"
            memory = record.environment.get("gpu_memory_gib")
            pk = resolver.device(record.accelerator_name, memory) if on_gpu else None
            counts.unknown_hardware += pk is None
            try:
                _, created = benchmark_run_record(
                    model=model, accelerator=Accelerator.objects.get(pk=pk) if pk else None,
                    record=record, source=BenchmarkRun.Source.STANDALONE,
                    accelerator_count=record.accelerator_count,
                )  # fmt: skip
            except BenchmarkRunInvalid as exc:
                counts.rejected += 1
                counts.errors.append(f"{record.model_name}: {exc.message}")
                continue
            counts.created += created
            counts.unchanged += not created
    return counts


__all__ = ["ImportFormatError", "standalone_runs_import"]
