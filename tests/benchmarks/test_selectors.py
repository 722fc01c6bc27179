"""benchmarks.selectors: accelerator name matching and run lists."""

from __future__ import annotations

import pytest

from benchmarks.selectors import accelerator_match, benchmark_run_list, benchmark_run_list_for_model
from benchmarks.services import benchmark_run_record
from tests.benchmarks.builders import load_accelerators, make_model, make_record

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "slug"),
    [("NVIDIA H100 80GB HBM3", "h100-sxm"), ("NVIDIA A100-SXM4-80GB", "a100-sxm-80gb"),
     ("NVIDIA A100-SXM4-40GB", "a100-sxm-40gb"), ("NVIDIA GeForce RTX 4090", "rtx-4090"),
     ("Tesla T4", "t4"), ("NVIDIA L4", "l4"), ("NVIDIA L40S", "l40s"), ("A10G", "a10g"),
     ("NVIDIA H100 PCIe", "h100-pcie"), ("AMD Instinct MI300X", "mi300x")],
)  # fmt: skip
def test_accelerator_match_resolves_device_and_cloud_names(name, slug):
    load_accelerators()
    assert accelerator_match(name=name).slug == slug


@pytest.mark.parametrize("name", ["Some FPGA 9000", "H100", "A100-80GB", "Apple M4"])
def test_accelerator_match_of_an_unknown_or_ambiguous_device_is_none(name):
    load_accelerators()
    assert accelerator_match(name=name) is None


def test_accelerator_match_uses_the_memory_to_tell_variants_apart():
    load_accelerators()
    assert accelerator_match(name="Apple M4", memory_gib=24).slug == "apple-m4-24gb"
    assert accelerator_match(name="NVIDIA GeForce RTX 3060", memory_gib=12).slug == "rtx-3060-12gb"


def test_run_list_for_model_query_count_does_not_grow(django_assert_num_queries):
    accels = load_accelerators()
    model = make_model()

    def add(n: int) -> None:
        for i in range(n):
            benchmark_run_record(model=model, accelerator=accels["h100-sxm"], source="vllm",
                                 record=make_record(tpot_ms=30.0 + len(str(i)) + i))  # fmt: skip

    add(2)
    # 1: runs joined to model, accelerator and submitter
    with django_assert_num_queries(1):
        assert [r.accelerator.slug for r in benchmark_run_list_for_model(model=model)] == [
            "h100-sxm"
        ] * 2
    add(20)
    with django_assert_num_queries(1):
        assert len([r.model.repo_id for r in benchmark_run_list()]) == 22
