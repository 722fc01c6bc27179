"""Parse cloud GPU price catalogs: SkyPilot's vms.csv and the AWS GPU instances JSON (pure).

SkyPilot (skypilot-org/skypilot-catalog, v7/v8): one CSV per cloud, columns read by
header because their order differs per cloud: InstanceType, AcceleratorName,
AcceleratorCount, vCPUs, MemoryGiB, GpuInfo, Region, AvailabilityZone?, Price (USD/hour,
on demand, whole instance), SpotPrice (USD/hour; empty or 0.00 = none offered).

Only rows with an accelerator are kept (CPU-only instances are not GPU prices). A
catalog lists one row per availability zone (GCP), generation (Azure) or host (Vast)
for the same instance in a region; those collapse to one record per region with the
lowest on-demand and the lowest spot price, which is the price a user can get there.
GCP gives attached-GPU rows with an empty InstanceType: the price of the GPUs alone,
without the host VM; they are stored with instance type "gpu-attached".

The accelerator of a row is not decided here: the loader resolves (cloud, instance type,
accelerator name, count, GPU memory) to an accelerator slug with benchmarks.devices'
exact tables (pricing.services.instances), so Lambda's gpu_1x_h100_pcie is an H100 PCIe.

AWS (tsaol/aws-gpu, from instances.vantage.sh): [{"apiName": "p5.48xlarge", "gpu":
"NVIDIA H100", "gpuCount": 8, "vcpu": 192, "memory": "2048 GB", "pricing": {"us-east-1":
{"onDemand": 98.32, "reserved": ...}}}] -> one record per region, on-demand only.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

from pricing.feeds.base import (
    FeedFormatError,
    InstancePriceRecord,
    RecordError,
    RecordRejected,
    load_json,
    to_decimal,
    to_int,
)

REQUIRED = ("InstanceType", "AcceleratorName", "AcceleratorCount", "Price", "Region")
_MIB_RE = re.compile(r"'SizeInMiB':\s*(\d+)")
_GIB_RE = re.compile(r"([\d.]+)\s*GiB|([\d.]+)\s*GB", re.IGNORECASE)


def parse_skypilot(
    data: bytes, *, cloud: str
) -> tuple[list[InstancePriceRecord], list[RecordError]]:
    if not data or not data.strip():
        raise FeedFormatError(f"skypilot-{cloud}: the document is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FeedFormatError(f"skypilot-{cloud}: not a UTF-8 CSV file ({exc})") from exc
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise FeedFormatError(
            f"skypilot-{cloud}: not a SkyPilot catalog CSV (missing columns {', '.join(missing)})"
        )
    best: dict[tuple, InstancePriceRecord] = {}
    errors: list[RecordError] = []
    for line_no, row in enumerate(reader, start=2):
        accelerator = (row.get("AcceleratorName") or "").strip()
        if not accelerator:
            continue
        # "*" when a truncated row lost its region: the loader then protects every region.
        ref = f"{cloud}/{row.get('Region') or '*'}/{row.get('InstanceType') or 'gpu-attached'}"
        # Short rows (a truncated file) are rejected. Long rows are tolerated: Azure's
        # catalog writes Generation "V1,V2" unquoted, spilling one extra trailing field.
        if None in row.values():
            errors.append(RecordError(ref, f"line {line_no}: truncated row (wrong field count)"))
            continue
        try:
            record = _csv_record(cloud, row, accelerator)
        except RecordRejected as exc:
            errors.append(RecordError(ref, f"line {line_no}: {exc}"))
            continue
        prev = best.get(record.key)
        best[record.key] = record if prev is None else _cheapest(prev, record)
    return list(best.values()), errors


def _csv_record(cloud: str, row: dict[str, Any], accelerator: str) -> InstancePriceRecord:
    count = to_decimal(row.get("AcceleratorCount"), what="AcceleratorCount")
    if not count:
        raise RecordRejected(f"AcceleratorCount must be > 0: {row.get('AcceleratorCount')!r}")
    spot = to_decimal(row.get("SpotPrice"), what="SpotPrice")
    mib = _MIB_RE.search(row.get("GpuInfo") or "")
    return InstancePriceRecord(
        provider=cloud,
        region=(row.get("Region") or "").strip() or "default",
        instance_type=(row.get("InstanceType") or "").strip() or "gpu-attached",
        accelerator_name=accelerator,
        accelerator_count=count.normalize(),
        usd_per_hour_on_demand=to_decimal(row.get("Price"), what="Price"),
        usd_per_hour_spot=spot if spot else None,  # 0.00 means "no spot market"
        vcpus=to_decimal(row.get("vCPUs"), what="vCPUs"),
        memory_gib=to_decimal(row.get("MemoryGiB"), what="MemoryGiB"),
        gpu_memory_mib=int(mib.group(1)) if mib else None,
    )


def _cheapest(a: InstancePriceRecord, b: InstancePriceRecord) -> InstancePriceRecord:
    def low(x: Decimal | None, y: Decimal | None) -> Decimal | None:
        return y if x is None else x if y is None else min(x, y)

    keep = a if (b.usd_per_hour_on_demand or 0) >= (a.usd_per_hour_on_demand or 0) else b
    return replace(
        keep,
        usd_per_hour_on_demand=low(a.usd_per_hour_on_demand, b.usd_per_hour_on_demand),
        usd_per_hour_spot=low(a.usd_per_hour_spot, b.usd_per_hour_spot),
    )


def parse_aws_gpu_instances(data: bytes) -> tuple[list[InstancePriceRecord], list[RecordError]]:
    doc = load_json(data, feed="aws-gpu-instances")
    if not isinstance(doc, list) or not all(isinstance(i, dict) for i in doc):
        raise FeedFormatError("aws-gpu-instances: expected a list of instance objects")
    records: list[InstancePriceRecord] = []
    errors: list[RecordError] = []
    for item in doc:
        name = str(item.get("apiName") or item.get("name") or "")
        gpu = str(item.get("gpu") or "").strip()
        pricing = item.get("pricing")
        if not name or not gpu or not isinstance(pricing, dict):
            errors.append(RecordError(f"aws/{name}", "missing apiName, gpu or pricing"))
            continue
        memory = _GIB_RE.search(str(item.get("memory") or ""))
        for region, price in pricing.items():
            try:
                count = to_decimal(item.get("gpuCount"), what="gpuCount")
                if not count:
                    raise RecordRejected(f"gpuCount must be > 0: {item.get('gpuCount')!r}")
                records.append(
                    InstancePriceRecord(
                        provider="aws",
                        region=region,
                        instance_type=name,
                        accelerator_name=gpu,
                        accelerator_count=count.normalize(),
                        usd_per_hour_on_demand=to_decimal(
                            (price or {}).get("onDemand"), what="onDemand"
                        ),
                        vcpus=to_decimal(to_int(item.get("vcpu")), what="vcpu"),
                        memory_gib=to_decimal(memory.group(1) or memory.group(2), what="memory")
                        if memory
                        else None,
                    )
                )
            except RecordRejected as exc:
                errors.append(RecordError(f"aws/{region}/{name}", str(exc)))
    return records, errors
