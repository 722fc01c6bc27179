"""Benchmark writes. Import from here: `from benchmarks.services import accelerators_load`.

accelerators.py: the accelerator data file and estimator specs; runs.py: recording runs
(roofline flag), imports, API submits; community.py: llmfit community and published runs;
standalone.py: result files of the standalone GPU runner; local.py: running an engine on
this host; requirements.py: the precomputed rows behind the catalog's `fits` filter.
"""

from benchmarks.services.accelerators import (
    ACCELERATOR_FIELDS,
    ACCELERATORS_PATH,
    DIM_FIELDS,
    LIST_PRICES_PATH,
    AcceleratorFileError,
    LoadCounts,
    accelerator_spec,
    accelerators_load,
    dims_from_values,
    model_dims,
)
from benchmarks.services.community import (
    ImportCounts,
    community_runs_import,
    published_runs_import,
)
from benchmarks.services.local import benchmark_run_local
from benchmarks.services.requirements import (
    REQUIREMENT_CONTEXT_TOKENS,
    REQUIREMENT_PRECISIONS,
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
from benchmarks.services.standalone import standalone_runs_import

__all__ = [
    "ACCELERATORS_PATH",
    "ACCELERATOR_FIELDS",
    "DIM_FIELDS",
    "FINGERPRINT_KEYS",
    "LIST_PRICES_PATH",
    "PARSERS",
    "REQUIREMENT_CONTEXT_TOKENS",
    "REQUIREMENT_PRECISIONS",
    "ROOFLINE_TOLERANCE",
    "AcceleratorFileError",
    "BenchmarkRunInvalid",
    "ImportCounts",
    "ImportResult",
    "LoadCounts",
    "RunnerUnavailable",
    "accelerator_spec",
    "accelerators_load",
    "benchmark_run_local",
    "benchmark_run_record",
    "benchmark_run_submit",
    "benchmark_runs_import",
    "community_runs_import",
    "dims_from_values",
    "environment_fingerprint",
    "model_dims",
    "model_requirements_refresh",
    "published_runs_import",
    "requirement_rows",
    "roofline_flag",
    "standalone_runs_import",
]
