"""Test-only Celery tasks (no business logic): the worker fault harness's probes.

Loaded by the harness's worker with `--include tests.ops.celery_tasks`; never by the site.
"""

from __future__ import annotations

import time
from pathlib import Path

from config.celery import app


@app.task(name="tests.ops.ping")
def ping() -> str:
    return "pong"


@app.task(name="tests.ops.mark_slowly")
def mark_slowly(path: str, seconds: float) -> str:
    """Append 'started', sleep, append 'done': shows whether a run was cut and redone."""
    marks = Path(path)
    with marks.open("a") as fh:
        fh.write("started\n")
    time.sleep(seconds)
    with marks.open("a") as fh:
        fh.write("done\n")
    return "done"
