"""What a figure is, shown next to it (pure): measured, calibrated estimate, or roofline.

- measured: a trusted run of this model, format, engine, accelerator and device count at a
  comparable load (same concurrency; a context the speed model puts within 10% of the one
  asked for) — its own figure;
- calibrated: the speed model with factors fitted on N trusted runs of the engine on that
  accelerator family (or, below the minimum, its vendor, then all its accelerators),
  ± the 80th percentile of those runs' leave-one-out errors;
- roofline: the speed model with the engine's uncalibrated defaults, ± the defaults'
  error on every run of the engine (±50% without any);
- formula (memory): weights + KV cache + the engine's buffers, ± the 80th percentile of its
  error on trusted runs that measured their peak memory (±15% until three have).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from benchmarks.estimate.calibration import Calibration

Basis = Literal["measured", "calibrated", "roofline", "formula", "unknown"]


@dataclass(frozen=True, slots=True)
class Figure:
    value: float | None
    basis: Basis
    band: float | None = None  # relative error band: 0.12 = ±12%
    runs: int = 0  # runs the calibration (or the measurement) rests on
    group: str = ""  # calibration group, e.g. "llama.cpp × nvidia-ada consumer"
    run_id: int | None = None  # the measured run
    note: str = ""

    @property
    def low(self) -> float | None:
        if self.value is None or self.band is None:
            return None
        return self.value * max(1 - self.band, 0.0)

    @property
    def high(self) -> float | None:
        if self.value is None or self.band is None:
            return None
        return self.value * (1 + self.band)

    @property
    def label(self) -> str:
        """Short provenance, e.g. "calibrated on 23 runs, ±12%"."""
        pct = f"±{self.band * 100:.0f}%" if self.band is not None else ""
        if self.basis == "measured":
            return f"measured (run #{self.run_id})" if self.run_id else "measured"
        if self.basis == "calibrated":
            return f"calibrated on {self.runs} runs ({self.group}), {pct}"
        if self.basis == "roofline":
            return f"roofline estimate (uncalibrated), {pct}"
        if self.basis == "formula":
            checked = (
                f"{pct} on {self.runs} measured peaks" if self.runs else "no measured peak yet"
            )
            return f"estimate: weights + KV cache + engine buffers ({checked})"
        return self.note or "unknown"


def estimated(value: float | None, calibration: Calibration, note: str = "") -> Figure:
    if value is None:
        return Figure(None, "unknown", note=note)
    basis: Basis = "calibrated" if calibration.calibrated else "roofline"
    band = calibration.band if calibration.band == calibration.band else None  # NaN -> None
    return Figure(value, basis, band, calibration.runs, calibration.group, note=note)


@dataclass(frozen=True, slots=True)
class MeasuredPoint:
    """One trusted run's figures (the selector passes them in)."""

    run_id: int
    accelerator_id: int
    count: int
    precision: str
    engine: str
    concurrency: int
    prompt_tokens: int
    decode_tokens_per_s: float | None  # all streams
    prefill_tokens_per_s: float | None
    peak_memory_gib: float | None


def measured_match(
    points: Sequence[MeasuredPoint],
    *,
    accelerator_id: int,
    count: int,
    precision: str,
    engine: str,
    concurrency: int,
    comparable: Callable[[MeasuredPoint], bool] | None = None,
) -> MeasuredPoint | None:
    """The newest run (first in `points`) at this configuration whose load is comparable
    (`comparable`: the caller's test, e.g. that the speed model puts the run's context and
    the asked one within 10% of each other)."""
    for p in points:
        if (p.accelerator_id, p.count, p.precision, p.engine, p.concurrency) != (
            accelerator_id,
            count,
            precision,
            engine,
            concurrency,
        ):
            continue
        if comparable is None or comparable(p):
            return p
    return None
