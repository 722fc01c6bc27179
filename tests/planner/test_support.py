"""Hardware that can run it (issue 18 §3): every self-host option is checked against the
engine's precision × accelerator support table and names its engine."""

from __future__ import annotations

import pytest

from benchmarks.estimate.support import served_precision, supported
from planner.records import MODE_CLOUD
from planner.services import plan_inputs_build, plan_run
from tests.planner.db import load_gpu_prices, make_world
from tests.planner.test_services import inputs


@pytest.mark.parametrize(
    ("family", "precision", "ok"),
    [
        ("nvidia-volta", "int4-awq", False),  # vLLM AWQ needs 7.5; V100 is 7.0
        ("nvidia-turing", "int4-awq", True),  # T4: 7.5
        ("nvidia-volta", "bf16", False),  # bf16 needs 8.0 ...
        ("nvidia-volta", "fp16", True),  # ... the same weights run as fp16
        ("nvidia-turing", "fp8", False),
        ("nvidia-ampere", "fp8", True),  # weight-only through Marlin
        ("nvidia-volta", "int8", False),
        ("nvidia-hopper", "fp8", True),
        ("amd-cdna3", "int4-awq", False),
        ("amd-cdna3", "fp8", True),
        ("amd-gcn", "fp8", False),  # MI25: not a vLLM ROCm target
        ("amd-gcn", "bf16", False),
        ("google-tpu", "bf16", True),  # not in the table: 16-bit only
        ("google-tpu", "int4-awq", False),
    ],
)
def test_vllm_support_table(family: str, precision: str, ok: bool) -> None:
    assert supported("vllm", "", family, precision)[0] is ok


def test_sixteen_bit_weights_are_served_as_fp16_below_ampere() -> None:
    assert served_precision("vllm", "nvidia-volta", "bf16") == "fp16"
    assert served_precision("vllm", "nvidia-ampere", "bf16") == "bf16"
    assert served_precision("vllm", "nvidia-volta", "int8") == "int8"


def test_mlx_has_no_fp8() -> None:
    assert supported("mlx", "apple", "apple-m2", "fp8")[0] is False
    assert supported("mlx", "apple", "apple-m2", "int4-awq")[0] is True


@pytest.mark.django_db
def test_a_v100_option_is_never_awq_or_bf16_and_names_its_engine() -> None:
    make_world()
    load_gpu_prices([("aws", "us-east-1", "p3.8xlarge", "V100", 4, "12.24")])
    answers = {"modes": ["cloud"], "open_weights_only": True}
    built = plan_inputs_build(inputs=inputs(**answers))
    v100 = [o for o in built.options if o.accelerator_slug.startswith("v100")]
    assert v100, "the V100 shape is a candidate"
    assert {o.precision for o in v100} == {"fp16"}
    assert {o.engine for o in built.options} == {"vLLM"}
    result = plan_run(inputs=inputs(**answers))
    assert all(
        r.deployment.engine == "vLLM" for r in result.rows if r.deployment.kind == MODE_CLOUD
    )
    reasons = dict(result.excluded)
    assert any(r.startswith("self-host: precision the engine cannot serve") for r in reasons)
