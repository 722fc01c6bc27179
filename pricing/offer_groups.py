"""One offer per provider × model × variant (issue 14 §2). Pure: no Django imports.

Several feeds often price the same provider's model (LiteLLM, models.dev and genai-prices
all list "together · Llama 3.1 8B"). `group_offers` folds such rows into one group:

- key: provider, catalog model (or, unlinked, the feed's name without its provider
  prefix and variant), unit, serving variant, image size / quality;
- the group's price is the newest statement (latest `valid_from`); on a tie a
  first-party source wins (the provider's own feed: OpenRouter for OpenRouter), then
  the feed order in FEED_RANK;
- every row that states it is a source; sources whose price differs from the chosen one
  by more than DISAGREEMENT (1%) flag the group.

Serving variants are attributes of the offer, not new models: quantization (-fp8,
-int4, -awq), Together's -Turbo / -Lite, OpenRouter's :free / :nitro, dated snapshots
(gpt-4o-2024-08-06, claude-...-20241022, @001), Bedrock's -v1:0 versions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

DISAGREEMENT = Decimal("0.01")
# tie-break order of feeds after first-party (lower first); unknown feeds last
FEED_RANK = ("custom", "genai-prices", "litellm", "models-dev", "openrouter")
COMPARED_FIELDS = (
    "usd_per_mtok_input",
    "usd_per_mtok_output",
    "usd_per_image",
    "usd_per_audio_second",
    "usd_per_audio_minute",
    "usd_per_request",
    "usd_per_unit",
)
_QUANT = r"fp8|fp4|fp16|bf16|int8|int4|w8a8|w4a16|awq|gptq|mxfp4|nvfp4|q8_0|q4_k_m|gguf|\d+bit"
_VARIANT_PATTERNS = [
    (re.compile(r":(free|nitro|floor|extended|thinking|beta|online)$"), None),
    (re.compile(r"@(\d{8}|\d{3}|default|latest)$"), "date"),
    (re.compile(r"-v\d+:\d+$"), "version"),
    (re.compile(rf"[-_.]({_QUANT})$", re.IGNORECASE), None),
    # Together's serving tiers are capitalized; "gpt-4-turbo" / "flash-lite" are models
    (re.compile(r"-(Turbo|Lite|tee)$"), None),
    # sellers' speed and price tiers of one model (catalog.matching._SERVING_TIER_RE)
    (re.compile(r"[-_](highspeed|high-throughput|lightning|ultraspeed|flex)$", re.I), None),
    (re.compile(r"-(20\d\d-\d\d-\d\d)$"), "date"),
    (re.compile(r"-(20\d{6})$"), "date"),
    (re.compile(r"-(\d{4})$"), "mmdd"),
]


def split_variant(model_name: str) -> tuple[str, str]:
    """(base name, variant) of a feed's model id: "gpt-4o-2024-08-06" -> ("gpt-4o",
    "2024-08-06"); "Meta-Llama-3.1-8B-Instruct-Turbo" -> (..., "turbo");
    "deepseek/deepseek-r1:free" -> ("deepseek/deepseek-r1", "free"); a plain id -> (id, "").
    Several suffixes stack ("...-fp8:free" -> "fp8 free")."""
    name, parts = model_name.strip(), []
    for _ in range(4):
        for pattern, kind in _VARIANT_PATTERNS:
            m = pattern.search(name)
            if not m:
                continue
            if kind == "version":
                token = m.group(0).lstrip("-")
            elif kind == "mmdd":
                token = m.group(1)
                if not ("01" <= token[:2] <= "12" and "01" <= token[2:] <= "31"):
                    continue  # "-0528" is a date; "-7000" is not
            elif kind == "date" and m.group(1) in ("default", "latest"):
                token = ""
            else:
                token = m.group(1).lower()
            if token:
                parts.append(token)
            name = name[: m.start()]
            break
        else:
            break
    return name, " ".join(reversed(parts))


def variant_of(model_name: str) -> str:
    return split_variant(model_name)[1]


def _base_key(model_name: str) -> str:
    """An unlinked offer's name without provider prefix and variant, lower-cased."""
    base = split_variant(model_name)[0].lower()
    return base.rsplit("/", 1)[-1]


@dataclass
class OfferGroup:
    offer: Any  # the chosen row (the current price shown)
    variant: str
    sources: list[Any] = field(default_factory=list)  # every row that states it, chosen first
    disagreement: list[str] = field(default_factory=list)  # fields differing by > 1%

    @property
    def disagrees(self) -> bool:
        return bool(self.disagreement)

    @property
    def feeds(self) -> list[str]:
        return sorted({s.feed.slug for s in self.sources})


def _image_key(row: Any) -> tuple[str, str]:
    opts = getattr(row, "image_options", None) or {}
    return str(opts.get("size") or ""), str(opts.get("quality") or "")


def group_key(row: Any) -> tuple:
    variant = variant_of(row.model_name)
    target = ("model", row.model_id) if row.model_id else ("name", _base_key(row.model_name))
    return (row.provider_id, target, row.unit, variant, _image_key(row))


def _rank(row: Any) -> tuple:
    """Sort key: newest statement first, then first-party, then FEED_RANK, then id."""
    feed = row.feed.slug
    first_party = feed == row.provider.slug
    rank = FEED_RANK.index(feed) if feed in FEED_RANK else len(FEED_RANK)
    return (-row.valid_from.timestamp(), not first_party, rank, row.id or 0)


def _differs(a: Decimal | None, b: Decimal | None) -> bool:
    if a is None or b is None or a == b:
        return False
    top = max(abs(a), abs(b))
    return top > 0 and abs(a - b) / top > DISAGREEMENT


def group_offers(rows: Iterable[Any]) -> list[OfferGroup]:
    """Groups in the order of their first row in `rows` (callers sort rows first)."""
    buckets: dict[tuple, list[Any]] = {}
    for row in rows:
        buckets.setdefault(group_key(row), []).append(row)
    groups = []
    for key, members in buckets.items():
        ordered = sorted(members, key=_rank)
        chosen = ordered[0]
        fields = [
            f
            for f in COMPARED_FIELDS
            if any(_differs(getattr(chosen, f), getattr(o, f)) for o in ordered[1:])
        ]
        groups.append(
            OfferGroup(offer=chosen, variant=key[3], sources=ordered, disagreement=fields)
        )
    return groups


def sort_groups(groups: Sequence[OfferGroup], price_field: str = "usd_per_mtok_input") -> list:
    """Cheapest first on `price_field` (missing prices last), then provider name."""

    def key(g: OfferGroup) -> tuple:
        value = getattr(g.offer, price_field, None)
        return (value is None, value if value is not None else 0, g.offer.provider.name.lower())

    return sorted(groups, key=key)
