"""Load cloud instance prices (GPU-hours), with history like offers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from django.db import transaction

from benchmarks.selectors import accelerator_resolver
from catalog.models import Feed
from catalog.services.runs import RunCounts
from pricing.feeds.base import InstancePriceRecord, RecordError
from pricing.models import InstancePrice, Provider
from pricing.services.feed_guard import mass_close_check
from pricing.services.providers import providers_resolve
from pricing.services.reviews import Hold, instance_hold, instance_review_reason, reviews_record

PAGE_SIZE = 1000


@transaction.atomic
def instance_prices_load(
    *,
    feed: Feed,
    records: Sequence[InstancePriceRecord],
    errors: Sequence[RecordError] = (),
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
    max_close_share: float | None = None,
) -> RunCounts:
    """Write $/hour rows keyed on (feed, cloud, region, instance, accelerator, count).

    Same contract as offers_load: unchanged rows are skipped, a change closes the
    current row and inserts a new one, keys the feed dropped are closed (except those
    named by a rejected record); more than `max_close_share` of the current rows to close
    raises MassCloseRefused before anything is written."""
    counts = RunCounts()
    resolution = providers_resolve(
        feed=feed.slug,
        names={r.provider: r.provider.title() for r in records},
        service=Provider.Service.CLOUD,
        kind=Provider.Kind.UNKNOWN,
    )
    provider_ids = resolution.ids
    for slug, reason in sorted(resolution.rejected.items()):
        counts.rejected += 1
        counts.errors.append(f"{slug}/*: {reason}")
    records = [r for r in records if r.provider in provider_ids]
    # exact device / instance tables (benchmarks.devices): no substring rules
    resolver = accelerator_resolver()
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
    seen = {(provider_ids[r.provider], *r.key[1:]) for r in records}
    feed_slugs = {pid: raw for raw, pid in provider_ids.items()}  # errors name the feed's slug
    gone = _gone(current, seen, errors, now, feed_slugs)
    mass_close_check(
        closing=len(gone), current=len(current), share=max_close_share, what="instance prices"
    )
    holds: list[Hold] = []
    for start in range(0, len(records), PAGE_SIZE):
        to_close: list[int] = []
        to_insert: list[InstancePrice] = []
        relink: list[InstancePrice] = []
        for r in records[start : start + PAGE_SIZE]:
            key = (provider_ids[r.provider], *r.key[1:])
            cur = current.get(key)
            accelerator_id = resolver.instance(
                cloud=r.provider, instance_type=r.instance_type,
                accelerator_name=r.accelerator_name,
                accelerator_count=float(r.accelerator_count), gpu_memory_mib=r.gpu_memory_mib,
            )  # fmt: skip
            if cur is not None and cur["fingerprint"] == r.fingerprint:
                counts.unchanged += 1
                if cur["accelerator_id"] != accelerator_id:
                    # the accelerator tables changed since this price was stored
                    relink.append(InstancePrice(id=cur["id"], accelerator_id=accelerator_id))
                continue
            if cur is not None:
                reason = instance_review_reason(cur, r)
                if reason:  # $0 or a 100x move: the current price stays until accepted
                    counts.rejected += 1
                    counts.errors.append(f"{r.ref}: {reason}: held for review, previous price kept")
                    row = _row(feed, key, r, accelerator_id, now)
                    holds.append(instance_hold(current=cur, row=row, reason=reason))
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
            to_insert.append(_row(feed, key, r, accelerator_id, now))
        InstancePrice.objects.filter(id__in=to_close).update(valid_to=now)
        InstancePrice.objects.bulk_create(to_insert, batch_size=PAGE_SIZE)
        if relink:
            InstancePrice.objects.bulk_update(relink, ["accelerator"], batch_size=PAGE_SIZE)
        if progress:
            progress(min(start + PAGE_SIZE, len(records)), len(records))
    for i in range(0, len(gone), PAGE_SIZE):
        InstancePrice.objects.filter(id__in=gone[i : i + PAGE_SIZE]).update(valid_to=now)
    counts.closed += len(gone)
    reviews_record(feed=feed, holds=holds, instances=True, now=now)
    return counts


def _row(feed: Feed, key: tuple, r: InstancePriceRecord, accelerator_id, now) -> InstancePrice:
    return InstancePrice(
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


def _gone(
    current: dict, seen: set, errors: Sequence[RecordError], now: datetime, slugs: dict
) -> list[int]:
    """Ids of current rows whose key the feed no longer lists (not named by a rejected
    record, and not started by this very run); `slugs` maps provider ids to the feed's
    own slugs, which the errors name."""
    protected = {e.ref.split(" (")[0] for e in errors}
    return [
        row["id"]
        for key, row in current.items()
        if key not in seen
        and row["valid_from"] < now
        and f"{slugs.get(key[0], '')}/{key[1]}/{key[2]}" not in protected
        and f"{slugs.get(key[0], '')}/*/{key[2]}" not in protected
    ]
