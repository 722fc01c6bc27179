"""The one cost engine (pure: no Django). Every $ figure for an API offer comes from here:
`POST /api/estimate/cost/`, the planner, the model and provider pages and the exports.

Entry point (stable; planner and pricing call only these names):

    from pricing.costing import OfferPricing, PriceComponent, Usage, price_request

    offer = OfferPricing((PriceComponent("input", Decimal("3")),
                          PriceComponent("output", Decimal("15")),
                          PriceComponent("cache_read", Decimal("0.3"))))
    usage = Usage(input_tokens=10_000, cache_read_tokens=8_000, output_tokens=500)
    price_request(usage, offer, requests=1000)   # CostBreakdown(total=Decimal(...), lines=...)

- `price_request(usage, offer, requests=1) -> CostBreakdown`: exact Decimal USD for
  `requests` requests each using `usage` (see `pricing.costing.engine` for the rules).
- `offer_pricing(columns, rows=())`: an Offer's rows (or its legacy columns) as
  `OfferPricing` (`pricing.costing.offers`).
- Records: `PriceComponent` (one price row keyed by dimensions), `Usage`, `CostBreakdown`,
  `CostLine` (`pricing.costing.records`).
- Many pairs at once: `pricing.costing.vector.price_pairs(offers, offer_index, usages,
  requests)` gives price_request's exact totals for per-token usages in numpy (rows
  planned by the engine once per selection key); `bench/prices.py` checks the two agree.
"""

from pricing.costing.engine import in_window, price_request
from pricing.costing.records import (
    CostBreakdown,
    CostLine,
    OfferPricing,
    PriceComponent,
    Usage,
)

__all__ = [
    "CostBreakdown",
    "CostLine",
    "OfferPricing",
    "PriceComponent",
    "Usage",
    "in_window",
    "price_request",
]
