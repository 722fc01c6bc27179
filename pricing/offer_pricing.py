"""Offers as the cost engine's `OfferPricing` (reads). Every $ figure for an API offer is
`pricing.costing.price_request(usage, offer_pricing_of(offer), requests)`.

An offer's stored price rows (`OfferPrice`) when it has any, else the rows its summary
columns imply (`pricing.costing.offers.offer_pricing`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db.models import IntegerField
from django.db.models.functions import Cast

from pricing.costing import OfferPricing, PriceComponent
from pricing.costing.offers import offer_pricing
from pricing.models import Offer, OfferPrice

COLUMNS = (*Offer.PRICE_FIELDS, "tiers", "unit", "image_options")
ROW_FIELDS = ("offer_id", "price", *OfferPrice.DIMENSIONS)


def offer_pricing_of(offer: Offer) -> OfferPricing:
    """One offer (its price_rows prefetched, or one query)."""
    columns = {f: getattr(offer, f) for f in COLUMNS}
    rows = [
        {f: getattr(r, f) for f in ROW_FIELDS} for r in offer.price_rows.all()
    ]  # uses the prefetch cache when there is one
    return offer_pricing(columns, rows, label=f"offer {offer.id}")


def pricing_for_rows(rows: Iterable[Mapping[str, Any]]) -> dict[int, OfferPricing]:
    """{offer id: OfferPricing} for `values()` rows of offers (with "id" and COLUMNS):
    one query for all their price rows, in chunks."""
    rows = list(rows)
    ids = [r["id"] for r in rows]
    stored: dict[int, list[dict]] = defaultdict(list)
    for i in range(0, len(ids), 2000):
        for p in OfferPrice.objects.filter(offer_id__in=ids[i : i + 2000]).values(*ROW_FIELDS):
            stored[p["offer_id"]].append(p)
    return {
        r["id"]: offer_pricing(r, stored.get(r["id"], ()), label=f"offer {r['id']}") for r in rows
    }


# Equal row sets share one OfferPricing (and the per-usage results the engine caches on
# it) across calls: {(row values, ...): OfferPricing}. An offer row's price rows never
# change (a changed row set is a new offer row, pricing.OfferPrice), so an offer's
# OfferPricing is kept by (id, created_at, fingerprint) too: a later call reads the rows
# of new offers only. Both are emptied when they grow past the bound.
_SHARED: dict[tuple, OfferPricing] = {}
_BY_OFFER: dict[tuple, OfferPricing] = {}
_KEEP_MAX = 200_000
CHUNK = 2000  # ids per query (SQLite's bound on query parameters)


class _BatchAsInt(Cast):
    """CAST(batch AS integer) as the database hands it back: no per-row converter in
    Python (SQLite's booleans would each go through one; tens of thousands of rows)."""

    def __init__(self) -> None:
        super().__init__("batch", IntegerField())

    @property
    def convert_value(self):
        return self._convert_value_noop


_READ = (
    "offer_id",
    "price",
    *(_BatchAsInt() if d == "batch" else d for d in OfferPrice.DIMENSIONS),
)


def _component(values: tuple) -> PriceComponent:
    """(price, *DIMENSIONS) as read by pricing_for_offers."""
    (price, component, modality, above, tier, batch, ttl, resolution, quality, region,
     window) = values  # fmt: skip
    return PriceComponent(
        component, Decimal(price), modality or "text", int(above or 0), tier or "",
        bool(batch), ttl or "", resolution or "", quality or "", region or "", window or "",
    )  # fmt: skip


def pricing_for_offers(offers: Sequence[tuple[int, Any, str]]) -> dict[int, OfferPricing]:
    """{offer id: OfferPricing} for offers given as (id, created_at, fingerprint): the
    same rows offer_pricing_of gives, read in bulk. Offers seen by an earlier call are
    not read again; for the others, one query per CHUNK offers for their price rows (in
    the rows' own order) and, only when some have none, one per CHUNK for the summary
    columns of those (priced by the rows the columns imply)."""
    if len(_BY_OFFER) > _KEEP_MAX or len(_SHARED) > _KEEP_MAX:
        _BY_OFFER.clear()
        _SHARED.clear()
    out: dict[int, OfferPricing] = {}
    todo: dict[int, tuple] = {}
    for key in offers:
        pricing = _BY_OFFER.get(key)
        if pricing is None:
            todo[key[0]] = key
        else:
            out[key[0]] = pricing
    ids = list(todo)
    for i in range(0, len(ids), CHUNK):
        rows = (
            OfferPrice.objects.filter(offer_id__in=ids[i : i + CHUNK])
            .order_by(*OfferPrice._meta.ordering)
            .values_list(*_READ)
        )
        for offer_id, group in groupby(rows, key=itemgetter(0)):
            values = tuple(r[1:] for r in group)
            pricing = _SHARED.get(values)
            if pricing is None:
                pricing = _SHARED[values] = OfferPricing(tuple(map(_component, values)))
            out[offer_id] = _BY_OFFER[todo[offer_id]] = pricing
    bare = [i for i in ids if i not in out]
    for i in range(0, len(bare), CHUNK):
        for r in Offer.objects.filter(id__in=bare[i : i + CHUNK]).values("id", *COLUMNS):
            out[r["id"]] = _BY_OFFER[todo[r["id"]]] = offer_pricing(r, (), label=f"offer {r['id']}")
    return out


def reference_costs(offers: Iterable[Offer]) -> None:
    """Set `reference_usd` on each token offer: the one cost function's USD for the
    reference usage of the cheapest column (1,000 requests of 750 in + 250 out tokens;
    pricing.services.model_prices), None for an offer that does not price that usage
    (`CostBreakdown.complete`, as the estimate endpoint and the planner leave it out).
    One query for the offers' price rows."""
    from django.db.models import prefetch_related_objects

    from pricing.costing import price_request
    from pricing.services.model_prices import REFERENCE_REQUESTS, REFERENCE_USAGE

    offers = [o for o in offers if o.unit == "token"]
    prefetch_related_objects(offers, "price_rows")
    for o in offers:
        cost = price_request(REFERENCE_USAGE, offer_pricing_of(o), REFERENCE_REQUESTS)
        o.reference_usd = cost.total if cost.complete else None


def reference_costs_for_rows(rows: Iterable[Any]) -> None:
    """reference_costs for offers read as plain values (objects with `id` and COLUMNS as
    attributes, pricing.selectors.OfferRow): the same figures, no model instances. One
    query for the rows' price rows."""
    from pricing.costing import price_request
    from pricing.services.model_prices import REFERENCE_REQUESTS, REFERENCE_USAGE

    rows = [r for r in rows if r.unit == "token"]
    pricings = pricing_for_rows({"id": r.id, **{f: getattr(r, f) for f in COLUMNS}} for r in rows)
    for r in rows:
        cost = price_request(REFERENCE_USAGE, pricings[r.id], REFERENCE_REQUESTS)
        r.reference_usd = cost.total if cost.complete else None
