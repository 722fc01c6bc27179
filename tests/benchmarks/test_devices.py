"""benchmarks.devices: exact device and instance tables over the shipped data files."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from benchmarks.devices import (
    UNKNOWN,
    DeviceTable,
    InstanceTable,
    normalize_device,
    resolve_instance,
)

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
DOC = json.loads((ROOT / "benchmarks/data/accelerators.json").read_text())
TABLE = DeviceTable.build(
    [(a["slug"], a["memory_gib"], [a["name"], *a["aliases"]]) for a in DOC["accelerators"]],
    DOC["device_groups"],
)
INSTANCES = InstanceTable.from_document(
    json.loads((ROOT / "benchmarks/data/instance_types.json").read_text())
)


def test_every_accelerator_row_has_a_source_a_family_and_positive_specs():
    for a in DOC["accelerators"]:
        assert a["source"], a["slug"]
        assert a["family"], a["slug"]
        assert a["memory_gib"] > 0, a["slug"]
        assert a["bandwidth_gbps"] > 0, a["slug"]


def test_no_alias_is_claimed_by_two_accelerators():
    assert TABLE.conflicts == set()


@pytest.mark.parametrize(
    ("name", "memory", "slug"),
    [
        # nvidia-smi / torch.cuda.get_device_name
        ("NVIDIA GeForce RTX 4090", None, "rtx-4090"),
        ("NVIDIA GeForce RTX 3090 Ti", None, "rtx-3090-ti"),
        ("NVIDIA GeForce RTX 3060 Ti", None, "rtx-3060-ti"),
        ("NVIDIA GeForce RTX 3060", 12, "rtx-3060-12gb"),
        ("NVIDIA GeForce RTX 3060", 8, "rtx-3060-8gb"),
        ("NVIDIA A100-SXM4-80GB", None, "a100-sxm-80gb"),
        ("NVIDIA A100-PCIE-40GB", None, "a100-pcie-40gb"),
        ("NVIDIA H100 80GB HBM3", None, "h100-sxm"),
        ("NVIDIA H100 PCIe", None, "h100-pcie"),
        ("NVIDIA H100 NVL", None, "h100-nvl"),
        ("NVIDIA GH200 480GB", None, "gh200"),
        ("NVIDIA B200", None, "b200"),
        ("NVIDIA RTX PRO 6000 Blackwell Workstation Edition", None, "rtx-pro-6000"),
        ("NVIDIA RTX PRO 6000 Blackwell Server Edition", None, "rtx-pro-6000-server"),
        ("Tesla T4", None, "t4"),
        ("Tesla V100-SXM2-16GB", None, "v100-16gb"),
        ("NVIDIA GB10", None, "gb10"),
        ("NVIDIA RTX 5880 Ada Generation", None, "rtx-5880-ada"),
        ("NVIDIA GeForce GTX 1070", None, "gtx-1070"),
        # llama.cpp (ROCm / Metal / Vulkan) and MLX device names
        ("AMD Radeon RX 7900 XTX", None, "rx-7900-xtx"),
        ("Radeon RX 7900 XT", 19.98, "rx-7900-xt"),
        ("AMD Instinct MI300X", None, "mi300x"),
        ("Apple M1 Max", 32, "apple-m1-max-32gb"),
        ("Apple M2 Ultra", 192, "apple-m2-ultra-192gb"),
        ("Apple M4", 16, "apple-m4-16gb"),
        ("Apple M4 Pro", 24, "apple-m4-pro-24gb"),
        ("Apple M4 Max", 36, "apple-m4-max-36gb"),
        ("Apple M3 Ultra", 512, "apple-m3-ultra-512gb"),
        ("Apple M5 Max", 48, "apple-m5-max-48gb"),
        ("Apple M5 Pro", 64, "apple-m5-pro-64gb"),
        ("Apple M5", 24, "apple-m5-24gb"),
        ("Intel Arc Graphics 130V/140V (integrated)", 30.83, "intel-arc-140v-130v-32gb"),
        # CPU hosts (llama.cpp CPU backend): the CPU model names the host's memory system
        ("AMD Ryzen 7 7840HS", None, "cpu-ryzen-7-7840hs"),
        ("Intel(R) Core(TM) Ultra 7 155H", None, "cpu-core-ultra-7-155h"),
        ("AMD Radeon 780M", None, "radeon-780m"),
        ("Intel(R) Arc(TM) A770 Graphics", None, "arc-a770"),
        # benchmark sites: "name (memory)"
        ("RTX 5090 (32 GB)", None, "rtx-5090"),
        ("RTX 3060 (12 GB)", None, "rtx-3060-12gb"),
        ("Apple M4 Max (128 GB)", None, "apple-m4-max-128gb"),
        ("RTX 4070 Ti (12 GB)", None, "rtx-4070-ti"),
    ],
)
def test_real_device_strings_resolve_exactly(name, memory, slug):
    assert TABLE.resolve(name, memory) == slug


@pytest.mark.parametrize(
    ("name", "memory"),
    [
        ("Apple M4", None),  # which memory size: never the desktop CPU row
        ("NVIDIA GeForce RTX 3060", None),  # 12 GB or 8 GB card
        ("H100", None),  # SXM, PCIe or NVL
        ("NVIDIA GeForce RTX 4090", 48),  # a 48 GB board is not the 24 GB card
        ("Apple M5 Max", 96),  # no 96 GB M5 Max
        ("Apple M5 Pro", None),
        ("Intel(R) Arc(TM) 140V GPU (16GB)", None),  # Windows' GPU share of 16 or 32 GB
        ("AMD Radeon 840M/860M Graphics", None),
        ("CPU Only", None),
        ("Some FPGA 9000", None),
        ("", None),
    ],
)
def test_ambiguous_or_unlisted_device_strings_are_unknown(name, memory):
    assert TABLE.resolve(name, memory) == UNKNOWN


def test_normalizing_folds_spelling_and_splits_memory():
    assert normalize_device("NVIDIA GeForce RTX 5090 (32 GB)").key == "geforce rtx 5090"
    assert normalize_device("NVIDIA GeForce RTX 5090 (32 GB)").memory_gib == 32.0
    assert normalize_device("Intel(R) Arc(TM) A770").key == "arc a770"


@pytest.mark.parametrize(
    ("cloud", "itype", "name", "mib", "count", "slug"),
    [
        ("lambda", "gpu_1x_h100_pcie", "H100", 81920, 1, "h100-pcie"),
        ("lambda", "gpu_8x_h100_sxm5", "H100", 81920, 8, "h100-sxm"),
        ("lambda", "gpu_1x_a100", "A100", 40960, 1, "a100-pcie-40gb"),
        ("lambda", "gpu_1x_a100_sxm4", "A100", 40960, 1, "a100-sxm-40gb"),
        ("lambda", "gpu_1x_gh200", "GH200", 98304, 1, "gh200"),
        ("aws", "p4de.24xlarge", "NVIDIA A100", None, 8, "a100-sxm-80gb"),
        ("aws", "p4d.24xlarge", "NVIDIA A100", None, 8, "a100-sxm-40gb"),
        ("aws", "g7e.2xlarge", "NVIDIA RTX PRO 6000 Blackwell", None, 1, "rtx-pro-6000-server"),
        ("aws", "inf1.xlarge", "AWS Inferentia", None, 1, UNKNOWN),
        ("azure", "Standard_NC40ads_H100_v5", "H100", None, 1, "h100-nvl"),
        ("azure", "Standard_ND96isr_H100_v5", "H100", None, 8, "h100-sxm"),
        ("azure", "Standard_NC24ads_A100_v4", "A100-80GB", None, 1, "a100-pcie-80gb"),
        ("gcp", "gpu-attached", "H100", 81920, 1, "h100-sxm"),
        ("gcp", "gpu-attached", "tpu-v5litepod-8", None, 1, "tpu-v5e"),
        ("vast", "1x-H100_NVL-32-65536", "H100", 95830, 1, "h100-nvl"),
        ("vast", "2x-A100_PCIE-32-65536", "A100", 163840, 2, "a100-pcie-80gb"),
        ("vast", "1x-RTX_3060_Ti-8-32768", "RTX3060", 8192, 1, "rtx-3060-ti"),
        ("vast", "4x-RTX_4090-32-65536", "RTX4090", 98256, 4, "rtx-4090"),
        ("hyperbolic", "1x-H100-75-722", "H100", 81559, 1, UNKNOWN),  # variant not stated
    ],
)
def test_instance_types_resolve_to_the_exact_variant(cloud, itype, name, mib, count, slug):
    assert (
        resolve_instance(
            TABLE,
            INSTANCES,
            cloud=cloud,
            instance_type=itype,
            accelerator_name=name,
            accelerator_count=count,
            gpu_memory_mib=mib,
        )
        == slug
    )


@pytest.mark.shared
@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared absent")
def test_at_least_95_percent_of_the_shared_instance_rows_map():
    from pricing.feeds.skypilot import parse_aws_gpu_instances, parse_skypilot

    records = []
    for cloud in ("gcp", "azure", "lambda", "vast", "nebius", "hyperbolic"):
        data = (SHARED / "hardware/skypilot-catalog" / cloud / "vms.csv").read_bytes()
        records += parse_skypilot(data, cloud=cloud)[0]
    aws = (SHARED / "hardware/aws-gpu-instances/aws_gpu_instances.json").read_bytes()
    records += parse_aws_gpu_instances(aws)[0]
    slugs = [
        resolve_instance(
            TABLE,
            INSTANCES,
            cloud=r.provider,
            instance_type=r.instance_type,
            accelerator_name=r.accelerator_name,
            accelerator_count=float(r.accelerator_count),
            gpu_memory_mib=r.gpu_memory_mib,
        )
        for r in records
    ]
    mapped = sum(s != UNKNOWN for s in slugs) / len(slugs)
    assert mapped >= 0.95
    # no H100 PCIe instance becomes SXM, no A100 40 GB becomes 80 GB
    for r, slug in zip(records, slugs, strict=True):
        if "pcie" in r.instance_type.lower() and slug != UNKNOWN:
            assert "pcie" in slug, r.instance_type
        if r.gpu_memory_mib == 40960 and r.provider in ("gcp", "lambda"):
            assert "40gb" in slug, r.instance_type


@pytest.mark.shared
@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared absent")
def test_every_hardware_name_of_the_shared_runs_resolves_or_is_unknown_never_wrong():
    # the community folders name their hardware; a resolved slug must be that hardware
    community = SHARED / "hardware/llmfit/community"
    for path in sorted(community.glob("*/*.json")):
        hw = json.loads(path.read_text())["hardware"]
        slug = TABLE.resolve(hw.get("hardwareName") or "", hw.get("vramGb"))
        if slug == UNKNOWN:
            continue
        digits = re.findall(r"\d+", path.parent.name)
        assert all(d in slug for d in digits), (path.parent.name, slug)
    bands = list(csv.DictReader((SHARED / "hardware/llmfit/gpu_memory_bandwidth_gbps.csv").open()))
    assert bands  # the llmfit table exists: our rows do not use its substring rules
