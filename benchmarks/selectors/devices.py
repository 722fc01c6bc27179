"""Device and cloud-instance strings -> accelerators (reads; the matching is benchmarks.devices).

The alias table is built from every accelerator row (slug, name, aliases) and the device
groups and instance tables of the data files; it is cached per process and rebuilt when
the accelerator table changes (row count or newest `updated_at`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.db.models import Count, Max

from benchmarks.devices import UNKNOWN, DeviceTable, InstanceTable, resolve_instance
from benchmarks.models import Accelerator

DATA = Path(__file__).resolve().parent.parent / "data"


@lru_cache(maxsize=1)
def _static_tables() -> tuple[dict, InstanceTable]:
    groups = json.loads((DATA / "accelerators.json").read_text()).get("device_groups", {})
    instances = InstanceTable.from_document(json.loads((DATA / "instance_types.json").read_text()))
    return groups, instances


@dataclass(frozen=True)
class Resolver:
    """Resolves names to accelerator ids (None = unknown) with one table build."""

    devices: DeviceTable
    instances: InstanceTable
    ids: dict[str, int]

    def device(self, name: str, memory_gib: float | None = None) -> int | None:
        return self.ids.get(self.devices.resolve(name, memory_gib))

    def device_slug(self, name: str, memory_gib: float | None = None) -> str:
        slug = self.devices.resolve(name, memory_gib)
        return slug if slug in self.ids else UNKNOWN

    def instance(
        self,
        *,
        cloud: str,
        instance_type: str,
        accelerator_name: str,
        accelerator_count: float | None = None,
        gpu_memory_mib: int | None = None,
    ) -> int | None:
        slug = resolve_instance(
            self.devices,
            self.instances,
            cloud=cloud,
            instance_type=instance_type,
            accelerator_name=accelerator_name,
            accelerator_count=accelerator_count,
            gpu_memory_mib=gpu_memory_mib,
        )
        return self.ids.get(slug)


_cache: dict[tuple, Resolver] = {}


def accelerator_resolver() -> Resolver:
    """The resolver for the current accelerator table (2 queries when cached: the
    table's fingerprint; 3 when rebuilt)."""
    stamp = Accelerator.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    key = (stamp["n"], stamp["at"])
    if key not in _cache:
        rows = list(Accelerator.objects.values_list("id", "slug", "name", "memory_gib", "aliases"))
        groups, instances = _static_tables()
        table = DeviceTable.build(
            [(slug, memory, [name, *(aliases or [])]) for _, slug, name, memory, aliases in rows],
            groups,
        )
        _cache.clear()
        _cache[key] = Resolver(table, instances, {slug: pk for pk, slug, *_ in rows})
    return _cache[key]


def accelerator_match(*, name: str, memory_gib: float | None = None) -> Accelerator | None:
    """The accelerator a device string names exactly (benchmarks.devices), or None."""
    pk = accelerator_resolver().device(name, memory_gib)
    return Accelerator.objects.get(pk=pk) if pk else None
