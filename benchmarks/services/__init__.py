"""Benchmark writes. Import from here: `from benchmarks.services import accelerators_load`.

accelerators.py: the accelerator data file and estimator specs; runs.py: recording runs
(roofline flag), imports, API submits; local.py: running an engine on this host.
"""

from benchmarks.services.accelerators import (
    ACCELERATOR_FIELDS,
    ACCELERATORS_PATH,
    AcceleratorFileError,
    LoadCounts,
    accelerator_spec,
    accelerators_load,
    efficiency_for_accelerator,
    model_dims,
)
from benchmarks.services.local import benchmark_run_local
from benchmarks.services.requirements import (
    REQUIREMENT_CONTEXT_TOKENS,
    model_requirements_refresh,
    requirement_rows,
)
from benchmarks.services.runs import (
    FINGERPRINT_KEYS,
    PARSERS,
    ROOFLINE_TOLERANCE,
    BenchmarkRunInvalid,
    ImportResult,
    RunnerUnavailable,
    benchmark_run_record,
    benchmark_run_submit,
    benchmark_runs_import,
    environment_fingerprint,
    roofline_flag,
)

__all__ = [
    "ACCELERATORS_PATH",
    "ACCELERATOR_FIELDS",
    "FINGERPRINT_KEYS",
    "PARSERS",
    "REQUIREMENT_CONTEXT_TOKENS",
    "ROOFLINE_TOLERANCE",
    "AcceleratorFileError",
    "BenchmarkRunInvalid",
    "ImportResult",
    "LoadCounts",
    "RunnerUnavailable",
    "accelerator_spec",
    "accelerators_load",
    "benchmark_run_local",
    "benchmark_run_record",
    "benchmark_run_submit",
    "benchmark_runs_import",
    "efficiency_for_accelerator",
    "environment_fingerprint",
    "model_dims",
    "model_requirements_refresh",
    "requirement_rows",
    "roofline_flag",
]
