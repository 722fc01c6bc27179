"""Load cloud instance prices (GPU-hours), with history like offers."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime

from django.db import transaction

from benchmarks.models import Accelerator
from catalog.models import Feed
from catalog.services.runs import RunCounts
from pricing.feeds.base import InstancePriceRecord, RecordError
from pricing.models import InstancePrice, Provider
from pricing.services.providers import CLOUD_NAMES, providers_ensure

PAGE_SIZE = 1000
_VENDOR_RE = re.compile(r"^(?:nvidia|amd|intel|google|qualcomm|aws|geforce)+")
_MEMORY_RE = re.compile(r"\d+gb$")
_ARCH_RE = re.compile(r"(?:blackwell|hopper|ampere|lovelace)$")  # "NVIDIA B200 Blackwell"


def _accel_key(name: str) -> str:
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    return _ARCH_RE.sub("", _VENDOR_RE.sub("", key))


def accelerator_index() -> dict[str, int | None]:
    """Normalized accelerator name -> id (None where two accelerators share the name).

    Names come from slug, name and aliases; "NVIDIA H100 80GB" gives "h10080gb" and the
    memory-less "h100". Exact full keys win over memory-less ones."""
    exact: dict[str, set[int]] = {}
    loose: dict[str, set[int]] = {}
    for pk, slug, name, aliases in Accelerator.objects.values_list("id", "slug", "name", "aliases"):
        for raw in (slug, name, *(aliases or [])):
            key = _accel_key(str(raw))
            if key:
                exact.setdefault(key, set()).add(pk)
                loose.setdefault(_MEMORY_RE.sub("", key), set()).add(pk)
    index: dict[str, int | None] = {
        k: (next(iter(v)) if len(v) == 1 else None) for k, v in loose.items()
    }
    index.update({k: (next(iter(v)) if len(v) == 1 else None) for k, v in exact.items()})
    return index


def accelerator_match(name: str, index: dict[str, int | None]) -> int | None:
    key = _accel_key(name)
    if key in index:
        return index[key]
    return index.get(_MEMORY_RE.sub("", key))


@transaction.atomic
def instance_prices_load(
    *,
    feed: Feed,
    records: Sequence[InstancePriceRecord],
    errors: Sequence[RecordError] = (),
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> RunCounts:
    """Write $/hour rows keyed on (feed, cloud, region, instance, accelerator, count).

    Same contract as offers_load: unchanged rows are skipped, a change closes the
    current row and inserts a new one, keys the feed dropped are closed (except those
    named by a rejected record)."""
    counts = RunCounts()
    provider_ids = providers_ensure(
        names={r.provider: CLOUD_NAMES.get(r.provider, r.provider.title()) for r in records},
        kind=Provider.Kind.CLOUD,
    )
    accelerators = accelerator_index()
    current = {
        (
            row["provider_id"],
            row["region"],
            row["instance_type"],
            row["accelerator_name"],
            format(row["accelerator_count"].normalize(), "f"),
        ): row
        for row in InstancePrice.objects.filter(feed=feed, valid_to__isnull=True).values(
            "id",
            "provider_id",
            "region",
            "instance_type",
            "accelerator_name",
            "accelerator_count",
            "fingerprint",
            "accelerator_id",
            "valid_from",
            "usd_per_hour_on_demand",
        )
    }
    seen: set[tuple] = set()
    for start in range(0, len(records), PAGE_SIZE):
        to_close: list[int] = []
        to_insert: list[InstancePrice] = []
        relink: list[InstancePrice] = []
        for r in records[start : start + PAGE_SIZE]:
            key = (provider_ids[r.provider], *r.key[1:])
            seen.add(key)
            cur = current.get(key)
            accelerator_id = accelerator_match(r.accelerator_name, accelerators)
            if cur is not None and cur["fingerprint"] == r.fingerprint:
                counts.unchanged += 1
                if accelerator_id and cur["accelerator_id"] != accelerator_id:
                    # the accelerator was added to benchmarks after this price was stored
                    relink.append(InstancePrice(id=cur["id"], accelerator_id=accelerator_id))
                continue
            if cur is not None:
                old, new = cur["usd_per_hour_on_demand"], r.usd_per_hour_on_demand
                if old and new and new > old * 1000:
                    counts.rejected += 1
                    counts.errors.append(
                        f"{r.ref}: on-demand price jumped from {old.normalize():f} to "
                        f"{new.normalize():f} (> 1000x): rejected, previous price kept"
                    )
                    continue
                if now <= cur["valid_from"]:  # a clock behind the stored history
                    counts.rejected += 1
                    counts.errors.append(
                        f"{r.ref}: run time is not after the current price's start"
                    )
                    continue
                to_close.append(cur["id"])
                counts.updated += 1
            else:
                counts.created += 1
            to_insert.append(
                InstancePrice(
                    feed=feed,
                    provider_id=key[0],
                    region=r.region,
                    instance_type=r.instance_type,
                    accelerator_id=accelerator_id,
                    accelerator_name=r.accelerator_name,
                    accelerator_count=r.accelerator_count,
                    vcpus=r.vcpus,
                    memory_gib=r.memory_gib,
                    usd_per_hour_on_demand=r.usd_per_hour_on_demand,
                    usd_per_hour_spot=r.usd_per_hour_spot,
                    valid_from=now,
                    fingerprint=r.fingerprint,
                )
            )
        InstancePrice.objects.filter(id__in=to_close).update(valid_to=now)
        InstancePrice.objects.bulk_create(to_insert, batch_size=PAGE_SIZE)
        if relink:
            InstancePrice.objects.bulk_update(relink, ["accelerator"], batch_size=PAGE_SIZE)
        if progress:
            progress(min(start + PAGE_SIZE, len(records)), len(records))
    protected = {e.ref.split(" (")[0] for e in errors}
    slugs = dict(
        Provider.objects.filter(id__in={k[0] for k in current}).values_list("id", "slug")
        if current and protected
        else {}
    )
    gone = [
        row["id"]
        for key, row in current.items()
        if key not in seen
        and row["valid_from"] < now
        and f"{slugs.get(key[0], '')}/{key[1]}/{key[2]}" not in protected
        and f"{slugs.get(key[0], '')}/*/{key[2]}" not in protected
    ]
    for i in range(0, len(gone), PAGE_SIZE):
        InstancePrice.objects.filter(id__in=gone[i : i + PAGE_SIZE]).update(valid_to=now)
    counts.closed += len(gone)
    return counts
