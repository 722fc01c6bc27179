"""Benchmark reads shared by the website, the API and the planner.

runs.py: accelerator and run lists; devices.py: device / instance names -> accelerators;
calibration.py: the calibration set over trusted runs; estimates.py: requirements and
"what runs on this accelerator", with calibration and measured runs applied.
"""

from benchmarks.selectors.devices import Resolver, accelerator_match, accelerator_resolver
from benchmarks.selectors.runs import (
    accelerator_get,
    accelerator_list,
    benchmark_run_list,
    benchmark_run_list_for_model,
)

__all__ = [
    "Resolver",
    "accelerator_get",
    "accelerator_list",
    "accelerator_match",
    "accelerator_resolver",
    "benchmark_run_list",
    "benchmark_run_list_for_model",
]
