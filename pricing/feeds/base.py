"""Records and helpers shared by the pure feed parsers (no Django imports).

Every parser is `parse_<format>(data: bytes, ...) -> (records, errors)`. It never
raises for one bad record: the record is left out and an error names it and says why.
It raises `FeedFormatError` only when the whole document is unreadable or has the
wrong shape, and then the run changes nothing.

Money is `Decimal`, read from the document's text (`json.loads(parse_float=Decimal)`),
never through a binary float. Per-token feed prices are converted to USD per 1M tokens
by shifting the decimal point (`per_million`), never by rounding first; a price is kept
to PRICE_PLACES decimals (what the money columns store, exactly) and one beyond
PRICE_MAX is rejected with its key named. Every record carries a `fingerprint`: a hash
of its normalized price fields, so a re-sync skips unchanged rows without comparing
column by column.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Context, Decimal, InvalidOperation
from typing import Any

from pricing.costing.offers import extra_components
from pricing.costing.records import PriceComponent

PRICE_PLACES = 23  # LiteLLM's per-pixel 2.384185791015625e-08 needs 23
PRICE_INT_DIGITS = 9  # up to $999,999,999.99... per unit
QUANTUM = Decimal(1).scaleb(-PRICE_PLACES)
PRICE_MAX = Decimal(10) ** PRICE_INT_DIGITS
# Wide enough for every in-range price at full precision (default contexts keep 28 digits).
EXACT = Context(prec=PRICE_INT_DIGITS + PRICE_PLACES + 8)
UNITS = frozenset(
    {
        "token",
        "image",
        "audio_second",
        "audio_minute",
        "video_second",
        "character",
        "request",
        "page",
    }
)
OFFER_PRICE_FIELDS = (
    "usd_per_mtok_input",
    "usd_per_mtok_output",
    "usd_per_mtok_cache_read",
    "usd_per_mtok_cache_write",
    "usd_per_mtok_batch_input",
    "usd_per_mtok_batch_output",
    "usd_per_image",
    "usd_per_audio_second",
    "usd_per_audio_minute",
    "usd_per_request",
    "usd_per_unit",
)


class FeedFormatError(Exception):
    """The whole document is unreadable or has the wrong shape."""


class RecordRejected(ValueError):
    """One record's value is unusable (negative, not a number); the message says which."""


@dataclass(frozen=True, slots=True)
class RecordError:
    """A rejected record. `ref` ("provider/model" or "cloud/region/instance") lets the
    loader keep that record's last good price current instead of treating it as gone."""

    ref: str
    reason: str

    def __str__(self) -> str:
        return f"{self.ref}: {self.reason}" if self.ref else self.reason


@dataclass(frozen=True, slots=True)
class OfferRecord:
    provider: str
    model_name: str
    unit: str
    provider_name: str = ""
    hub_repo_id: str = ""
    open_weights: bool | None = None
    organization_hint: str = ""
    display_name: str = ""
    mode: str = ""
    usd_per_mtok_input: Decimal | None = None
    usd_per_mtok_output: Decimal | None = None
    usd_per_mtok_cache_read: Decimal | None = None
    usd_per_mtok_cache_write: Decimal | None = None
    usd_per_mtok_batch_input: Decimal | None = None
    usd_per_mtok_batch_output: Decimal | None = None
    usd_per_image: Decimal | None = None
    image_options: dict[str, str] = field(default_factory=dict)
    usd_per_audio_second: Decimal | None = None
    usd_per_audio_minute: Decimal | None = None
    usd_per_request: Decimal | None = None
    usd_per_unit: Decimal | None = None
    tiers: tuple[dict[str, Any], ...] = ()
    context_tokens: int | None = None
    max_output_tokens: int | None = None
    valid_from: datetime | None = None  # None: "from when this run saw it"
    # The price rows the feed states (pricing.costing); empty: the columns above imply them.
    components: tuple[PriceComponent, ...] = ()

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.provider, self.model_name, self.unit)

    @property
    def ref(self) -> str:
        return f"{self.provider}/{self.model_name}"

    @property
    def fingerprint(self) -> str:
        payload = {
            **{f: money_str(getattr(self, f)) for f in OFFER_PRICE_FIELDS},
            "image_options": self.image_options,
            "tiers": list(self.tiers),
            "context_tokens": self.context_tokens,
            "max_output_tokens": self.max_output_tokens,
        }
        extra = extra_components(self.components, self.columns())
        if extra:  # only what the columns cannot say: unchanged offers keep their hash
            payload["components"] = [[*r.dims, format(r.price.normalize(), "f")] for r in extra]
        return _hash(payload)

    def columns(self) -> dict[str, Any]:
        return {
            **self.prices(), "tiers": list(self.tiers), "unit": self.unit,
            "image_options": self.image_options,
        }  # fmt: skip

    def prices(self) -> dict[str, Decimal | None]:
        return {f: getattr(self, f) for f in OFFER_PRICE_FIELDS}


@dataclass(frozen=True, slots=True)
class InstancePriceRecord:
    provider: str
    region: str
    instance_type: str
    accelerator_name: str
    accelerator_count: Decimal
    usd_per_hour_on_demand: Decimal | None
    usd_per_hour_spot: Decimal | None = None
    vcpus: Decimal | None = None
    memory_gib: Decimal | None = None
    gpu_memory_mib: int | None = None
    valid_from: datetime | None = None

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        count = format(self.accelerator_count.normalize(), "f")
        return (self.provider, self.region, self.instance_type, self.accelerator_name, count)

    @property
    def ref(self) -> str:
        return "/".join(self.key[:3]) + f" ({self.accelerator_count}x{self.accelerator_name})"

    @property
    def fingerprint(self) -> str:
        return _hash(
            {
                "on_demand": money_str(self.usd_per_hour_on_demand),
                "spot": money_str(self.usd_per_hour_spot),
                "vcpus": money_str(self.vcpus),
                "memory_gib": money_str(self.memory_gib),
            }
        )


def _hash(payload: dict[str, Any]) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def money_str(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return format(value.quantize(QUANTUM, context=EXACT).normalize(EXACT), "f")


def _raw(value: Any) -> str:
    """A feed value for an error line: text quoted (cut to 40 characters), numbers as is."""
    return repr(value[:40]) if isinstance(value, str) else str(value)[:40]


def _number(value: Any, *, what: str) -> Decimal | None:
    """A feed number as a finite Decimal (exact: floats through their shortest repr)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise RecordRejected(f"{what} is not a number: {_raw(value)}")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise RecordRejected(f"{what} is not a finite number: {_raw(value)}")
        number = Decimal(repr(value))
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise RecordRejected(f"{what} is not a number: {_raw(value)}") from None
    else:
        raise RecordRejected(f"{what} is not a number: {_raw(value)}")
    if not number.is_finite():
        raise RecordRejected(f"{what} is not a finite number: {_raw(value)}")
    if number < 0:
        raise RecordRejected(f"{what} is negative: {_raw(value)}")
    return number


def _in_range(number: Decimal, *, what: str, raw: Any) -> Decimal:
    if number >= PRICE_MAX:
        raise RecordRejected(f"{what} is out of range: {_raw(raw)} (limit {PRICE_MAX:,f})")
    if number.as_tuple().exponent >= -PRICE_PLACES:  # type: ignore[operator]
        return number + 0 if number == 0 else number  # -0 -> 0
    return number.quantize(QUANTUM, context=EXACT)  # beyond 1e-23 USD: rounded


def to_decimal(value: Any, *, what: str) -> Decimal | None:
    """A feed number (Decimal, int, float, numeric string) as a non-negative Decimal, exact;
    None if absent. Raises RecordRejected naming `what` for negative, non-numeric, NaN,
    infinite or out-of-range (>= PRICE_MAX) values."""
    number = _number(value, what=what)
    return None if number is None else _in_range(number, what=what, raw=value)


def per_million(value: Any, *, what: str) -> Decimal | None:
    """USD per token -> USD per 1M tokens: the decimal point moves 6 places, nothing rounds."""
    number = _number(value, what=what)
    return None if number is None else _in_range(number.scaleb(6, EXACT), what=what, raw=value)


def to_int(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def load_json(data: bytes, *, feed: str) -> Any:
    """Parse a JSON document; FeedFormatError when it is not JSON (or is empty)."""
    if not data or not data.strip():
        raise FeedFormatError(f"{feed}: the document is empty")
    try:
        return json.loads(data, parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedFormatError(f"{feed}: not valid JSON ({exc})") from exc


def reject_duplicates(records: list[Any], errors: list[RecordError]) -> list[Any]:
    """Drop every record whose (key, valid_from) occurs more than once, with an error each.

    Neither copy is kept: which one is right is unknown, so the last good price stays."""
    seen: dict[tuple, int] = {}
    for r in records:
        k = (*r.key, r.valid_from)
        seen[k] = seen.get(k, 0) + 1
    dupes = {k for k, n in seen.items() if n > 1}
    errors.extend(
        RecordError("/".join(str(p) for p in k[:2]), f"duplicate key {k[:-1]!r}: rejected")
        for k in sorted(dupes, key=str)
    )
    return [r for r in records if (*r.key, r.valid_from) not in dupes]


def unheld_errors(feed: str, unheld: dict[str, list[str]]) -> list[RecordError]:
    """One error per price key the price model cannot hold, naming up to 5 of its records
    (the records themselves load with the prices that can be held)."""
    out = []
    for key in sorted(unheld):
        refs = unheld[key]
        more = f" and {len(refs) - 5} more" if len(refs) > 5 else ""
        out.append(
            RecordError("", f"{feed}: price {key!r} cannot be held by the price model, "
                        f"left out for {len(refs)} record(s): {', '.join(refs[:5])}{more}")
        )  # fmt: skip
    return out
