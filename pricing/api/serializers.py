"""Pricing API serializers: providers, offers, instance prices, the cost estimate's input
and output."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from pricing.models import InstancePrice, Offer, Provider

MONEY = {"max_digits": 20, "decimal_places": 9, "allow_null": True, "read_only": True}


class ProviderOut(serializers.ModelSerializer):
    class Meta:
        model = Provider
        fields = ["slug", "name", "kind", "homepage", "updated_at"]
        read_only_fields = fields


class OfferOut(serializers.ModelSerializer):
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

    class Meta:
        model = Offer
        fields = [
            "id", "provider", "feed", "model", "model_name", "hub_repo_id", "open_weights",
            "mode", "unit", *Offer.PRICE_FIELDS, "image_options", "tiers", "context_tokens",
            "max_output_tokens", "valid_from", "valid_to",
        ]  # fmt: skip
        read_only_fields = fields


class InstancePriceOut(serializers.ModelSerializer):
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
        max_digits=5, decimal_places=4, min_value=0, max_value=1, default=0,
        help_text="Share of input tokens read from the provider's prompt cache (0-1).",
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
    batch = serializers.BooleanField(help_text="Billed at batch prices.")
    monthly_usd = serializers.DecimalField(max_digits=24, decimal_places=2)


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
