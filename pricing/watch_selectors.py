"""Price changes read from the offers' history (the Atom feeds' one source).

The only place that knows how a change is stored: today an `Offer` row closed at
`valid_to` and its successor opened at the same instant (same feed, provider, model name,
unit). When the price storage changes (price rows by dimension), only this module changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from pricing import selectors
from pricing.models import Offer

PRICE_FIELDS = Offer.PRICE_FIELDS
CHANGED = "changed"
WITHDRAWN = "withdrawn"
FIELD_LABELS = {
    "usd_per_mtok_input": "input / 1M tokens",
    "usd_per_mtok_output": "output / 1M tokens",
    "usd_per_mtok_cache_read": "cached input / 1M tokens",
    "usd_per_mtok_cache_write": "cache write / 1M tokens",
    "usd_per_mtok_batch_input": "batch input / 1M tokens",
    "usd_per_mtok_batch_output": "batch output / 1M tokens",
    "usd_per_image": "per image",
    "usd_per_audio_second": "per audio second",
    "usd_per_audio_minute": "per audio minute",
    "usd_per_request": "per request",
    "usd_per_unit": "per unit",
}


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    label: str
    old: Decimal | None
    new: Decimal | None


@dataclass(frozen=True, slots=True)
class PriceChange:
    kind: str  # changed | withdrawn
    changed_at: dt.datetime
    old: Offer  # the closed row (provider, model, feed selected)
    new: Offer | None  # its successor; None when the price was withdrawn
    fields: tuple[FieldChange, ...]

    @property
    def key(self) -> str:
        return f"offer-{self.old.pk}"


def price_changes(
    *, model_id: int | None = None, provider_id: int | None = None, limit: int = 50
) -> list[PriceChange]:
    """The newest price changes and withdrawals (newest first), for one model, one
    provider or all offers. A closed row whose successor has the same prices (only
    non-price fields changed) is not a change. 2 queries: the newest closed rows (index
    offer_closed_newest, or the model's / provider's valid_to index) and their successors."""
    closed_qs = Offer.objects.filter(valid_to__isnull=False).select_related(
        "provider", "model", "feed"
    )
    if model_id is not None:
        closed_qs = closed_qs.filter(model_id=model_id)
    if provider_id is not None:
        closed_qs = closed_qs.filter(provider_id=provider_id)
    # Twice the limit: some closed rows are not price changes (same prices, new context).
    closed = list(closed_qs.order_by("-valid_to", "-id")[: limit * 2])
    if not closed:
        return []
    successors = selectors.offer_successors(closed, related=("provider", "model", "feed"))
    changes: list[PriceChange] = []
    for row in closed:
        new = successors.get((row.feed_id, row.provider_id, row.model_name, row.unit, row.valid_to))
        fields = tuple(
            FieldChange(f, FIELD_LABELS[f], getattr(row, f), getattr(new, f) if new else None)
            for f in PRICE_FIELDS
            if getattr(row, f) is not None or (new is not None and getattr(new, f) is not None)
            if new is None or getattr(row, f) != getattr(new, f)
        )
        if new is not None and not fields:
            continue
        changes.append(
            PriceChange(
                kind=CHANGED if new is not None else WITHDRAWN,
                changed_at=row.valid_to,  # type: ignore[arg-type]  # closed rows only
                old=row,
                new=new,
                fields=fields,
            )
        )
        if len(changes) == limit:
            break
    return changes
