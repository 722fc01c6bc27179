"""Hold suspicious price moves for review instead of loading them (issue 15 §6).

The loaders call `offer_review_reason` / `instance_review_reason` for each changed
price; a reason means the record is not written: its current row stays current, a line
goes into the run's errors, and `reviews_record` keeps one pending PriceReview per
current row with the proposed price. `price_review_accept` (the admin's action) then
closes the current row and opens the proposed one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, localcontext
from typing import Any

from django.db import transaction
from django.utils import timezone

from catalog.models import Feed
from pricing.costing.offers import component_row
from pricing.feeds.base import EXACT, InstancePriceRecord, OfferRecord
from pricing.models import InstancePrice, Offer, OfferPrice
from pricing.review_models import PriceReview

REVIEW_FACTOR = Decimal(100)  # a move of more than 100x either way waits for review
OFFER_FIELDS = (
    "usd_per_mtok_input",
    "usd_per_mtok_output",
    "usd_per_image",
    "usd_per_audio_second",
    "usd_per_request",
    "usd_per_unit",
)


class ReviewNotApplicable(Exception):
    """The held row is no longer current (a later sync changed it): nothing to accept."""


@dataclass(frozen=True, slots=True)
class Hold:
    current_id: int
    ref: str
    reason: str
    proposed: dict[str, Any]
    fingerprint: str


def _text(value: Decimal) -> str:
    return format(value.normalize(EXACT), "f")


def price_move_reason(old: Decimal | None, new: Decimal | None, *, field: str, free: bool) -> str:
    """Why a move from `old` to `new` needs a person, or "" when it does not."""
    if old is None or new is None or old == 0 or new == old:
        return ""
    with localcontext(EXACT):
        if new == 0:
            return "" if free else f"{field} fell from {_text(old)} to 0"
        if new > old * REVIEW_FACTOR:
            ratio = new / old
            return f"{field} rose from {_text(old)} to {_text(new)} ({ratio:.0f}x, > 100x)"
        if new * REVIEW_FACTOR < old:
            ratio = old / new
            return f"{field} fell from {_text(old)} to {_text(new)} ({ratio:.0f}x down, > 100x)"
    return ""


def is_free(record: OfferRecord) -> bool:
    """The feed marks the model free (OpenRouter's ':free' variants)."""
    return bool(getattr(record, "free", False)) or record.model_name.endswith(":free")


def offer_review_reason(current: dict[str, Any], record: OfferRecord) -> str:
    free = is_free(record)
    for field in OFFER_FIELDS:
        reason = price_move_reason(
            current.get(field), getattr(record, field), field=field, free=free
        )
        if reason:
            return reason
    return ""


def instance_review_reason(current: dict[str, Any], record: InstancePriceRecord) -> str:
    field = "usd_per_hour_on_demand"
    return price_move_reason(current.get(field), getattr(record, field), field=field, free=False)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def offer_hold(*, current: dict, row: Offer, reason: str) -> Hold:
    """A held offer: `row` is the unsaved Offer the loader would have inserted."""
    proposed = {
        "provider_id": row.provider_id,
        "model_id": row.model_id,
        "model_name": row.model_name,
        "hub_repo_id": row.hub_repo_id,
        "open_weights": row.open_weights,
        "mode": row.mode,
        "unit": row.unit,
        "image_options": row.image_options,
        "tiers": row.tiers,
        "context_tokens": row.context_tokens,
        "max_output_tokens": row.max_output_tokens,
        **{f: _money(getattr(row, f)) for f in Offer.PRICE_FIELDS},
        # the price rows by dimension (pricing.OfferPrice), created on acceptance
        "_price_rows": [component_row(c) for c in getattr(row, "_components", ())],
    }
    ref = f"{row.provider_id}:{row.model_name} ({row.unit})"
    return Hold(current["id"], ref, reason, proposed, row.fingerprint)


def instance_hold(*, current: dict, row: InstancePrice, reason: str) -> Hold:
    proposed = {
        "provider_id": row.provider_id,
        "region": row.region,
        "instance_type": row.instance_type,
        "accelerator_id": row.accelerator_id,
        "accelerator_name": row.accelerator_name,
        "accelerator_count": _money(row.accelerator_count),
        "vcpus": _money(row.vcpus),
        "memory_gib": _money(row.memory_gib),
        "usd_per_hour_on_demand": _money(row.usd_per_hour_on_demand),
        "usd_per_hour_spot": _money(row.usd_per_hour_spot),
    }
    ref = f"{row.provider_id}:{row.region}/{row.instance_type}"
    return Hold(current["id"], ref, reason, proposed, row.fingerprint)


def reviews_record(*, feed: Feed, holds: list[Hold], instances: bool, now: datetime) -> None:
    """One pending review per held current row (refreshed when the feed proposes a
    different price); pending reviews the feed no longer proposes are superseded."""
    target = "instance_price_id" if instances else "offer_id"
    pending = {
        getattr(r, target): r
        for r in PriceReview.objects.filter(feed=feed, status=PriceReview.Status.PENDING)
    }
    dismissed = set(
        PriceReview.objects.filter(
            feed=feed,
            status=PriceReview.Status.DISMISSED,
            **{f"{target}__in": [h.current_id for h in holds]},
        ).values_list(target, "fingerprint")
    )
    for hold in holds:
        review = pending.pop(hold.current_id, None)
        if review is None and (hold.current_id, hold.fingerprint) in dismissed:
            continue  # someone said no to this very price: it stays held, unlisted
        if review is None:
            PriceReview.objects.create(
                feed=feed,
                **{target: hold.current_id},
                ref=hold.ref,
                reason=hold.reason,
                proposed=hold.proposed,
                fingerprint=hold.fingerprint,
                last_seen_at=now,
            )
            continue
        review.reason, review.proposed = hold.reason, hold.proposed
        review.fingerprint, review.last_seen_at = hold.fingerprint, now
        review.save(update_fields=["reason", "proposed", "fingerprint", "last_seen_at"])
    if pending:
        PriceReview.objects.filter(pk__in=[r.pk for r in pending.values()]).update(
            status=PriceReview.Status.SUPERSEDED, decided_at=now
        )


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


@transaction.atomic
def price_review_accept(
    *, review: PriceReview, user: str = "", now: datetime | None = None
) -> Offer | InstancePrice:
    """Make the held price current: close the row it was held against at `now` and
    insert the proposed one from `now`. Raises ReviewNotApplicable when that row is no
    longer current or the review is not pending."""
    now = now or timezone.now()
    review = PriceReview.objects.select_for_update().get(pk=review.pk)
    if review.status != PriceReview.Status.PENDING:
        raise ReviewNotApplicable(f"review {review.pk} is {review.status}, not pending")
    model = InstancePrice if review.instance_price_id else Offer
    current_id = review.instance_price_id or review.offer_id
    current = model.objects.select_for_update().get(pk=current_id)
    if current.valid_to is not None or current.valid_from >= now:
        raise ReviewNotApplicable(f"{review.ref}: the held price is no longer the current one")
    current.valid_to = now
    current.save(update_fields=["valid_to", "updated_at"])
    p = dict(review.proposed)
    price_rows = p.pop("_price_rows", [])
    if model is Offer:
        for f in Offer.PRICE_FIELDS:
            p[f] = _decimal(p.get(f))
    else:
        for f in ("accelerator_count", "vcpus", "memory_gib"):
            p[f] = _decimal(p.get(f))
        for f in ("usd_per_hour_on_demand", "usd_per_hour_spot"):
            p[f] = _decimal(p.get(f))
    row = model.objects.create(
        feed_id=review.feed_id, valid_from=now, fingerprint=review.fingerprint, **p
    )
    OfferPrice.objects.bulk_create(OfferPrice(offer_id=row.pk, **r) for r in price_rows)
    review.status, review.decided_at, review.decided_by = PriceReview.Status.ACCEPTED, now, user
    review.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    return row


def price_review_dismiss(*, review: PriceReview, user: str = "") -> None:
    PriceReview.objects.filter(pk=review.pk, status=PriceReview.Status.PENDING).update(
        status=PriceReview.Status.DISMISSED, decided_at=timezone.now(), decided_by=user
    )
