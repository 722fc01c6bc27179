"""Pricing tables: providers, API offers and cloud instance prices, each with full history.

A price row is never overwritten or deleted. A change closes the current row
(`valid_to` = when the new price took effect) and inserts a new one, so the rows of one
key, ordered by `valid_from`, are that price's history. `valid_to IS NULL` marks the
current row; the database allows one current row per key.

The key includes the feed: LiteLLM and models.dev may both price "openai gpt-4o", and
each feed's view of it has its own history (feeds never close each other's rows).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from catalog.models import Feed
from config.db import TimeStampedModel
from pricing.feeds.base import OFFER_PRICE_FIELDS, PRICE_INT_DIGITS, PRICE_PLACES
from pricing.fields import ExactDecimalField

# Exact on every backend (pricing.fields); as many decimals as a feed price needs
# (pricing.feeds.base.PRICE_PLACES), up to $999,999,999 per unit.
MONEY = {
    "max_digits": PRICE_INT_DIGITS + PRICE_PLACES,
    "decimal_places": PRICE_PLACES,
    "null": True,
    "blank": True,
}


class Provider(TimeStampedModel):
    """One company or service that sells prices (openai, together, amazon-bedrock, gcp).

    Reviewed rows come from the registry file `pricing/data/providers.yaml`
    (`providers_load`); a feed slug that matches no alias creates an unreviewed row
    (kind "unknown") shown in the admin review list, never merged into another."""

    class Kind(models.TextChoices):
        """What kind of seller this is. The planner leaves out `EXCLUDED_FROM_PLANS`."""

        FIRST_PARTY = "first_party", "First-party lab"
        HYPERSCALER = "hyperscaler", "Hyperscaler cloud"
        INFERENCE_HOST = "inference_host", "Inference host"
        GPU_CLOUD = "gpu_cloud", "GPU cloud"
        ROUTER = "router", "Router / aggregator"
        GATEWAY = "gateway", "Gateway / reseller"
        FREE_TIER = "free_tier", "Free tier"
        SUBSCRIPTION = "subscription", "Subscription / coding plan"
        TOOL = "tool", "Tool API (search, scraping)"
        LOCAL = "local", "Local runtime"
        UNKNOWN = "unknown", "Not reviewed yet"

    class Service(models.TextChoices):
        """What the provider's rows price (the former `kind`): API offers or GPU hours."""

        API = "api", "API provider"
        CLOUD = "cloud", "Cloud / GPU host"

    # Kinds whose prices are not a pay-as-you-go offer of the model itself.
    EXCLUDED_FROM_PLANS = frozenset(
        {Kind.FREE_TIER, Kind.GATEWAY, Kind.SUBSCRIPTION, Kind.TOOL, Kind.LOCAL, Kind.UNKNOWN}
    )

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=160)  # display name
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.UNKNOWN)
    service = models.CharField(max_length=10, choices=Service.choices, default=Service.API)
    homepage = models.URLField(max_length=300, blank=True)
    pricing_url = models.URLField(max_length=300, blank=True)
    docs_url = models.URLField(max_length=300, blank=True)
    # router listings: the provider they resell (e.g. "Hugging Face via Novita" -> novita)
    upstream = models.CharField(max_length=80, blank=True)
    reviewed = models.BooleanField(default=False)
    # {"name": "models.dev togetherai", "homepage": "https://...", ...}: a source per field
    sources = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["slug"]
        indexes = [models.Index(fields=["kind", "slug"], name="provider_kind_slug")]

    def __str__(self) -> str:
        return self.name


class ProviderAlias(TimeStampedModel):
    """A slug or display name a feed uses for a provider. `scope` is a feed slug when the
    alias means this provider only in that feed (genai-prices' "aws" is Bedrock, the GPU
    list's "aws" is EC2); "" means every feed. One provider per (scope, alias)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(max_length=200)  # lower-cased
    scope = models.CharField(max_length=80, blank=True)
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["alias", "scope"]
        constraints = [
            models.UniqueConstraint(fields=["scope", "alias"], name="provideralias_scope_alias")
        ]

    def __str__(self) -> str:
        return f"{self.scope + ':' if self.scope else ''}{self.alias} -> {self.provider_id}"


class Unit(models.TextChoices):
    """What one priced unit is. Token prices are per 1M tokens; the others per one unit."""

    TOKEN = "token", "per 1M tokens"
    IMAGE = "image", "per image"
    AUDIO_SECOND = "audio_second", "per audio second"
    AUDIO_MINUTE = "audio_minute", "per audio minute"
    VIDEO_SECOND = "video_second", "per video second"
    CHARACTER = "character", "per character"
    REQUEST = "request", "per request"
    PAGE = "page", "per page"


class OfferQuerySet(models.QuerySet):
    def current(self) -> OfferQuerySet:
        return self.filter(valid_to__isnull=True)

    def valid_at(self, when) -> OfferQuerySet:
        return self.filter(valid_from__lte=when).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=when)
        )


class Offer(TimeStampedModel):
    """One provider's price for one model in one unit, valid from `valid_from` to `valid_to`."""

    feed = models.ForeignKey("catalog.Feed", on_delete=models.PROTECT, related_name="offers")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="offers")
    # NULL until the feed's name links to a catalog model (ambiguous names wait for review).
    model = models.ForeignKey(
        "catalog.Model", on_delete=models.PROTECT, related_name="offers", null=True, blank=True
    )
    model_name = models.CharField(max_length=300)  # the feed's own id for the model
    hub_repo_id = models.CharField(max_length=200, blank=True)  # when the feed names one
    open_weights = models.BooleanField(null=True, blank=True)  # when the feed says
    mode = models.CharField(max_length=40, blank=True)  # chat, embedding, image_generation...
    unit = models.CharField(max_length=16, choices=Unit.choices)

    usd_per_mtok_input = ExactDecimalField(**MONEY)
    usd_per_mtok_output = ExactDecimalField(**MONEY)
    usd_per_mtok_cache_read = ExactDecimalField(**MONEY)
    usd_per_mtok_cache_write = ExactDecimalField(**MONEY)
    usd_per_mtok_batch_input = ExactDecimalField(**MONEY)
    usd_per_mtok_batch_output = ExactDecimalField(**MONEY)
    usd_per_image = ExactDecimalField(**MONEY)
    image_options = models.JSONField(default=dict, blank=True)  # {"size": "1024x1024", ...}
    usd_per_audio_second = ExactDecimalField(**MONEY)
    usd_per_audio_minute = ExactDecimalField(**MONEY)
    usd_per_request = ExactDecimalField(**MONEY)
    usd_per_unit = ExactDecimalField(**MONEY)  # video second, character, page
    # [{"above_tokens": 200000, "usd_per_mtok_input": "6", "usd_per_mtok_output": "22.5"}]
    tiers = models.JSONField(default=list, blank=True)
    context_tokens = models.IntegerField(null=True, blank=True)
    max_output_tokens = models.IntegerField(null=True, blank=True)

    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)  # NULL = current price
    # Hash of the price fields: an unchanged re-sync compares this and writes nothing.
    fingerprint = models.CharField(max_length=64)
    # The provider page's grouping, kept by pricing.services.provider_pages after every
    # price sync (a provider may sell 20,000 models: its page reads one page of heads):
    # page_group, on each current row, is the id of its group's chosen row; page_rank, on
    # that chosen row, is the group's place on the provider's page. NULL until computed.
    page_group = models.BigIntegerField(null=True, blank=True, editable=False)
    page_rank = models.IntegerField(null=True, blank=True, editable=False)

    objects = OfferQuerySet.as_manager()

    PRICE_FIELDS = OFFER_PRICE_FIELDS  # the feed records' price fields, one list

    class Meta:
        ordering = ["provider_id", "model_name", "unit", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["feed", "provider", "model_name", "unit"],
                condition=Q(valid_to__isnull=True),
                name="offer_one_current_per_key",
            ),
            models.UniqueConstraint(
                fields=["feed", "provider", "model_name", "unit", "valid_from"],
                name="offer_one_row_per_key_start",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="offer_valid_range",
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{f}__isnull": True}) | Q(**{f"{f}__gte": 0}),
                    name=f"offer_{f.removeprefix('usd_per_')}_nonneg",
                )
                for f in (
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
            ],
        ]
        indexes = [
            # offer_list_current_for_model / offer_history_for_model on the model page
            models.Index(fields=["model", "valid_to"], name="offer_model_valid_to"),
            # the loader's "current rows of this feed" read, one query per page
            models.Index(fields=["feed", "model_name", "valid_to"], name="offer_feed_name_current"),
            # offer_list(provider=..., valid_at=...) and the provider filter of the API
            models.Index(fields=["provider", "valid_to"], name="offer_provider_valid_to"),
            # a provider page's groups in order (its count: the last rank), each group's
            # rows (a plain index: a join's probe cannot use a partial one), and its rows
            # a sync wrote and has not grouped yet
            models.Index(
                fields=["provider", "page_rank"],
                name="offer_provider_page_rank",
                condition=Q(page_rank__isnull=False, valid_to__isnull=True),
            ),
            models.Index(fields=["page_group"], name="offer_page_group"),
            models.Index(
                fields=["provider"],
                name="offer_provider_ungrouped",
                condition=Q(page_group__isnull=True, valid_to__isnull=True),
            ),
            # offer_list price-range filter / ordering by input price
            models.Index(fields=["usd_per_mtok_input"], name="offer_input_price"),
            # a provider's page: its current offers in page order (pricing.views.provider_detail)
            models.Index(
                fields=["provider", "unit", "usd_per_mtok_input", "model_name", "id"],
                name="offer_provider_page",
                condition=Q(valid_to__isnull=True),
            ),
            # newest price changes (pricing.web_context.price_changes_recent, the Atom feeds of
            # pricing.watch_selectors.price_changes):
            # closed rows, newest first, without sorting every closed row
            models.Index(
                fields=["-valid_to", "-id"],
                name="offer_closed_newest",
                condition=Q(valid_to__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider_id}:{self.model_name} {self.unit} from {self.valid_from:%Y-%m-%d}"


PRICE_DIMENSIONS = (
    "component", "modality", "above_input_tokens", "service_tier", "batch", "cache_ttl",
    "resolution", "quality", "region", "window",
)  # fmt: skip


class OfferPrice(models.Model):
    """One price row of an offer, keyed by dimensions (pricing.costing.PriceComponent):
    what is priced (component, modality) and when it applies (long-context tier, service
    tier, batch, cache TTL, resolution/quality, region, time window). Rows belong to one
    offer row and share its validity; a changed row set is a new offer row.

    `price` is the exact decimal as text (USD per 1M tokens for token components, per unit
    otherwise; a factor for multipliers): SQLite keeps only 15 significant digits of a
    NUMERIC, and LiteLLM's per-pixel price 2.384185791015625e-08 needs 16."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="price_rows")
    component = models.CharField(max_length=24)
    modality = models.CharField(max_length=8, default="text")
    above_input_tokens = models.BigIntegerField(default=0)
    service_tier = models.CharField(max_length=16, blank=True)
    batch = models.BooleanField(default=False)
    cache_ttl = models.CharField(max_length=8, blank=True)
    resolution = models.CharField(max_length=24, blank=True)
    quality = models.CharField(max_length=24, blank=True)
    region = models.CharField(max_length=40, blank=True)
    window = models.CharField(max_length=160, blank=True)
    price = models.CharField(max_length=64)

    DIMENSIONS = PRICE_DIMENSIONS

    class Meta:
        ordering = ["offer_id", "component", "modality", "above_input_tokens", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["offer", *PRICE_DIMENSIONS], name="offerprice_one_row_per_dimensions"
            ),
            models.CheckConstraint(
                condition=Q(above_input_tokens__gte=0), name="offerprice_threshold_nonneg"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer_id} {self.component}/{self.modality} {self.price}"


class InstancePriceQuerySet(models.QuerySet):
    def current(self) -> InstancePriceQuerySet:
        return self.filter(valid_to__isnull=True)

    def valid_at(self, when) -> InstancePriceQuerySet:
        return self.filter(valid_from__lte=when).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=when)
        )


class InstancePrice(TimeStampedModel):
    """A cloud's $/hour for one instance type with N accelerators in one region."""

    feed = models.ForeignKey(
        "catalog.Feed", on_delete=models.PROTECT, related_name="instance_prices"
    )
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="instance_prices")
    region = models.CharField(max_length=80)
    instance_type = models.CharField(max_length=120)
    accelerator = models.ForeignKey(
        "benchmarks.Accelerator",
        on_delete=models.PROTECT,
        related_name="instance_prices",
        null=True,
        blank=True,
    )
    accelerator_name = models.CharField(max_length=120)  # as the feed gives it ("H100")
    accelerator_count = models.DecimalField(max_digits=8, decimal_places=3)  # 0.5 on some clouds
    vcpus = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    memory_gib = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    usd_per_hour_on_demand = ExactDecimalField(**MONEY)
    usd_per_hour_spot = ExactDecimalField(**MONEY)
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)
    fingerprint = models.CharField(max_length=64)

    objects = InstancePriceQuerySet.as_manager()

    class Meta:
        ordering = ["provider_id", "accelerator_name", "accelerator_count", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "feed",
                    "provider",
                    "region",
                    "instance_type",
                    "accelerator_name",
                    "accelerator_count",
                ],
                condition=Q(valid_to__isnull=True),
                name="instanceprice_one_current_per_key",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="instanceprice_valid_range",
            ),
            models.CheckConstraint(
                condition=Q(accelerator_count__gt=0), name="instanceprice_count_positive"
            ),
            models.CheckConstraint(
                condition=Q(usd_per_hour_on_demand__isnull=True) | Q(usd_per_hour_on_demand__gte=0),
                name="instanceprice_on_demand_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(usd_per_hour_spot__isnull=True) | Q(usd_per_hour_spot__gte=0),
                name="instanceprice_spot_nonneg",
            ),
        ]
        indexes = [
            # instance_price_list(accelerator=...): "what a GPU-hour costs on each cloud"
            models.Index(fields=["accelerator", "valid_to"], name="instprice_accel_valid_to"),
            # the loader's "current rows of this feed" read
            models.Index(fields=["feed", "valid_to"], name="instprice_feed_current"),
            # instance_price_list(provider=...) ordered by price
            models.Index(
                fields=["provider", "usd_per_hour_on_demand"], name="instprice_provider_price"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.provider_id} {self.region} {self.instance_type} "
            f"{self.accelerator_count}x{self.accelerator_name}"
        )


class PricingFeed(Feed):
    """Proxy of catalog's Feed for the pricing feed status admin page."""

    class Meta:
        proxy = True
        verbose_name = "pricing feed status"
        verbose_name_plural = "pricing feed status"


# Seat plans live in their own module (issue 21 §2); imported so Django registers them.
# Price changes held for review (issue 15 §6).
from pricing.review_models import PriceReview  # noqa: E402, F401
from pricing.subscription_models import SubscriptionPlan  # noqa: E402, F401
