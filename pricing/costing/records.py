"""The cost engine's records (pure: standard library only).

A `PriceComponent` is one price row of an offer, keyed by dimensions: what is priced
(`component` and `modality`), and when it applies (a long-context tier threshold on the
request's input tokens, a service tier, batch, a cache TTL, an image resolution or
quality, a region, a time-of-day window). `Usage` is what ONE request uses (OpenAI's
convention: `input_tokens` includes cached, cache-written, audio and image input tokens;
`output_tokens` includes reasoning, audio and image output tokens). `CostBreakdown` is
the exact per-component result for `requests` such requests.

Units of `PriceComponent.price` (USD, exact Decimal):
- token components (input, cache_read, cache_write, output, reasoning): per 1M tokens;
- every other component: per one unit (image, second, minute, character, page, pixel,
  request, web search);
- `multiplier`: a factor, not a price (batch discount, regional uplift, service tier or
  window factor applied to rows that do not already carry that dimension).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cached_property

# What is priced. Token components are per 1M tokens.
INPUT = "input"
CACHE_READ = "cache_read"
CACHE_WRITE = "cache_write"
OUTPUT = "output"
REASONING = "reasoning"
TOKEN_COMPONENTS = frozenset({INPUT, CACHE_READ, CACHE_WRITE, OUTPUT, REASONING})
# Unit components: per one unit of the Usage field named in UNIT_FIELDS.
IMAGE = "image"  # per generated (output) image, by resolution/quality
INPUT_IMAGE = "input_image"  # per image sent in
AUDIO_SECOND = "audio_second"
AUDIO_MINUTE = "audio_minute"
VIDEO_SECOND = "video_second"
CHARACTER = "character"
PAGE = "page"
PIXEL = "pixel"
REQUEST = "request"
WEB_SEARCH = "web_search"
MULTIPLIER = "multiplier"
UNIT_FIELDS = {
    IMAGE: "images",
    INPUT_IMAGE: "input_images",
    AUDIO_SECOND: "audio_seconds",
    AUDIO_MINUTE: "audio_seconds",  # priced per minute: seconds / 60
    VIDEO_SECOND: "video_seconds",
    CHARACTER: "characters",
    PAGE: "pages",
    PIXEL: "pixels",
    REQUEST: None,  # one per request
    WEB_SEARCH: "web_searches",
}
COMPONENTS = TOKEN_COMPONENTS | set(UNIT_FIELDS) | {MULTIPLIER}
MODALITIES = frozenset({"text", "audio", "image", "video"})
SERVICE_TIERS = frozenset({"", "standard", "priority", "flex"})
CACHE_TTLS = frozenset({"", "5m", "1h"})


@dataclass(frozen=True, slots=True)
class PriceComponent:
    """One price row. Empty dimensions ("" / 0 / False) mean "the standard case":
    a row with `service_tier="priority"` applies only to priority requests, a row with
    `above_input_tokens=200_000` only to requests whose input exceeds 200,000 tokens.

    `window` is a UTC time-of-day range "HH:MM-HH:MM" (may wrap midnight)."""

    component: str
    price: Decimal
    modality: str = "text"
    above_input_tokens: int = 0  # long-context tier: applies when input > this
    service_tier: str = ""  # "" (standard), "priority", "flex"
    batch: bool = False
    cache_ttl: str = ""  # cache_write only: "" (=5m), "5m", "1h"
    resolution: str = ""  # images/video: "1024x1024", "720p"; web search: context size
    quality: str = ""  # images: "standard", "hd", "low", "medium", "high"
    region: str = ""
    window: str = ""  # "16:30-00:30" (UTC)

    @property
    def dims(self) -> tuple:
        return (
            self.component, self.modality, self.above_input_tokens, self.service_tier,
            self.batch, self.cache_ttl, self.resolution, self.quality, self.region, self.window,
        )  # fmt: skip


@dataclass(frozen=True)
class OfferPricing:
    """An offer's price rows; `label` names the offer in notes. Build once per offer and
    reuse: the engine indexes the rows on first use (`index`)."""

    components: tuple[PriceComponent, ...]
    label: str = ""

    @cached_property
    def index(self) -> dict[tuple[str, str, str], tuple[PriceComponent, ...]]:
        """Token rows by (component, modality, TTL: "" for 5m); others by (component, "", "")."""
        out: dict[tuple[str, str, str], list[PriceComponent]] = {}
        for row in self.components:
            if row.component not in TOKEN_COMPONENTS:  # units and multipliers: any modality
                key = (row.component, "", "")
            else:
                ttl = "" if row.cache_ttl == "5m" else row.cache_ttl
                key = (row.component, row.modality, ttl)
            out.setdefault(key, []).append(row)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def thresholds(self) -> tuple[int, ...]:
        return tuple(
            sorted({r.above_input_tokens for r in self.components if r.above_input_tokens})
        )

    @cached_property
    def has_windows(self) -> bool:
        return any(r.window for r in self.components)


Number = int | Decimal


@dataclass(frozen=True, slots=True)
class Usage:
    """What one request uses. Token counts may be fractional averages (Decimal)."""

    input_tokens: Number = 0  # all input, cached / written / audio / image included
    output_tokens: Number = 0  # all output, reasoning / audio / image included
    cache_read_tokens: Number = 0
    cache_write_tokens: Number = 0  # 5-minute (default TTL) cache writes
    cache_write_1h_tokens: Number = 0
    reasoning_tokens: Number = 0
    audio_input_tokens: Number = 0
    audio_output_tokens: Number = 0
    image_input_tokens: Number = 0
    image_output_tokens: Number = 0
    images: Number = 0  # generated images
    image_size: str = ""
    image_quality: str = ""
    input_images: Number = 0
    audio_seconds: Number = 0
    video_seconds: Number = 0
    video_resolution: str = ""
    characters: Number = 0
    pages: Number = 0
    pixels: Number = 0
    web_searches: Number = 0
    search_context: str = ""  # "low" / "medium" / "high"
    service_tier: str = ""  # "" or "standard", "priority", "flex"
    batch: bool = False
    region: str = ""
    at: datetime | None = None  # when the request runs (UTC), for time-of-day windows


@dataclass(frozen=True, slots=True)
class CostLine:
    """One priced part: `quantity` units (all requests) × `unit_price` × `multiplier`."""

    component: str
    modality: str
    quantity: Decimal
    unit_price: Decimal  # per 1M tokens for token components, else per unit
    multiplier: Decimal
    usd: Decimal
    row: PriceComponent


@dataclass(frozen=True, slots=True)
class CostBreakdown:
    """Exact USD for `requests` requests of one usage; `missing` names what the usage
    uses that the offer does not price (those parts are not in `total`)."""

    total: Decimal
    requests: Decimal
    lines: tuple[CostLine, ...] = ()
    missing: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def complete(self) -> bool:
        """Whether the offer prices the usage: something priced and nothing missing (what
        the estimate endpoint, the pages and the planner list an offer for)."""
        return bool(self.lines) and not self.missing

    def by_component(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for line in self.lines:
            key = line.component if line.modality == "text" else f"{line.component}_{line.modality}"
            out[key] = out.get(key, Decimal(0)) + line.usd
        return out
