"""Pricing API serializers: providers, offers, instance prices, the cost estimate's input
and output."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from pricing.fields import ExactDecimalField, shown
from pricing.models import InstancePrice, Offer, Provider
from pricing.offer_groups import COMPARED_FIELDS, variant_of

MONEY = {"max_digits": 20, "decimal_places": 9, "allow_null": True, "read_only": True}


class ExactMoney(serializers.DecimalField):
    """A stored price as a string with every digit it has, at least 9 decimals
    ("2.500000000", "0.00000002384185791015625"): never rounded to the column's scale."""

    def to_representation(self, value: Any) -> str:
        return format(shown(Decimal(value)), "f")


class _ExactMoneyModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        ExactDecimalField: ExactMoney,
    }


class ProviderOut(serializers.ModelSerializer):
    class Meta:
        model = Provider
        fields = [
            "slug",
            "name",
            "kind",
            "service",
            "homepage",
            "pricing_url",
            "docs_url",
            "upstream",
            "reviewed",
            "sources",
            "updated_at",
        ]
        read_only_fields = fields


def _money(value: Any) -> str | None:
    return None if value is None else format(shown(Decimal(value)), "f")


class OfferOut(_ExactMoneyModelSerializer):
    provider = serializers.CharField(source="provider.slug", read_only=True)
    feed = serializers.CharField(source="feed.slug", read_only=True)
    model = serializers.CharField(
        source="model.repo_id",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="Catalog repo id; null while the feed's name awaits alias review.",
    )
    image_options = serializers.DictField(read_only=True)
    tiers = serializers.ListField(
        child=serializers.DictField(),
        read_only=True,
        help_text='Prices above a token threshold: [{"above_tokens", "usd_per_mtok_input", '
        "...}]; a request above it is billed wholly at the tier's prices.",
    )

    provider_name = serializers.CharField(source="provider.name", read_only=True)
    provider_kind = serializers.CharField(
        source="provider.kind",
        read_only=True,
        help_text="Kind of seller: first_party, hyperscaler, inference_host, gpu_cloud, "
        "router, gateway, free_tier, subscription, tool, local, unknown (not reviewed).",
    )
    variant = serializers.SerializerMethodField(
        help_text="Serving variant named in the feed's id: a quantization (fp8, int4), a "
        "tier (turbo, free), a dated snapshot (2024-08-06); empty for the plain model."
    )
    sources = serializers.SerializerMethodField(
        help_text="Grouped lists (a model's offers): every feed row stating this offer, "
        "the shown one first; null on row lists."
    )
    disagreement = serializers.SerializerMethodField(
        help_text="Grouped lists: the price fields on which a source differs from the "
        "shown price by more than 1%; null on row lists."
    )

    class Meta:
        model = Offer
        fields = [
            "id", "provider", "provider_name", "provider_kind", "feed", "model", "model_name",
            "variant", "hub_repo_id", "open_weights", "mode", "unit", *Offer.PRICE_FIELDS,
            "image_options", "tiers", "context_tokens", "max_output_tokens", "valid_from",
            "valid_to", "sources", "disagreement",
        ]  # fmt: skip
        read_only_fields = fields

    def get_variant(self, obj: Offer) -> str:
        group = getattr(obj, "group", None)
        return group.variant if group is not None else variant_of(obj.model_name)

    def get_sources(self, obj: Offer) -> list[dict[str, Any]] | None:
        group = getattr(obj, "group", None)
        if group is None:
            return None
        return [
            {
                "feed": row.feed.slug,
                "model_name": row.model_name,
                "valid_from": row.valid_from,
                **{f: _money(getattr(row, f)) for f in COMPARED_FIELDS},
            }
            for row in group.sources
        ]

    def get_disagreement(self, obj: Offer) -> list[str] | None:
        group = getattr(obj, "group", None)
        return list(group.disagreement) if group is not None else None


class OfferListOut(OfferOut):
    """OfferOut under its own schema name for the cursor-paginated `/api/offers/` list
    (its page has no `count`; the page-numbered lists of OfferOut do)."""


class InstancePriceOut(_ExactMoneyModelSerializer):
    provider = serializers.CharField(source="provider.slug", read_only=True)
    accelerator = serializers.CharField(
        source="accelerator.slug",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="Accelerator slug; null when the feed's GPU name is not in the table.",
    )

    class Meta:
        model = InstancePrice
        fields = [
            "id", "provider", "region", "instance_type", "accelerator", "accelerator_name",
            "accelerator_count", "vcpus", "memory_gib", "usd_per_hour_on_demand",
            "usd_per_hour_spot", "valid_from", "valid_to",
        ]  # fmt: skip
        read_only_fields = fields


def _count(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=None, decimal_places=None, min_value=0, max_value=10**12, default=0,
        help_text=help_text,
    )  # fmt: skip


class CostEstimateIn(serializers.Serializer):
    model = serializers.CharField(max_length=200, help_text="Catalog repo id.")
    requests_per_day = serializers.IntegerField(min_value=0, max_value=10**10)
    input_tokens = serializers.IntegerField(
        min_value=0, max_value=10_000_000, help_text="Input tokens per request."
    )
    output_tokens = serializers.IntegerField(
        min_value=0, max_value=1_000_000, help_text="Output tokens per request."
    )
    cache_hit_share = serializers.DecimalField(
        max_digits=None, decimal_places=None, min_value=0, max_value=1, default=0,
        help_text="Share of input tokens read from the provider's prompt cache (0-1, any "
        "number of decimals); ignored when cache_read_tokens is given.",
    )  # fmt: skip
    batch_ok = serializers.BooleanField(
        default=False, help_text="Requests may go through the batch API (batch prices)."
    )
    days = serializers.IntegerField(min_value=1, max_value=366, default=30)
    accelerator = serializers.SlugField(
        max_length=60, required=False, allow_null=True, default=None,
        help_text="Self-hosted: only instances with this accelerator slug.",
    )  # fmt: skip
    accelerator_count = serializers.IntegerField(
        min_value=1, max_value=64, required=False, allow_null=True, default=None,
        help_text="Self-hosted: only instances with this many accelerators.",
    )  # fmt: skip
    precision = serializers.ChoiceField(
        choices=[], default="bf16", help_text="Self-hosted weight precision."
    )
    concurrency = serializers.IntegerField(
        min_value=1, max_value=1024, default=8,
        help_text="Self-hosted: concurrent streams per instance (batching).",
    )  # fmt: skip
    utilization = serializers.FloatField(
        min_value=0.01, max_value=1, default=0.5,
        help_text="Self-hosted: share of the estimated throughput actually used.",
    )  # fmt: skip

    # The rest of the per-request usage (pricing.costing.Usage; OpenAI's convention:
    # input_tokens includes cached, cache-written, audio and image input tokens).
    cache_read_tokens = _count("Input tokens read from the prompt cache, per request.")
    cache_write_tokens = _count("Input tokens written to the cache (5-minute TTL).")
    cache_write_1h_tokens = _count("Input tokens written to the cache with a 1-hour TTL.")
    reasoning_tokens = _count("Output tokens spent on reasoning (part of output_tokens).")
    audio_input_tokens = _count("Audio input tokens (part of input_tokens).")
    audio_output_tokens = _count("Audio output tokens (part of output_tokens).")
    image_input_tokens = _count("Image input tokens (part of input_tokens).")
    image_output_tokens = _count("Image output tokens (part of output_tokens).")
    images = _count("Images generated per request.")
    image_size = serializers.CharField(max_length=24, default="", allow_blank=True)
    image_quality = serializers.CharField(max_length=24, default="", allow_blank=True)
    input_images = _count("Images sent in per request.")
    audio_seconds = _count("Seconds of audio per request.")
    video_seconds = _count("Seconds of video per request.")
    video_resolution = serializers.CharField(max_length=24, default="", allow_blank=True)
    characters = _count("Characters per request (per-character prices).")
    pages = _count("Pages per request (OCR).")
    pixels = _count("Pixels per request (per-pixel prices).")
    web_searches = _count("Web searches per request.")
    search_context = serializers.ChoiceField(
        choices=["", "low", "medium", "high"], default="", help_text="Web search context size."
    )
    service_tier = serializers.ChoiceField(
        choices=["", "standard", "priority", "flex"], default="",
        help_text="Service tier (priority/flex prices where the offer has them).",
    )  # fmt: skip
    region = serializers.CharField(max_length=40, default="", allow_blank=True,
                                   help_text="Region (regional uplift where priced).")  # fmt: skip
    at = serializers.DateTimeField(
        required=False, allow_null=True, default=None,
        help_text="When the requests run (UTC), for time-of-day prices; none: list prices.",
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from benchmarks.estimate import PRECISIONS

        super().__init__(*args, **kwargs)
        self.fields["precision"].choices = list(PRECISIONS)


class ApiCostOut(serializers.Serializer):
    offer_id = serializers.IntegerField()
    provider = serializers.CharField()
    provider_name = serializers.CharField()
    feed = serializers.CharField()
    model_name = serializers.CharField(help_text="The feed's own name for the model.")
    usd_per_mtok_input = serializers.DecimalField(**MONEY)
    usd_per_mtok_output = serializers.DecimalField(**MONEY)
    unit = serializers.CharField()
    batch = serializers.BooleanField(help_text="Billed at batch prices.")
    monthly_usd = serializers.DecimalField(
        max_digits=24, decimal_places=2, help_text="Rounded to the cent, for display."
    )
    monthly_usd_exact = serializers.CharField(help_text="Exact decimal USD for the period.")
    usd_per_request = serializers.CharField(help_text="Exact decimal USD for one request.")
    components = serializers.DictField(
        child=serializers.CharField(), help_text="Exact USD by price component."
    )


class SelfHostedCostOut(serializers.Serializer):
    instance_price_id = serializers.IntegerField()
    provider = serializers.CharField()
    region = serializers.CharField()
    instance_type = serializers.CharField()
    accelerator = serializers.CharField()
    accelerator_count = serializers.IntegerField(help_text="Accelerators in the instance.")
    accelerators_used = serializers.IntegerField(help_text="Tensor-parallel size the model needs.")
    usd_per_hour = serializers.DecimalField(max_digits=20, decimal_places=9)
    decode_tokens_per_s = serializers.FloatField(help_text="Estimated, all streams together.")
    instances = serializers.IntegerField(help_text="Instances needed for the workload.")
    monthly_usd = serializers.DecimalField(max_digits=24, decimal_places=2)


class CostEstimateOut(serializers.Serializer):
    model = serializers.CharField(help_text="Catalog repo id.")
    workload = CostEstimateIn()
    api = ApiCostOut(many=True, help_text="One row per current token offer, cheapest first.")
    self_hosted = SelfHostedCostOut(
        many=True, help_text="Cheapest fitting GPU instance prices first (at most 50)."
    )
    self_hosted_note = serializers.CharField(help_text="Why self_hosted is empty, if it is.")


class PriceHistoryGroupOut(serializers.Serializer):
    provider = serializers.CharField()
    feed = serializers.CharField()
    model_name = serializers.CharField()
    unit = serializers.CharField()
    rows = OfferOut(many=True, help_text="Oldest first.")
