"""benchmarks.estimate.calibration and figures: fits, fallbacks, leave-one-out bands."""

from __future__ import annotations

import pytest

from benchmarks.estimate import AcceleratorSpec, Calibration, CalibrationSet, ModelDims, Observation
from benchmarks.estimate.calibration import MIN_RUNS, fit_decode, leave_one_out, predict_decode
from benchmarks.estimate.engines import Efficiency
from benchmarks.estimate.figures import Figure, MeasuredPoint, estimated, measured_match

ADA = AcceleratorSpec(
    "rtx-4090", "RTX 4090", 24, 1008, 165, kind="consumer", vendor="nvidia", family="nvidia-ada"
)
ADA2 = AcceleratorSpec(
    "rtx-4080", "RTX 4080", 16, 716.8, 97, kind="consumer", vendor="nvidia", family="nvidia-ada"
)
AMPERE = AcceleratorSpec(
    "rtx-3090", "RTX 3090", 24, 936, 71, kind="consumer", vendor="nvidia", family="nvidia-ampere"
)
M4 = AcceleratorSpec(
    "apple-m4-pro-24gb", "M4 Pro", 24, 273, 9, kind="apple", vendor="apple", family="apple-m4"
)
TRUE = Efficiency(bandwidth=0.62, layer_overhead_us=45.0)


def _model(billions: float, layers: int) -> ModelDims:
    return ModelDims(
        params_total=int(billions * 1e9),
        num_layers=layers,
        hidden_size=4096,
        num_heads=32,
        num_kv_heads=8,
        head_dim=128,
        vocab_size=32000,
    )


SIZES = [(0.5, 24), (1.5, 28), (3, 28), (7, 32), (14, 40), (32, 64)]


def _observations(accel: AcceleratorSpec, eff: Efficiency, prefix: str, engine="llama.cpp"):
    out = []
    for i, (b, layers) in enumerate(SIZES):
        obs = Observation(f"{prefix}{i}", _model(b, layers), "q4_k_m", accel, engine, 1, 32, 256)
        speed = predict_decode(obs, eff)
        out.append(
            Observation(
                obs.run_id,
                obs.dims,
                obs.precision,
                accel,
                engine,
                1,
                32,
                256,
                decode_tokens_per_s=speed,
            )
        )
    return out


def test_fit_recovers_the_bandwidth_efficiency_and_layer_overhead_that_made_the_runs():
    got = fit_decode(_observations(ADA, TRUE, "a"), Efficiency(0.8, 0.5, 0.3, 25.0))
    assert got.bandwidth == pytest.approx(0.62, rel=0.05)
    assert got.layer_overhead_us == pytest.approx(45.0, rel=0.15)


def test_leave_one_out_of_exact_runs_has_near_zero_error():
    errors = leave_one_out(_observations(ADA, TRUE, "a"), Efficiency(0.8, 0.5, 0.3, 25.0))
    assert max(abs(e) for e in errors) < 0.05


def test_a_run_far_below_the_estimate_is_left_out_of_the_fit():
    runs = _observations(ADA, TRUE, "a")
    bad = runs[0]
    runs[0] = Observation(
        bad.run_id,
        bad.dims,
        bad.precision,
        ADA,
        bad.engine,
        1,
        32,
        256,
        decode_tokens_per_s=bad.decode_tokens_per_s / 20,
    )
    got = fit_decode(runs, Efficiency(0.8, 0.5, 0.3, 25.0))
    assert got.bandwidth == pytest.approx(0.62, rel=0.08)


def test_lookup_falls_back_from_family_to_vendor_to_engine_to_defaults():
    calib = CalibrationSet.build(_observations(ADA, TRUE, "a") + _observations(ADA2, TRUE, "b")[:2])
    assert calib.for_accelerator("llama.cpp", ADA2).level == "family"  # ada: 8 runs
    assert calib.for_accelerator("llama.cpp", AMPERE).level == "vendor"  # nvidia consumer
    assert calib.for_accelerator("llama.cpp", M4).level == "engine"  # llama.cpp anywhere
    default = calib.for_accelerator("mlx", M4)
    assert default.level == "default"
    assert not default.calibrated
    assert default.band == pytest.approx(0.5)  # no mlx run at all


def test_engines_are_never_pooled():
    calib = CalibrationSet.build(_observations(ADA, TRUE, "a", engine="vllm"))
    assert calib.for_accelerator("llama.cpp", ADA).level == "default"
    assert calib.for_accelerator("vllm", ADA).runs == len(SIZES)


def test_band_is_the_80th_percentile_of_leave_one_out_errors():
    noisy = _observations(ADA, TRUE, "a")
    noisy[1] = Observation(
        noisy[1].run_id,
        noisy[1].dims,
        "q4_k_m",
        ADA,
        "llama.cpp",
        1,
        32,
        256,
        decode_tokens_per_s=noisy[1].decode_tokens_per_s * 1.3,
    )
    cal = CalibrationSet.build(noisy).for_accelerator("llama.cpp", ADA)
    assert cal.runs == len(SIZES) >= MIN_RUNS
    assert 0.0 < cal.band < 0.4
    assert len(cal.residuals) == len(SIZES)


def test_excluding_a_run_refits_without_it():
    calib = CalibrationSet.build(_observations(ADA, TRUE, "a"))
    assert calib.for_accelerator("llama.cpp", ADA, exclude="a0").runs == len(SIZES) - 1


def test_figures_say_what_they_are():
    cal = Calibration("llama.cpp", "family", "llama.cpp × nvidia-ada consumer", TRUE, 12, 0.14)
    fig = estimated(100.0, cal)
    assert fig.basis == "calibrated"
    assert (fig.low, fig.high) == (pytest.approx(86), pytest.approx(114))
    assert fig.label == "calibrated on 12 runs (llama.cpp × nvidia-ada consumer), ±14%"
    default = Calibration("mlx", "default", "mlx defaults", TRUE, 0, 0.5)
    assert estimated(10.0, default).label == "roofline estimate (uncalibrated), ±50%"
    assert Figure(55.0, "measured", run_id=7).label == "measured (run #7)"
    assert estimated(None, cal).basis == "unknown"


def test_a_measured_run_matches_only_its_configuration_at_a_comparable_load():
    runs = [MeasuredPoint(9, 1, 1, "q4_k_m", "llama.cpp", 1, 512, 120.0, None, None)]
    kw = {
        "accelerator_id": 1,
        "count": 1,
        "precision": "q4_k_m",
        "engine": "llama.cpp",
        "concurrency": 1,
    }
    assert measured_match(runs, **kw).run_id == 9
    assert measured_match(runs, comparable=lambda p: p.prompt_tokens > 1000, **kw) is None
    assert measured_match(runs, **{**kw, "count": 2}) is None
