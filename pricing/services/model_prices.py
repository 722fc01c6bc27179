"""Each catalog model's cheapest price, kept on the model row for sorting and filtering.

`catalog.Model.cheapest_usd_per_mtok_blended` is what the model's cheapest current token
offer charges for the reference usage below, priced by the one cost function
(`reference_usage_usd` calls pricing.costing.price_request); `cheapest_usd_per_mtok_input` is
its lowest current input price per 1M tokens. Both are NULL for a model without a priced
current token offer. Catalog cannot import pricing, so pricing writes these columns:
after every feed sync (`feed_sync`) and from a beat task, through
`catalog.services.counts.model_columns_sync` (only changed rows are written).
"""

from __future__ import annotations

import logging
from decimal import Decimal

from catalog.services.counts import model_columns_sync
from pricing.costing import OfferPricing, Usage, price_request
from pricing.models import Offer, Unit
from pricing.offer_pricing import COLUMNS, pricing_for_rows

logger = logging.getLogger(__name__)

# The reference usage `cheapest` is priced for: 1M tokens blended 3:1 input:output, as
# 1,000 requests of 750 input + 250 output tokens (short requests: no long-context tier
# applies), no cache hits, no batch. Artificial Analysis' "blended price" is the same 3:1.
REFERENCE_USAGE = Usage(input_tokens=750, output_tokens=250)
REFERENCE_REQUESTS = 1000
REFERENCE_USAGE_LABEL = "1M tokens, 3:1 input:output (1,000 requests of 750 in + 250 out)"
FIELDS = ["cheapest_usd_per_mtok_input", "cheapest_usd_per_mtok_blended"]
QUANTUM = Decimal("0.000000001")  # the columns' 9 decimal places


def reference_usage_usd(row: dict, pricing: OfferPricing) -> Decimal | None:
    """USD for REFERENCE_USAGE at one token offer's price rows; None when the offer does
    not price that usage (`CostBreakdown.complete`: the estimate endpoint, the pages and
    the planner leave such an offer out). The one cost function does the arithmetic;
    `row` (a `values()` row) is not read, kept for callers."""
    cost = price_request(REFERENCE_USAGE, pricing, REFERENCE_REQUESTS)
    return cost.total if cost.complete else None


def model_prices_refresh() -> int:
    """Recompute both cheapest-price columns of every model from the current token offers
    (one read of those offers, then only changed model rows written). Idempotent.
    Returns the number of model rows written."""
    desired: dict[int, dict[str, object]] = {}
    rows = (
        Offer.objects.current()
        .filter(model__isnull=False, unit=Unit.TOKEN)
        .values("id", "model_id", *COLUMNS)
        .order_by("id")
    )
    for row, pricing in _priced(rows):
        price_in = row["usd_per_mtok_input"]
        blended = reference_usage_usd(row, pricing)
        if price_in is None and blended is None:
            continue
        best = desired.setdefault(row["model_id"], dict.fromkeys(FIELDS))
        if price_in is not None:
            price_in = price_in.quantize(QUANTUM)
            low = best["cheapest_usd_per_mtok_input"]
            best["cheapest_usd_per_mtok_input"] = price_in if low is None else min(low, price_in)
        if blended is not None:
            blended = blended.quantize(QUANTUM)
            low = best["cheapest_usd_per_mtok_blended"]
            best["cheapest_usd_per_mtok_blended"] = blended if low is None else min(low, blended)
    written = model_columns_sync(fields=FIELDS, desired=desired)
    logger.info("model prices refreshed priced=%d written=%d", len(desired), written)
    return written


def _priced(rows, chunk: int = 5000):
    """(row, OfferPricing) for each row: one query for the price rows of each chunk."""
    batch = []
    for row in rows.iterator(chunk_size=chunk):
        batch.append(row)
        if len(batch) == chunk:
            yield from _pair(batch)
            batch = []
    yield from _pair(batch)


def _pair(batch):
    pricing = pricing_for_rows(batch)
    return [(row, pricing[row["id"]]) for row in batch]
