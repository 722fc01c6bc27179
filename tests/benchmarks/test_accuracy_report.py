"""bench/estimate_accuracy.py scores every row and keeps the trusted sources within target."""

from __future__ import annotations

import csv
import re
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.shared
@pytest.mark.slow
def test_the_accuracy_report_scores_every_row_and_trusted_runs_stay_within_15_percent(
    shared_dir, tmp_path
):
    out = tmp_path / "rows.csv"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench/estimate_accuracy.py"), "--shared", str(shared_dir),
         "--rows", str(out)],
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    total = int(re.search(r"rows: (\d+)", proc.stdout).group(1))
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == total
    # coverage is stated over all rows and over the rows not classified as mislabelled
    assert re.search(r"of the \d+ rows not classified as mislabelled: \d+", proc.stdout)
    assert "memory readings:" in proc.stdout
    assert "speculative" in proc.stdout
    assert {r["source"] for r in rows} == {"published", "community", "bench-cache"}
    # every row not predicted says why
    assert all(r["reason"] for r in rows if not r["predicted_decode"])
    for source in ("published", "community"):  # leave-one-out: calibrated without the row
        errors = sorted(
            abs(float(r["predicted_decode"]) / float(r["measured_decode"]) - 1)
            for r in rows
            if r["source"] == source and r["predicted_decode"] and r["measured_decode"]
        )
        assert statistics.median(errors) < 0.15, source
    # speculative rows carry their method, drafted tokens and acceptance
    assert any(r["spec"].startswith("mtp k=") for r in rows if r["source"] == "published")


@pytest.mark.shared
def test_the_smoke_run_takes_seconds(shared_dir):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench/estimate_accuracy.py"), "--shared", str(shared_dir),
         "--smoke"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert re.search(r"rows: \d+, predicted", proc.stdout)
