"""Cost formulas (pure: no Django). Money in Decimal USD.

API monthly cost (ARCHITECTURE.md, "The math"):

    cost = requests/day x days x (in x (1 - h) x p_in + in x h x p_cached + out x p_out) / 1e6

with prices p in USD per 1M tokens and h the cache-hit share of input tokens. A share
`batch_share` of the requests runs through the batch API at the batch prices (or, when
the provider publishes none, at `batch_discount` off the list prices; cached tokens keep
the cached price). Tiered prices: when a request's input exceeds a tier's threshold
(e.g. Gemini/Claude above 200k tokens), the whole request is billed at that tier's
prices, which is how those providers bill.

Self-hosted cost per 1M tokens:

    usd_per_mtok = usd_per_hour x instances / (tokens_per_s x 3600 x utilization) x 1e6
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

MILLION = Decimal(1_000_000)


@dataclass(frozen=True, slots=True)
class PriceTier:
    above_tokens: int
    usd_per_mtok_input: Decimal | None = None
    usd_per_mtok_output: Decimal | None = None
    usd_per_mtok_cache_read: Decimal | None = None


@dataclass(frozen=True, slots=True)
class TokenPrices:
    usd_per_mtok_input: Decimal
    usd_per_mtok_output: Decimal
    usd_per_mtok_cache_read: Decimal | None = None  # None: cached tokens cost full input
    usd_per_mtok_batch_input: Decimal | None = None
    usd_per_mtok_batch_output: Decimal | None = None
    tiers: tuple[PriceTier, ...] = ()

    def for_input_tokens(self, input_tokens: int) -> TokenPrices:
        """The prices that apply to a request with this many input tokens."""
        applicable = [t for t in self.tiers if input_tokens > t.above_tokens]
        if not applicable:
            return self
        tier = max(applicable, key=lambda t: t.above_tokens)
        return TokenPrices(
            usd_per_mtok_input=_pick(tier.usd_per_mtok_input, self.usd_per_mtok_input),
            usd_per_mtok_output=_pick(tier.usd_per_mtok_output, self.usd_per_mtok_output),
            usd_per_mtok_cache_read=_pick(
                tier.usd_per_mtok_cache_read, self.usd_per_mtok_cache_read
            ),
            usd_per_mtok_batch_input=self.usd_per_mtok_batch_input,
            usd_per_mtok_batch_output=self.usd_per_mtok_batch_output,
        )


def _pick(tier_price: Decimal | None, base: Decimal | None) -> Decimal | None:
    return base if tier_price is None else tier_price


@dataclass(frozen=True, slots=True)
class ApiWorkload:
    requests_per_day: int
    input_tokens: int  # per request
    output_tokens: int  # per request
    cache_hit_share: Decimal = Decimal(0)  # share of input tokens read from the cache
    batch_share: Decimal = Decimal(0)  # share of requests sent through the batch API
    days: int = 30


def api_request_cost(
    prices: TokenPrices,
    workload: ApiWorkload,
    *,
    batch: bool = False,
    batch_discount: Decimal = Decimal("0.5"),
) -> Decimal:
    """USD for one request of the workload (list or batch prices)."""
    p = prices.for_input_tokens(workload.input_tokens)
    p_in, p_out = p.usd_per_mtok_input, p.usd_per_mtok_output
    if batch:
        keep = 1 - batch_discount
        p_in = p.usd_per_mtok_batch_input if p.usd_per_mtok_batch_input is not None else p_in * keep
        p_out = (
            p.usd_per_mtok_batch_output if p.usd_per_mtok_batch_output is not None else p_out * keep
        )
    p_cached = p.usd_per_mtok_cache_read if p.usd_per_mtok_cache_read is not None else p_in
    h = Decimal(workload.cache_hit_share)
    tokens_in = Decimal(workload.input_tokens)
    return (
        tokens_in * (1 - h) * p_in + tokens_in * h * p_cached + workload.output_tokens * p_out
    ) / MILLION


def monthly_api_cost(
    prices: TokenPrices, workload: ApiWorkload, *, batch_discount: Decimal = Decimal("0.5")
) -> Decimal:
    """USD per `workload.days` (default a 30-day month); see the module docstring."""
    b = Decimal(workload.batch_share)
    per_request = (1 - b) * api_request_cost(prices, workload)
    if b:
        per_request += b * api_request_cost(
            prices, workload, batch=True, batch_discount=batch_discount
        )
    return Decimal(workload.requests_per_day) * workload.days * per_request


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
