"""Calibration of the speed model from measured runs, per engine × accelerator family (pure).

Batch-1 decode is memory bound, so its step time is linear in the two factors calibrated:
  t = (bytes per token / bandwidth) × x + layers × τ,   x = 1 / η
(speed.py). Over a group's runs, x and τ minimise Σ ((t_pred − t_meas) / t_meas)²
(relative error), with a weak prior toward the engine's defaults (worth a fifth of a run; τ on a
100 µs scale), so a group of same-sized models cannot send τ anywhere; η is clamped to
[0.05, 1] and τ to [0, 2000] µs. Prefill MFU is the median over runs with a measured
prefill rate of measured / rate at MFU 1.

Groups never pool engines. A request is answered by the first level with at least
MIN_RUNS runs: engine × accelerator family, then engine × vendor and kind, then the engine
over all accelerators of the device class (GPUs, or CPU hosts: never pooled); below that,
the engine's uncalibrated defaults for that class (a roofline estimate). The error band
of a level is the 80th percentile of its leave-one-out relative errors (each run
predicted by a fit without it; 10-fold above 50 runs); the uncalibrated band is the same
percentile of the defaults' errors on every run of the engine and class, or ±50% without
any.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from benchmarks.estimate.dims import ModelDims
from benchmarks.estimate.engines import Efficiency, engine_get
from benchmarks.estimate.memory import AcceleratorSpec, device_class
from benchmarks.estimate.speed import decode_step, overhead_layers, prefill_seconds

MIN_RUNS = 5
PRIOR_RUNS = 0.2
TAU_PRIOR_SCALE_S = 100e-6  # a 100 µs miss of τ weighs like a 100% miss of one run
# A run measured below 1/OUTLIER_RATIO of what the engine's defaults predict, or above the
# 100%-efficiency roofline, says more about that machine (CPU offload, thermal limits,
# a mislabelled setup) than about the engine: it is left out of the fit.
OUTLIER_RATIO = 4.0
KFOLD_ABOVE = 50
K_FOLDS = 10
BAND_PERCENTILE = 0.8
UNCALIBRATED_BAND = 0.5


@dataclass(frozen=True, slots=True)
class Observation:
    """One trusted measured run, as calibration needs it."""

    run_id: str
    dims: ModelDims
    precision: str
    accel: AcceleratorSpec
    engine: str
    count: int = 1
    prompt_tokens: int = 512
    output_tokens: int = 128
    kv_precision: str = "bf16"
    decode_tokens_per_s: float | None = None  # per stream, concurrency 1
    prefill_tokens_per_s: float | None = None


@dataclass(frozen=True, slots=True)
class Calibration:
    """The factors one estimate uses and what they rest on."""

    engine: str
    level: str  # "family", "vendor", "engine" or "default"
    group: str  # e.g. "llama.cpp × nvidia-ada"
    efficiency: Efficiency
    runs: int
    band: float  # relative error band (0.12 = ±12%)
    residuals: tuple[float, ...] = ()  # leave-one-out relative errors

    @property
    def calibrated(self) -> bool:
        return self.level != "default"


def _terms(obs: Observation, prior: Efficiency) -> tuple[float, float, float]:
    """(seconds of bytes / bandwidth at η = 1, layers, η- and τ-free overhead seconds:
    layer hops and all-reduces) of a run's decode step."""
    parts = decode_step(
        obs.dims,
        obs.precision,
        obs.accel,
        engine=obs.engine,
        count=obs.count,
        context_tokens=obs.prompt_tokens + obs.output_tokens // 2,
        kv_precision=obs.kv_precision,
        efficiency=replace(prior, bandwidth=1.0, layer_overhead_us=0.0),
    )
    eng = engine_get(obs.engine)
    moe = 1 + eng.moe_layer_factor if obs.dims.is_moe else 1.0
    return parts.memory_s, overhead_layers(obs.dims) * moe, parts.overhead_s


def fit_decode(observations: Sequence[Observation], prior: Efficiency) -> Efficiency:
    """x = 1/η and τ by prior-weighted relative least squares (module docstring)."""
    x0, tau0 = 1 / prior.bandwidth, prior.layer_overhead_us * 1e-6
    s_aa = s_al = s_ll = s_a = s_l = 0.0  # normal equations of Σ (a x + l τ − 1)²
    used = 0
    for obs in usable(observations, prior):
        memory_s, layers, extra = _terms(obs, prior)
        t = 1 / obs.decode_tokens_per_s - extra
        if t <= 0 or memory_s <= 0:
            continue
        a, lay = memory_s / t, layers / t
        s_aa += a * a
        s_al += a * lay
        s_ll += lay * lay
        s_a += a
        s_l += lay
        used += 1
    if not used:
        return prior
    # Prior rows worth PRIOR_RUNS runs: (x − x0) / x0 and (τ − τ0) / TAU_PRIOR_SCALE_S.
    wx, wt = PRIOR_RUNS / x0**2, PRIOR_RUNS / TAU_PRIOR_SCALE_S**2
    s_aa += wx
    s_a += wx * x0
    s_ll += wt
    s_l += wt * tau0
    det = s_aa * s_ll - s_al * s_al
    if det <= 0:
        return prior
    x = (s_a * s_ll - s_al * s_l) / det
    tau = (s_aa * s_l - s_al * s_a) / det
    if tau < 0:
        tau = 0.0
        x = s_a / s_aa
    x = min(max(x, 1.0), 20.0)
    tau = min(tau, 2000e-6)
    return replace(prior, bandwidth=1 / x, layer_overhead_us=tau * 1e6)


def usable(observations: Sequence[Observation], prior: Efficiency) -> list[Observation]:
    """Decode runs the fit may use: not outliers (OUTLIER_RATIO, roofline)."""
    out = []
    for obs in observations:
        if not obs.decode_tokens_per_s:
            continue
        expected = predict_decode(obs, prior)
        bound = predict_decode(obs, replace(prior, bandwidth=1.0, layer_overhead_us=0.0))
        if expected / OUTLIER_RATIO <= obs.decode_tokens_per_s <= bound * 1.05:
            out.append(obs)
    return out


def fit_prefill(observations: Sequence[Observation], prior: Efficiency) -> float:
    ratios = []
    ideal = replace(prior, prefill_mfu=1.0, layer_overhead_us=0.0)
    for obs in observations:
        if not obs.prefill_tokens_per_s or obs.prompt_tokens < 64:
            continue
        seconds = prefill_seconds(
            obs.dims,
            obs.precision,
            obs.accel,
            engine=obs.engine,
            count=obs.count,
            prompt_tokens=obs.prompt_tokens,
            efficiency=ideal,
        )
        ideal_rate = obs.prompt_tokens / seconds
        ratios.append(obs.prefill_tokens_per_s / ideal_rate)
    if not ratios:
        return prior.prefill_mfu
    return min(max(statistics.median(ratios), 0.01), 1.0)


def fit(observations: Sequence[Observation], prior: Efficiency) -> Efficiency:
    eff = fit_decode(observations, prior)
    return replace(eff, prefill_mfu=fit_prefill(observations, prior))


def predict_decode(obs: Observation, eff: Efficiency) -> float:
    step = decode_step(
        obs.dims,
        obs.precision,
        obs.accel,
        engine=obs.engine,
        count=obs.count,
        context_tokens=obs.prompt_tokens + obs.output_tokens // 2,
        kv_precision=obs.kv_precision,
        efficiency=eff,
    ).step_s
    return 1 / step


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return math.nan
    idx = min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))
    return ordered[idx]


def leave_one_out(observations: Sequence[Observation], prior: Efficiency) -> list[float]:
    """Relative error of each run's decode predicted by a fit on the others (above
    KFOLD_ABOVE runs, K_FOLDS-fold: each fold predicted by a fit on the rest)."""
    decode = [o for o in observations if o.decode_tokens_per_s]
    folds = len(decode) if len(decode) <= KFOLD_ABOVE else K_FOLDS
    errors = []
    for k in range(folds):
        held = decode[k::folds]
        eff = fit_decode([o for i, o in enumerate(decode) if i % folds != k], prior)
        errors += [predict_decode(o, eff) / o.decode_tokens_per_s - 1 for o in held]
    return errors


def family_key(accel: AcceleratorSpec) -> str:
    """Architecture and board kind: an A100 in a cloud server and an RTX 3090 in a desktop
    share Ampere but not memory type, host or driver stack."""
    kind = "unified" if accel.unified else accel.kind
    return f"{accel.family or accel.vendor} {kind}"


def vendor_key(accel: AcceleratorSpec) -> str:
    kind = "unified" if accel.unified else accel.kind
    return f"{accel.vendor}-{kind}"


_PLURAL = {"gpu": "GPUs", "cpu": "CPU hosts"}


def _class_of(level: str, key: str, runs: Sequence[Observation]) -> str:
    if level == "engine":
        return key
    return device_class(runs[0].accel) if runs else "gpu"


@dataclass
class CalibrationSet:
    """Calibrations fitted once over a set of trusted runs, looked up per request."""

    observations: list[Observation]
    _groups: dict[tuple[str, str, str], list[Observation]]
    _cache: dict[tuple, Calibration]

    @classmethod
    def build(cls, observations: Sequence[Observation]) -> CalibrationSet:
        groups: dict[tuple[str, str, str], list[Observation]] = defaultdict(list)
        for obs in observations:
            eng = engine_get(obs.engine).name
            groups[(eng, "family", family_key(obs.accel))].append(obs)
            groups[(eng, "vendor", vendor_key(obs.accel))].append(obs)
            groups[(eng, "engine", device_class(obs.accel))].append(obs)
        return cls(list(observations), dict(groups), {})

    def for_accelerator(
        self, engine: str, accel: AcceleratorSpec, *, exclude: str | None = None
    ) -> Calibration:
        """The calibration an estimate for `engine` on `accel` uses (module docstring);
        `exclude`: leave that run out (scoring a run that is itself in the set)."""
        eng = engine_get(engine)
        for level, key in (
            ("family", family_key(accel)),
            ("vendor", vendor_key(accel)),
            ("engine", device_class(accel)),
        ):
            runs = self._groups.get((eng.name, level, key), [])
            if exclude is not None:
                runs = [o for o in runs if o.run_id != exclude]
            if len([o for o in runs if o.decode_tokens_per_s]) >= MIN_RUNS:
                return self._calibration(eng.name, level, key, runs, exclude)
        return self._default(eng.name, device_class(accel))

    def family_calibrations(self) -> list[Calibration]:
        """The engine × accelerator family calibrations with enough runs (for logs, pages)."""
        return [
            self._calibration(engine, level, key, runs)
            for (engine, level, key), runs in sorted(self._groups.items())
            if level == "family" and len([o for o in runs if o.decode_tokens_per_s]) >= MIN_RUNS
        ]

    def _calibration(
        self, engine: str, level: str, key: str, runs: list[Observation], exclude: str | None = None
    ) -> Calibration:
        cache_key = (engine, level, key, exclude)
        if cache_key not in self._cache:
            prior = engine_get(engine).defaults_for(_class_of(level, key, runs))
            label = f"{engine} × {key}" if level != "engine" else f"{engine} (all {_PLURAL[key]})"
            if exclude is not None:  # scoring only needs the factors
                self._cache[cache_key] = Calibration(
                    engine, level, label, fit(runs, prior), len(runs), math.nan
                )
                return self._cache[cache_key]
            residuals = leave_one_out(runs, prior)
            band = _percentile([abs(r) for r in residuals], BAND_PERCENTILE)
            self._cache[cache_key] = Calibration(
                engine, level, label, fit(runs, prior), len(runs), band, tuple(residuals)
            )
        return self._cache[cache_key]

    def _default(self, engine: str, cls: str = "gpu") -> Calibration:
        cache_key = (engine, "default", cls, None)
        if cache_key not in self._cache:
            prior = engine_get(engine).defaults_for(cls)
            runs = [
                o for o in self._groups.get((engine, "engine", cls), []) if o.decode_tokens_per_s
            ]
            residuals = [predict_decode(o, prior) / o.decode_tokens_per_s - 1 for o in runs]
            band = (
                _percentile([abs(r) for r in residuals], BAND_PERCENTILE)
                if len(residuals) >= 3
                else UNCALIBRATED_BAND
            )
            self._cache[cache_key] = Calibration(
                engine,
                "default",
                f"{engine} defaults on {_PLURAL[cls]} (uncalibrated roofline)",
                prior,
                0,
                band,
                tuple(residuals),
            )
        return self._cache[cache_key]
