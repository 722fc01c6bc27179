"""Self-hosted cost formula (pure: no Django). Money in Decimal USD.

API costs are not here: every API $ figure comes from the one cost function,
`pricing.costing.price_request` (issue 15).

Self-hosted cost per 1M tokens:

    usd_per_mtok = usd_per_hour x instances / (tokens_per_s x 3600 x utilization) x 1e6
"""

from __future__ import annotations

from decimal import Decimal

MILLION = Decimal(1_000_000)


def self_hosted_usd_per_mtok(
    *, usd_per_hour: Decimal, tokens_per_s: float, utilization: float = 1.0, instances: int = 1
) -> Decimal:
    """USD per 1M generated tokens for instances running at `tokens_per_s` each in total.

    usd_per_mtok = usd_per_hour x instances / (tokens_per_s x 3600 x utilization) x 1e6.
    Raises ValueError for non-positive throughput or utilization outside (0, 1]."""
    if tokens_per_s <= 0:
        raise ValueError("tokens_per_s must be > 0")
    if not 0 < utilization <= 1:
        raise ValueError("utilization must be in (0, 1]")
    tokens_per_hour = Decimal(str(tokens_per_s)) * 3600 * Decimal(str(utilization))
    return Decimal(usd_per_hour) * instances / tokens_per_hour * MILLION
