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
from pricing.feeds.base import OFFER_PRICE_FIELDS

MONEY = {"max_digits": 20, "decimal_places": 9, "null": True, "blank": True}


class Provider(TimeStampedModel):
    """Who sells the price: an API provider (openai, together_ai) or a cloud (gcp, lambda)."""

    class Kind(models.TextChoices):
        API = "api", "API provider"
        CLOUD = "cloud", "Cloud / GPU host"

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=160)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.API)
    homepage = models.URLField(max_length=300, blank=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


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

    usd_per_mtok_input = models.DecimalField(**MONEY)
    usd_per_mtok_output = models.DecimalField(**MONEY)
    usd_per_mtok_cache_read = models.DecimalField(**MONEY)
    usd_per_mtok_cache_write = models.DecimalField(**MONEY)
    usd_per_mtok_batch_input = models.DecimalField(**MONEY)
    usd_per_mtok_batch_output = models.DecimalField(**MONEY)
    usd_per_image = models.DecimalField(**MONEY)
    image_options = models.JSONField(default=dict, blank=True)  # {"size": "1024x1024", ...}
    usd_per_audio_second = models.DecimalField(**MONEY)
    usd_per_audio_minute = models.DecimalField(**MONEY)
    usd_per_request = models.DecimalField(**MONEY)
    usd_per_unit = models.DecimalField(**MONEY)  # video second, character, page
    # [{"above_tokens": 200000, "usd_per_mtok_input": "6", "usd_per_mtok_output": "22.5"}]
    tiers = models.JSONField(default=list, blank=True)
    context_tokens = models.IntegerField(null=True, blank=True)
    max_output_tokens = models.IntegerField(null=True, blank=True)

    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)  # NULL = current price
    # Hash of the price fields: an unchanged re-sync compares this and writes nothing.
    fingerprint = models.CharField(max_length=64)

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
            # offer_list price-range filter / ordering by input price
            models.Index(fields=["usd_per_mtok_input"], name="offer_input_price"),
        ]

    def __str__(self) -> str:
        return f"{self.provider_id}:{self.model_name} {self.unit} from {self.valid_from:%Y-%m-%d}"


class InstancePriceQuerySet(models.QuerySet):
    def current(self) -> InstancePriceQuerySet:
        return self.filter(valid_to__isnull=True)


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
    usd_per_hour_on_demand = models.DecimalField(**MONEY)
    usd_per_hour_spot = models.DecimalField(**MONEY)
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
