"""The one cost function over many (usage, offer) pairs at once, exactly (pure: numpy).

`price_pairs(offers, offer_index, usages, requests)` gives the same totals as
`price_request(usage, offers[i], requests).total` for every pair, for the common
per-token shape: token counts (integers) of every kind, a service tier and batch, plus the
offer's per-request fee. Usages that need more (images, seconds, characters, pages,
searches, a region, a time of day, fractional token counts) are priced by `price_request`
one at a time; `TokenUsages.from_usages` refuses them.

How it stays exact: the rows a request is priced by depend only on its selection key
(offer, service tier, batch, long-context tier bucket), as in `engine._plan`. Each distinct
key is planned once by the engine itself; its effective prices (row price × multiplier,
USD per 1M tokens, and the per-request fee) become integers at a decimal scale S chosen
so that every price of that key is a whole number of 10^-S. A pair's total is then

    units = Σ_kinds tokens × price·10^S  +  1e6 × fee·10^S      (exact integers)
    USD   = units × requests × 10^-(S + 6)                      (Decimal when read)

Feed prices such as 2.9999900000000002 per 1M need S = 16, so `units` can pass int64:
each integer price is written in base 2^31 digits ("limbs") and each limb's sum is kept
apart (units = Σ_l limb_sum_l · 2^(31·l)); a limb sum stays under 2^62 while a request
has fewer than 2^31 tokens of all kinds. Pairs beyond that, with a negative count, or
priced by a negative price, go through `price_request` instead (`PairCosts.fallback`),
so every total is the exact figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from decimal import Decimal, localcontext

import numpy as np

from pricing.costing.engine import _TOKEN_KINDS, EXACT, _plan, price_request
from pricing.costing.records import REQUEST, UNIT_FIELDS, OfferPricing, Usage

TOKEN_FIELDS = (
    "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens",
    "cache_write_1h_tokens", "reasoning_tokens", "audio_input_tokens", "audio_output_tokens",
    "image_input_tokens", "image_output_tokens",
)  # fmt: skip
_UNIT_FIELD_NAMES = frozenset(f for f in UNIT_FIELDS.values() if f)
_BITS = 31
_MASK = 2**_BITS - 1
_MAX_TOKENS = 2**_BITS  # per request, all kinds together: keeps each limb sum under 2^62
_REQUEST_POSITION = list(UNIT_FIELDS).index(REQUEST)
_N_KINDS = len(_TOKEN_KINDS)


@dataclass(frozen=True)
class TokenUsages:
    """Usages of the per-token shape as columns: one int64 array per token field of
    `Usage` (same names), the service tier of each ("" for standard) and batch flags."""

    input_tokens: np.ndarray
    output_tokens: np.ndarray
    cache_read_tokens: np.ndarray
    cache_write_tokens: np.ndarray
    cache_write_1h_tokens: np.ndarray
    reasoning_tokens: np.ndarray
    audio_input_tokens: np.ndarray
    audio_output_tokens: np.ndarray
    image_input_tokens: np.ndarray
    image_output_tokens: np.ndarray
    service_tier: np.ndarray  # str per usage
    batch: np.ndarray  # bool per usage

    def __len__(self) -> int:
        return len(self.input_tokens)

    @classmethod
    def from_usages(cls, usages: Sequence[Usage]) -> TokenUsages:
        """Columns of `usages`; ValueError for a usage outside the per-token shape."""
        for u in usages:
            problem = _shape_problem(u)
            if problem:
                raise ValueError(f"not a per-token usage ({problem}): price it with price_request")
        columns = {
            name: np.fromiter((int(getattr(u, name)) for u in usages), np.int64, len(usages))
            for name in TOKEN_FIELDS
        }
        return cls(
            **columns,
            service_tier=np.array([_tier(u.service_tier) for u in usages], dtype=object),
            batch=np.fromiter((bool(u.batch) for u in usages), bool, len(usages)),
        )

    def usage(self, i: int) -> Usage:
        """Pair i's usage as a `Usage` (what `price_request` takes)."""
        return Usage(
            **{name: int(getattr(self, name)[i]) for name in TOKEN_FIELDS},
            service_tier=str(self.service_tier[i]), batch=bool(self.batch[i]),
        )  # fmt: skip

    def take(self, index: np.ndarray) -> TokenUsages:
        return TokenUsages(**{f.name: getattr(self, f.name)[index] for f in fields(self)})


def _tier(tier: str) -> str:
    return "" if tier in ("", "standard") else tier


def _shape_problem(u: Usage) -> str:
    for name in TOKEN_FIELDS:
        value = getattr(u, name)
        if value != int(value) or value < 0:
            return f"{name}={value}"
    for name in _UNIT_FIELD_NAMES:
        if getattr(u, name):
            return name
    if u.region or u.at is not None:
        return "region" if u.region else "time of day"
    return ""


@dataclass(frozen=True)
class PairCosts:
    """Exact totals of n pairs: USD = units × 10^-scale, except the pairs in `fallback`
    (index -> exact Decimal from price_request)."""

    limbs: np.ndarray  # (limbs × n) int64, per request: units = Σ_l limbs[l]·2^(31·l)
    scale: np.ndarray  # int64: decimal places of units
    requests: Decimal
    fallback: dict[int, Decimal]

    def __len__(self) -> int:
        return self.limbs.shape[1]

    def total(self, i: int) -> Decimal:
        """Pair i's exact USD (equal to price_request(...).total)."""
        got = self.fallback.get(i)
        if got is not None:
            return got
        with localcontext(EXACT):
            units = sum(int(limb) << (_BITS * k) for k, limb in enumerate(self.limbs[:, i]))
            return (Decimal(units) * self.requests).scaleb(-int(self.scale[i]))

    def floats(self) -> np.ndarray:
        """Every total as float64 (for sorting and display; `total` is the exact one)."""
        units = sum(
            limb.astype(np.float64) * float(2 ** (_BITS * k)) for k, limb in enumerate(self.limbs)
        )
        out = units * float(self.requests) * np.power(10.0, -self.scale.astype(np.float64))
        for i, value in self.fallback.items():
            out[i] = float(value)
        return out


def _thresholds(offers: Sequence[OfferPricing]) -> np.ndarray:
    """(offers × most thresholds) long-context thresholds, padded with a value no input reaches."""
    width = max((len(o.thresholds) for o in offers), default=0)
    out = np.full((len(offers), max(width, 1)), np.iinfo(np.int64).max, dtype=np.int64)
    for i, o in enumerate(offers):
        out[i, : len(o.thresholds)] = o.thresholds
    return out


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _key_prices(usage: Usage, offer: OfferPricing) -> tuple[list[int], int] | None:
    """(int prices per token kind + the fee column, scale S) for the key of `usage`, from
    the engine's own plan; None when one is negative (the limbs hold magnitudes)."""
    token_plan, unit_plan = _plan(usage, offer)
    with localcontext(EXACT):
        prices = [c[0].price * c[1] if c else Decimal(0) for c in token_plan]
        fee_plan = unit_plan[_REQUEST_POSITION]
        fee = fee_plan[0].price * fee_plan[1] if fee_plan else Decimal(0)
        scale = max([0, _decimals(fee) - 6, *map(_decimals, prices)])
        ints = [int(p.scaleb(scale)) for p in prices] + [int(fee.scaleb(scale + 6))]
    if any(v < 0 for v in ints):
        return None
    return ints, scale


def _quantities(u: TokenUsages) -> np.ndarray:
    """(n × kinds+1) int64 per-request quantities in engine._TOKEN_KINDS order, then 1
    for the per-request fee (as engine._token_quantities)."""
    n = len(u)
    q = np.empty((n, _N_KINDS + 1), dtype=np.int64)
    q[:, 0] = np.maximum(
        u.input_tokens - u.cache_read_tokens - u.cache_write_tokens - u.cache_write_1h_tokens
        - u.audio_input_tokens - u.image_input_tokens, 0
    )  # fmt: skip
    q[:, 1] = u.cache_read_tokens
    q[:, 2] = u.cache_write_tokens
    q[:, 3] = u.cache_write_1h_tokens
    q[:, 4] = u.audio_input_tokens
    q[:, 5] = u.image_input_tokens
    q[:, 6] = np.maximum(
        u.output_tokens - u.reasoning_tokens - u.audio_output_tokens - u.image_output_tokens, 0
    )
    q[:, 7] = u.reasoning_tokens
    q[:, 8] = u.audio_output_tokens
    q[:, 9] = u.image_output_tokens
    q[:, _N_KINDS] = 1
    return q


def price_pairs(
    offers: Sequence[OfferPricing],
    offer_index: np.ndarray,
    usages: TokenUsages,
    requests: int | Decimal = 1,
) -> PairCosts:
    """Exact totals for pairs (usages[i], offers[offer_index[i]]), each for `requests`
    requests: the same figures as price_request, computed in int64 (module doc)."""
    offer_index = np.asarray(offer_index, dtype=np.int64)
    n = len(offer_index)
    n_requests = requests if isinstance(requests, Decimal) else Decimal(requests)
    if len(usages) != n:
        raise ValueError(f"{n} offers for {len(usages)} usages")
    if not n:
        empty = np.zeros(0, dtype=np.int64)
        return PairCosts(np.zeros((1, 0), dtype=np.int64), empty, n_requests, {})
    tier_names, tier_codes = np.unique(usages.service_tier.astype(str), return_inverse=True)
    thresholds = _thresholds(offers)
    bucket = (thresholds[offer_index] < usages.input_tokens[:, None]).sum(axis=1)
    key = ((offer_index * len(tier_names) + tier_codes) * 2 + usages.batch) * (
        thresholds.shape[1] + 1
    ) + bucket
    keys, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    table: list[list[int]] = []
    scales = np.zeros(len(keys), dtype=np.int64)
    usable = np.ones(len(keys), dtype=bool)
    for k, i in enumerate(first):
        got = _key_prices(usages.usage(int(i)), offers[int(offer_index[i])])
        if got is None:
            usable[k] = False
            table.append([0] * (_N_KINDS + 1))
        else:
            table.append(got[0])
            scales[k] = got[1]
    width = max((v.bit_length() for row in table for v in row), default=0)
    limb_tables = np.array(
        [[[(v >> (_BITS * k)) & _MASK for v in row] for row in table]
         for k in range(max(1, -(-width // _BITS)))],
        dtype=np.int64,
    ).reshape(-1, len(keys), _N_KINDS + 1)  # fmt: skip
    q = _quantities(usages)
    counts_ok = np.logical_and.reduce([getattr(usages, name) >= 0 for name in TOKEN_FIELDS])
    small = q.max(axis=1) < _MAX_TOKENS  # so that the sum below cannot wrap
    ok = usable[inverse] & counts_ok & small & (q.sum(axis=1) < _MAX_TOKENS)
    limbs = np.stack([np.einsum("ij,ij->i", q, t[inverse]) for t in limb_tables])
    limbs[:, ~ok] = 0
    fallback = {
        int(i): price_request(usages.usage(int(i)), offers[int(offer_index[i])], requests).total
        for i in np.flatnonzero(~ok)
    }
    return PairCosts(limbs, scales[inverse] + 6, n_requests, fallback)
