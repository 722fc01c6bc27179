"""Seat plans: load the reviewed file, compare seats with API usage.

`subscriptions_load` writes (one transaction, idempotent); `seats_compare` reads the current
plans and calls the pure comparison in `pricing.seats` (the planner's "seats" workload).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from catalog.services.aliases import FeedName, aliases_resolve
from config.errors import AtlasError
from pricing.models import Provider, SubscriptionPlan
from pricing.seats import NumericLimit, SeatPlanTerms, SeatsComparison, SeatsUsage, compare_seats
from pricing.services.providers import providers_ensure
from pricing.subscription_data import (
    PlanVersionRecord,
    SubscriptionFormatError,
    parse_subscriptions,
)

logger = logging.getLogger(__name__)

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "subscriptions.yaml"
ALIAS_SOURCE = "subscriptions"
# vendors the registry does not name yet are created as (unreviewed) first-party labs
VENDOR_KIND = Provider.Kind.FIRST_PARTY


class SubscriptionFileInvalid(AtlasError):
    code = "invalid_subscription_file"
    status = 400


@dataclass
class SubscriptionLoad:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    rejected: int = 0
    linked_models: int = 0
    errors: list[str] = field(default_factory=list)


def _start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def _fields(record: PlanVersionRecord) -> dict:
    return {
        "product": record.product,
        "name": record.name,
        "audience": record.audience,
        "usd_per_seat_month": record.usd_per_seat_month,
        "billing": record.billing,
        "min_seats": record.min_seats,
        "included_models": list(record.included_models),
        "limits": [limit.to_json() for limit in record.limits],
        "source_url": record.source_url,
        "source_date": record.source_date,
        "source_date_basis": record.source_date_basis,
        "quote": record.quote,
        "notes": record.notes,
        "fingerprint": record.fingerprint,
    }


def _links(records: Sequence[PlanVersionRecord]) -> dict[str, int]:
    """Vendor model names -> catalog model ids, through the shared alias linking (names
    that match several models wait for review; unknown names stay text)."""
    names = {
        (name, r.vendor) for r in records for name in r.included_models
    }  # the vendor is the organization hint
    if not names:
        return {}
    resolution = aliases_resolve(
        source=ALIAS_SOURCE,
        names=[FeedName(name=name, organization_hint=vendor) for name, vendor in sorted(names)],
    )
    return resolution.linked


@transaction.atomic
def subscriptions_load(
    *, raw: bytes | str | None = None, path: Path | None = None, now: dt.datetime | None = None
) -> SubscriptionLoad:
    """Upsert every plan version of the reviewed file, keyed on (slug, valid_from).

    A new version closes the plan's previous row at its `valid_from` and opens a new one;
    a version whose fields changed in place (a correction) is updated; an unchanged one
    is skipped by fingerprint. `withdrawn_on` closes the last version. Plans or versions
    missing from the file are never deleted or closed. Versions dated after `now` are
    rejected (a price is recorded once stated). Idempotent: a second run with the same
    file writes nothing. Raises SubscriptionFileInvalid (nothing written) when the file
    cannot be read at all; a broken plan is rejected alone, named in `errors`.
    """
    now = now or timezone.now()
    if raw is None:
        raw = (path or DATA_FILE).read_bytes()
    try:
        records, errors = parse_subscriptions(raw)
    except SubscriptionFormatError as exc:
        raise SubscriptionFileInvalid(f"Subscription file unreadable: {exc}") from exc
    result = SubscriptionLoad(errors=list(errors), rejected=len(errors))
    future = [r for r in records if _start(r.valid_from) > now]
    for r in future:
        result.errors.append(f"{r.slug}: version {r.valid_from} is in the future")
    result.rejected += len(future)
    records = [r for r in records if _start(r.valid_from) <= now]
    providers = providers_ensure(
        names={r.vendor: r.vendor_name for r in records}, kind=VENDOR_KIND, feed=ALIAS_SOURCE
    )
    links = _links(records)
    existing = {
        (p.slug, p.valid_from): p
        for p in SubscriptionPlan.objects.filter(slug__in={r.slug for r in records})
    }
    by_slug: dict[str, list[PlanVersionRecord]] = {}
    for r in records:
        by_slug.setdefault(r.slug, []).append(r)
    for slug, versions in by_slug.items():
        rows: list[SubscriptionPlan] = []
        for record in versions:  # oldest first
            start = _start(record.valid_from)
            row = existing.get((slug, start))
            if row is None:
                row = SubscriptionPlan(
                    slug=slug, provider_id=providers[record.vendor], valid_from=start
                )
                for name, value in _fields(record).items():
                    setattr(row, name, value)
                row._state_new = True  # type: ignore[attr-defined]
            elif row.fingerprint != record.fingerprint:
                for name, value in _fields(record).items():
                    setattr(row, name, value)
                row._state_changed = True  # type: ignore[attr-defined]
            rows.append(row)
        # Each row ends where the next begins; the last one at withdrawn_on, or stays open.
        # Rows the file no longer lists keep their own dates.
        _save_chain(rows, versions, result)
        for row, record in zip(rows, versions, strict=True):
            wanted = {links[n] for n in record.included_models if n in links}
            if set(row.linked_models.values_list("id", flat=True)) != wanted:
                row.linked_models.set(wanted)
        result.linked_models += len(
            {links[n] for r in versions for n in r.included_models if n in links}
        )
    logger.info(
        "subscriptions loaded created=%d updated=%d unchanged=%d closed=%d rejected=%d",
        result.created, result.updated, result.unchanged, result.closed, result.rejected,
    )  # fmt: skip
    return result


def _save_chain(
    rows: list[SubscriptionPlan], versions: list[PlanVersionRecord], result: SubscriptionLoad
) -> None:
    """Save one plan's rows oldest first: row i ends where row i+1 starts, the last at
    `withdrawn_on` (or at a newer stored row the file no longer lists), else stays open.
    Older rows close before a newer one opens, so there is one current row at a time."""
    ends: list[dt.datetime | None] = [rows[i + 1].valid_from for i in range(len(rows) - 1)]
    last = versions[-1].withdrawn_on
    newer = (
        SubscriptionPlan.objects.filter(slug=rows[0].slug, valid_from__gt=rows[-1].valid_from)
        .order_by("valid_from")
        .values_list("valid_from", flat=True)
        .first()
    )
    ends.append(_start(last) if last else newer)
    for row, end in zip(rows, ends, strict=True):
        is_new = getattr(row, "_state_new", False)
        changed = getattr(row, "_state_changed", False)
        if row.valid_to != end:
            if not is_new and row.valid_to is None:
                result.closed += 1
            row.valid_to = end
            changed = True
        if is_new and end is None:
            # a current row of this plan that the file no longer lists ends here
            result.closed += (
                SubscriptionPlan.objects.current()
                .filter(slug=row.slug, valid_from__lt=row.valid_from)
                .update(valid_to=row.valid_from)
            )
        if is_new:
            row.save()
            result.created += 1
        elif changed:
            row.save()
            result.updated += 1
        else:
            result.unchanged += 1


def seats_compare(
    *,
    seats: int,
    interactions_per_seat_per_day: Decimal,
    api_usd_per_interaction: Decimal,
    days_per_month: Decimal = Decimal(30),
    plan_slugs: Sequence[str] | None = None,
) -> list[SeatsComparison]:
    """Every current seat plan (or the ones named) against the API for the same usage.

    `api_usd_per_interaction` comes from the caller (the planner prices one interaction
    with the one cost function); this service only reads plans and calls
    `pricing.seats.compare_seats`. Plans without a stated price are compared too (their
    cost is unknown, not 0). Cheapest subscription first, unknown prices last. 1 query.
    """
    usage = SeatsUsage(
        seats=seats,
        interactions_per_seat_per_day=interactions_per_seat_per_day,
        days_per_month=days_per_month,
    )
    plans = SubscriptionPlan.objects.current().select_related("provider").order_by("slug")
    if plan_slugs is not None:
        plans = plans.filter(slug__in=list(plan_slugs))
    results = [
        compare_seats(usage, plan_terms(plan), api_usd_per_interaction=api_usd_per_interaction)
        for plan in plans
    ]
    return sorted(
        results,
        key=lambda c: (c.subscription_monthly_usd is None, c.subscription_monthly_usd or 0, c.slug),
    )


def plan_terms(plan: SubscriptionPlan) -> SeatPlanTerms:
    """The pure comparison's view of a stored plan: price, minimum seats, and only the
    limits the vendor states as numbers."""
    limits = []
    for item in plan.limits or []:
        if item.get("quantity") in (None, "") or item.get("period_hours") in (None, ""):
            continue
        limits.append(
            NumericLimit(
                quantity=Decimal(item["quantity"]),
                period_hours=Decimal(item["period_hours"]),
                unit=item.get("unit", ""),
                bound=item.get("bound", ""),
                text=item.get("text", ""),
            )
        )
    return SeatPlanTerms(
        slug=plan.slug,
        name=plan.name,
        usd_per_seat_month=plan.usd_per_seat_month,
        min_seats=plan.min_seats,
        limits=tuple(limits),
        unstated_limits=sum(1 for i in plan.limits or [] if i.get("quantity") in (None, "")),
    )
