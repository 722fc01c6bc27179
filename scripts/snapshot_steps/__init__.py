"""Steps that fill the demo database from ../shared with the project's own importers.

Each module defines `run(shared: pathlib.Path, log: Callable[[str], None]) -> None`.
`scripts/build_snapshot.py` runs them in STEP_ORDER (missing modules are skipped).
"""

STEP_ORDER = (
    "hub",
    "llmfit",
    "accelerators",
    "pricing",
    "subscriptions",
    "quality",
    "benchmark_runs",
    "plans",
)
