"""The one cost function (pure): `price_request(usage, offer, requests)`.

Per request, with the OpenAI convention (input includes cached/written/audio/image input
tokens; output includes reasoning/audio/image output tokens):

    text input  = input − cache read − cache write (5m + 1h) − audio in − image in
    text output = output − reasoning − audio out − image out
    USD = Σ token kinds: tokens × price per 1M ÷ 1e6 × multipliers
        + Σ unit kinds: units × price per unit × multipliers      (minutes = seconds ÷ 60)
        + per-request fee
    total = USD per request × requests                              (exact Decimal)

Which row prices a kind: among the offer's rows of that (component, modality, cache TTL)
that apply to the request (long-context tier `above_input_tokens` < the request's input
tokens; service tier, batch, region, window, resolution, quality either "" or equal to the
request's), the most specific: a time window first (off-peak replaces every other rate),
then batch, then the highest tier threshold, then the service tier, then region, then
resolution and quality. Tiers are chosen per request and per kind, so cache reads and
writes follow their own tier rows.

A kind with no row falls back: cache read → input; 5-minute cache write → input; 1-hour
cache write → 5-minute write → input; audio/image input tokens → text input; reasoning,
audio/image output tokens → text output. A unit the usage needs that has no row at all is
reported in `missing` and left out of the total.

Multipliers (`component="multiplier"`) scale a row that lacks their dimension: a batch
multiplier applies to batch requests priced by a non-batch row (BATCH_DEFAULT, 0.5, when the
offer states none); a region multiplier
(1.1) to requests in that region priced by a row without a region; likewise a service-tier
or window multiplier.
"""

from __future__ import annotations

from datetime import datetime, time
from decimal import Context, Decimal, localcontext

from pricing.costing.records import (
    AUDIO_MINUTE,
    CACHE_READ,
    CACHE_WRITE,
    INPUT,
    MULTIPLIER,
    OUTPUT,
    REASONING,
    UNIT_FIELDS,
    WEB_SEARCH,
    CostBreakdown,
    CostLine,
    OfferPricing,
    PriceComponent,
    Usage,
)

EXACT = Context(prec=60)
# A batch request priced by a non-batch row, on an offer that states no batch multiplier:
# half price, the batch discount every major provider publishes (OpenAI, Anthropic, Google).
BATCH_DEFAULT = Decimal("0.5")  # every figure here is far under 60 significant digits
ZERO = Decimal(0)
ONE = Decimal(1)
SIXTY = Decimal(60)
_TOKEN_KINDS = (
    # (quantity key of _token_quantities, component, modality, cache TTL)
    ("text_in", INPUT, "text", ""),
    ("cache_read", CACHE_READ, "text", ""),
    ("cache_write_5m", CACHE_WRITE, "text", ""),
    ("cache_write_1h", CACHE_WRITE, "text", "1h"),
    ("audio_in", INPUT, "audio", ""),
    ("image_in", INPUT, "image", ""),
    ("text_out", OUTPUT, "text", ""),
    ("reasoning", REASONING, "text", ""),
    ("audio_out", OUTPUT, "audio", ""),
    ("image_out", OUTPUT, "image", ""),
)
FALLBACK: dict[tuple[str, str, str], tuple[str, str, str] | None] = {
    (INPUT, "text", ""): None,
    (CACHE_READ, "text", ""): (INPUT, "text", ""),
    (CACHE_WRITE, "text", ""): (INPUT, "text", ""),
    (CACHE_WRITE, "text", "1h"): (CACHE_WRITE, "text", ""),
    (INPUT, "audio", ""): (INPUT, "text", ""),
    (INPUT, "image", ""): (INPUT, "text", ""),
    (OUTPUT, "text", ""): None,
    (REASONING, "text", ""): (OUTPUT, "text", ""),
    (OUTPUT, "audio", ""): (OUTPUT, "text", ""),
    (OUTPUT, "image", ""): (OUTPUT, "text", ""),
}
_NAMES = {INPUT: "input tokens", OUTPUT: "output tokens"}


def _d(value: int | Decimal | float) -> Decimal:
    if value.__class__ is Decimal:
        return value  # type: ignore[return-value]
    return Decimal(value) if isinstance(value, int) else Decimal(str(value))


def in_window(window: str, at: datetime) -> bool:
    """Whether `at` (UTC) is inside `window`: comma-separated "[DAYS@]HH:MM-HH:MM" ranges,
    DAYS being ISO weekday digits ("12345@10:00-00:00": weekdays from 10:00 to midnight).
    The end is excluded; a range may wrap midnight; "00:00-00:00" is the whole day."""
    moment = at.time()
    for part in window.split(","):
        days, _, hours = part.strip().rpartition("@")
        if days and str(at.isoweekday()) not in days:
            continue
        start_s, _, end_s = hours.partition("-")
        start, end = time.fromisoformat(start_s.strip()), time.fromisoformat(end_s.strip())
        inside = start <= moment < end if start < end else (moment >= start or moment < end)
        if start == end or inside:
            return True
    return False


def _applies(row: PriceComponent, usage: Usage, tier: str, input_tokens: Decimal) -> bool:
    if row.above_input_tokens and not input_tokens > row.above_input_tokens:
        return False
    if row.service_tier and row.service_tier != tier:
        return False
    if row.batch and not usage.batch:
        return False
    if row.region and row.region != usage.region:
        return False
    return not row.window or (usage.at is not None and in_window(row.window, usage.at))


def _unit_ok(row: PriceComponent, resolution: str, quality: str) -> bool:
    return (not row.resolution or row.resolution == resolution) and (
        not row.quality or row.quality == quality
    )


def _rank(row: PriceComponent) -> tuple:
    return (
        bool(row.window), row.batch, row.above_input_tokens, bool(row.service_tier),
        bool(row.region), bool(row.resolution), bool(row.quality),
    )  # fmt: skip


def _pick(rows, usage, tier, input_tokens, resolution="", quality="") -> PriceComponent | None:
    best, best_rank = None, None
    for row in rows:
        if not _applies(row, usage, tier, input_tokens):
            continue
        if (resolution or quality or row.resolution or row.quality) and not _unit_ok(
            row, resolution, quality
        ):
            continue
        rank = _rank(row)
        if best_rank is None or rank > best_rank:
            best, best_rank = row, rank
    return best


def _multiplier(row: PriceComponent, mults, usage: Usage, tier: str, tokens: Decimal) -> Decimal:
    if usage.batch and not row.batch and not any(m.batch for m in mults):
        factor = BATCH_DEFAULT
    else:
        factor = ONE
    for m in mults:
        if not _applies(m, usage, tier, tokens):
            continue
        if (
            (m.batch and not row.batch)
            or (m.region and not row.region)
            or (m.service_tier and not row.service_tier)
            or (m.window and not row.window)
        ):
            factor *= m.price
    return factor


def _token_quantities(u: Usage) -> tuple[Decimal, ...]:
    """Per-request quantities in _TOKEN_KINDS order."""
    if not (u.cache_write_tokens or u.cache_write_1h_tokens or u.cache_read_tokens
            or u.audio_input_tokens or u.image_input_tokens or u.reasoning_tokens
            or u.audio_output_tokens or u.image_output_tokens):  # fmt: skip
        return (_d(u.input_tokens), ZERO, ZERO, ZERO, ZERO, ZERO, _d(u.output_tokens),
                ZERO, ZERO, ZERO)  # fmt: skip
    cw5, cw1h, read = _d(u.cache_write_tokens), _d(u.cache_write_1h_tokens), _d(u.cache_read_tokens)
    a_in, i_in = _d(u.audio_input_tokens), _d(u.image_input_tokens)
    reasoning, a_out, i_out = (
        _d(u.reasoning_tokens),
        _d(u.audio_output_tokens),
        _d(u.image_output_tokens),
    )
    text_in = _d(u.input_tokens) - read - cw5 - cw1h - a_in - i_in
    text_out = _d(u.output_tokens) - reasoning - a_out - i_out
    return (
        max(text_in, ZERO), read, cw5, cw1h, a_in, i_in,
        max(text_out, ZERO), reasoning, a_out, i_out,
    )  # fmt: skip


def price_request(usage: Usage, offer: OfferPricing, requests: int | Decimal = 1) -> CostBreakdown:
    """Exact USD for `requests` requests, each using `usage`, at `offer`'s rows (module doc)."""
    with localcontext(EXACT):
        return _price(usage, offer, _d(requests))


def _selection(usage: Usage, offer: OfferPricing) -> tuple:
    """What row selection depends on: requests with the same key use the same rows."""
    tier = "" if usage.service_tier in ("", "standard") else usage.service_tier
    thresholds = offer.thresholds
    tokens = _d(usage.input_tokens)
    bucket = sum(1 for t in thresholds if tokens > t)
    return (
        tier, usage.batch, usage.region, usage.at if offer.has_windows else None, bucket,
        usage.image_size, usage.image_quality, usage.video_resolution, usage.search_context,
    )  # fmt: skip


def _plan(usage: Usage, offer: OfferPricing) -> tuple[list, list]:
    """(token plan, unit plan): for each kind, (row, multiplier) or None when unpriced;
    cached on the offer per selection key (a few keys per offer in practice)."""
    key = _selection(usage, offer)
    plans = offer.__dict__.setdefault("_plans", {})
    plan = plans.get(key)
    if plan is not None:
        return plan
    index = offer.index
    mults = index.get((MULTIPLIER, "", ""), ())
    tier, tokens_in = key[0], _d(usage.input_tokens)
    tokens: list = []
    for _name, component, modality, ttl in _TOKEN_KINDS:
        k: tuple[str, str, str] | None = (component, modality, ttl)
        row = None
        while k is not None and row is None:
            row = _pick(index.get(k, ()), usage, tier, tokens_in)
            k = FALLBACK[k] if row is None else k
        tokens.append(
            None if row is None else (row, _multiplier(row, mults, usage, tier, tokens_in))
        )
    units: list = []
    for component in UNIT_FIELDS:
        resolution, quality = _unit_dims(component, usage)
        row = _pick(index.get((component, "", ""), ()), usage, tier, tokens_in, resolution, quality)
        units.append(
            None if row is None else (row, _multiplier(row, mults, usage, tier, tokens_in))
        )
    if len(plans) > 256:
        plans.clear()
    plans[key] = plan = (tokens, units)
    return plan


def _price(usage: Usage, offer: OfferPricing, n: Decimal) -> CostBreakdown:
    token_plan, unit_plan = _plan(usage, offer)
    lines: list[CostLine] = []
    missing: list[str] = []
    for (_name, component, modality, _ttl), qty, chosen in zip(
        _TOKEN_KINDS, _token_quantities(usage), token_plan, strict=True
    ):
        if not qty:
            continue
        if chosen is None:
            missing.append(_NAMES.get(component, f"{component} tokens"))
            continue
        row, factor = chosen
        total_qty = qty * n
        usd = (total_qty * row.price).scaleb(-6)
        if factor is not ONE:
            usd *= factor
        lines.append(CostLine(component, modality, total_qty, row.price, factor, usd, row))
    index = offer.index
    for (component, field), chosen in zip(UNIT_FIELDS.items(), unit_plan, strict=True):
        if field is None:  # per-request fee: one per request whenever the offer has one
            qty = ONE
        else:
            raw = getattr(usage, field)
            if not raw:
                continue
            qty = _d(raw)
            if component == AUDIO_MINUTE:
                qty = qty / SIXTY
        if chosen is None:
            if component == AUDIO_MINUTE and index.get(("audio_second", "", "")):
                continue  # priced per second instead
            if component == "audio_second" and index.get((AUDIO_MINUTE, "", "")):
                continue
            if field is not None:
                missing.append(component.replace("_", " ") + "s")
            continue
        row, factor = chosen
        total_qty = qty * n
        lines.append(
            CostLine(component, row.modality, total_qty, row.price, factor,
                     total_qty * row.price * factor, row)
        )  # fmt: skip
    total = sum((line.usd for line in lines), ZERO)
    return CostBreakdown(total=total, requests=n, lines=tuple(lines), missing=tuple(missing))


def _unit_dims(component: str, usage: Usage) -> tuple[str, str]:
    if component == "image":
        return usage.image_size, usage.image_quality
    if component == "video_second":
        return usage.video_resolution, ""
    if component == WEB_SEARCH:
        return usage.search_context, ""
    return "", ""


def request_usd(usage: Usage, offer: OfferPricing) -> Decimal:
    """USD for one request (the total of `price_request(usage, offer, 1)`)."""
    return price_request(usage, offer).total
