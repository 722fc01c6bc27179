"""Pricing API: providers, offers (with history), GPU instance prices, a model's offers and
price history, and the workload cost estimate. Reads public; thin over pricing.selectors
and pricing.cost_estimate."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.db.models import QuerySet
from django.http import Http404
from django.urls import path
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.filters import StrictBooleanFilter
from catalog.models import Model
from config.api import ErrorOut, KeysetPagination
from pricing import selectors
from pricing.cost_estimate import Workload, workload_cost_estimate
from pricing.models import InstancePrice, Offer, Provider, Unit

ERRORS_LIST = {400: ErrorOut, 429: ErrorOut}
ERRORS_MODEL = {400: ErrorOut, 404: ErrorOut, 429: ErrorOut}
MONEY = {"max_digits": 20, "decimal_places": 9, "allow_null": True, "read_only": True}


# --- Serializers -----------------------------------------------------------------------
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


# --- Filters ---------------------------------------------------------------------------
class OfferFilter(filters.FilterSet):
    provider = filters.CharFilter(field_name="provider__slug", help_text="Provider slug.")
    model = filters.CharFilter(field_name="model__repo_id", help_text="Catalog repo id.")
    unit = filters.ChoiceFilter(choices=Unit.choices, help_text="Priced unit.")
    input_min = filters.NumberFilter(
        field_name="usd_per_mtok_input", lookup_expr="gte", min_value=0,
        help_text="USD per 1M input tokens at least.",
    )  # fmt: skip
    input_max = filters.NumberFilter(
        field_name="usd_per_mtok_input", lookup_expr="lte", min_value=0,
        help_text="USD per 1M input tokens at most.",
    )  # fmt: skip
    output_min = filters.NumberFilter(
        field_name="usd_per_mtok_output", lookup_expr="gte", min_value=0,
        help_text="USD per 1M output tokens at least.",
    )  # fmt: skip
    output_max = filters.NumberFilter(
        field_name="usd_per_mtok_output", lookup_expr="lte", min_value=0,
        help_text="USD per 1M output tokens at most.",
    )  # fmt: skip
    valid_at = filters.IsoDateTimeFilter(
        method="filter_valid_at",
        help_text="ISO date or date-time: the offers valid at that moment (from the "
        "history). Default: current offers only.",
    )

    class Meta:
        model = Offer
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[Offer]) -> QuerySet[Offer]:
        if not self.form.cleaned_data.get("valid_at"):
            queryset = queryset.current()
        return super().filter_queryset(queryset)

    def filter_valid_at(self, queryset: QuerySet[Offer], name: str, value) -> QuerySet[Offer]:
        return queryset.valid_at(value)


class InstancePriceFilter(filters.FilterSet):
    provider = filters.CharFilter(field_name="provider__slug", help_text="Cloud provider slug.")
    region = filters.CharFilter(help_text="Region as the cloud names it, e.g. `us-east-1`.")
    accelerator = filters.CharFilter(
        field_name="accelerator__slug", help_text="Accelerator slug, e.g. `h100-sxm`."
    )
    count = filters.NumberFilter(
        field_name="accelerator_count", min_value=0, help_text="Accelerators per instance."
    )
    max_usd_per_hour = filters.NumberFilter(
        field_name="usd_per_hour_on_demand", lookup_expr="lte", min_value=0,
        help_text="On-demand USD per hour at most.",
    )  # fmt: skip
    spot = StrictBooleanFilter(
        method="filter_spot", help_text="A spot price is (true) or is not (false) listed."
    )

    class Meta:
        model = InstancePrice
        fields: list[str] = []

    def filter_spot(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(usd_per_hour_spot__isnull=not value)


# --- Views -----------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(
        summary="List providers (API sellers and clouds)",
        responses={200: ProviderOut(many=True), **ERRORS_LIST},
    ),
    retrieve=extend_schema(
        summary="One provider by slug", responses={200: ProviderOut, 404: ErrorOut}
    ),
)
class ProviderViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProviderOut
    lookup_field = "slug"
    lookup_value_regex = "[^/]+"  # feed provider slugs can carry dots ("wafer.ai")
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Provider]:
        return selectors.provider_list()


OFFER_ORDERINGS = {
    "id": ("id", False),
    "-id": ("id", True),
    "input": ("usd_per_mtok_input", False),
    "-input": ("usd_per_mtok_input", True),
    "valid_from": ("valid_from", False),
    "-valid_from": ("valid_from", True),
}
ORDERING_PARAM = OpenApiParameter(
    "ordering",
    OpenApiTypes.STR,
    enum=list(OFFER_ORDERINGS),
    description="Sort key (`-` descending); default `id`. `input` lists only offers with "
    "an input token price.",
)


@extend_schema_view(
    list=extend_schema(
        summary="List offers (current by default, or valid at a date)",
        description="Cursor pagination (the history reaches millions of rows).",
        parameters=[ORDERING_PARAM],
        responses={200: OfferOut(many=True), **ERRORS_LIST},
    ),
    retrieve=extend_schema(summary="One offer row", responses={200: OfferOut, 404: ErrorOut}),
)
class OfferViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OfferOut
    filterset_class = OfferFilter
    pagination_class = KeysetPagination
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self) -> QuerySet[Offer]:
        return Offer.objects.select_related("provider", "feed", "model")

    def keyset_ordering(self, request: Request) -> tuple[str, bool, bool]:
        value = request.query_params.get("ordering") or "id"
        if value not in OFFER_ORDERINGS:
            raise ValidationError({"ordering": [f"Use one of {sorted(OFFER_ORDERINGS)}."]})
        field, descending = OFFER_ORDERINGS[value]
        return field, descending, field == "id"


@extend_schema_view(
    list=extend_schema(
        summary="List current GPU instance prices, cheapest on-demand first",
        responses={200: InstancePriceOut(many=True), **ERRORS_LIST},
    ),
    retrieve=extend_schema(
        summary="One instance price row", responses={200: InstancePriceOut, 404: ErrorOut}
    ),
)
class InstancePriceViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = InstancePriceOut
    filterset_class = InstancePriceFilter
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self) -> QuerySet[InstancePrice]:
        qs = InstancePrice.objects.select_related("provider", "accelerator")
        if self.action == "list":
            qs = qs.current()
        return qs.order_by("usd_per_hour_on_demand", "id")


def _model_id(repo_id: str) -> int:
    model_id = Model.objects.filter(repo_id=repo_id).values_list("id", flat=True).first()
    if model_id is None:
        raise Http404(f"No model {repo_id!r} in the catalog.")
    return model_id


class ModelOffersView(generics.ListAPIView):
    """A model's current offers, cheapest input price first (per unit)."""

    serializer_class = OfferOut
    filter_backends: list[Any] = []

    @extend_schema(
        summary="A model's current offers, cheapest first",
        responses={200: OfferOut(many=True), **ERRORS_MODEL},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Offer]:
        return selectors.offer_list_current_for_model(model_id=_model_id(self.kwargs["repo_id"]))


class PriceHistoryGroupOut(serializers.Serializer):
    provider = serializers.CharField()
    feed = serializers.CharField()
    model_name = serializers.CharField()
    unit = serializers.CharField()
    rows = OfferOut(many=True, help_text="Oldest first.")


GROUPED = OpenApiParameter(
    "grouped",
    OpenApiTypes.BOOL,
    description="true: one entry per price key (provider, feed, name, unit) with its rows "
    "oldest first; false (default): every row flat, per key oldest first.",
)


class ModelPriceHistoryView(APIView):
    """Every price row of a model (closed and current) with valid_from / valid_to."""

    filter_backends: list[Any] = []

    @extend_schema(
        summary="A model's full price history",
        parameters=[GROUPED],
        responses={
            200: PolymorphicProxySerializer(
                component_name="PriceHistory",
                serializers=[OfferOut, PriceHistoryGroupOut],
                resource_type_field_name=None,
                many=True,
            ),
            **ERRORS_MODEL,
        },
        description="Flat list of OfferOut rows by default; `grouped=true` answers a list "
        "of PriceHistoryGroupOut (one per price key, rows oldest first) instead.",
    )
    def get(self, request: Request, repo_id: str) -> Response:
        raw = request.query_params.get("grouped", "false").lower()
        if raw not in ("true", "false", "1", "0"):
            raise ValidationError({"grouped": ["Use true or false."]})
        rows = selectors.offer_history_for_model(model_id=_model_id(repo_id)).order_by(
            "provider__slug", "feed__slug", "model_name", "unit", "valid_from", "id"
        )
        data = OfferOut(rows, many=True).data
        if raw in ("false", "0"):
            return Response(data)
        groups: dict[tuple, dict] = {}
        for row in data:
            key = (row["provider"], row["feed"], row["model_name"], row["unit"])
            group = groups.setdefault(
                key,
                dict(zip(("provider", "feed", "model_name", "unit"), key, strict=True), rows=[]),
            )
            group["rows"].append(row)
        return Response(list(groups.values()))


class CostEstimateView(APIView):
    """POST a workload; get its monthly cost on every API offer and self-hosted. A read
    (nothing is stored), so it is public like the GETs."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="Monthly cost of a workload: API offers and self-hosted",
        request=CostEstimateIn,
        responses={200: CostEstimateOut, **ERRORS_MODEL},
        description="API: pricing.cost's formula per current token offer (batch prices "
        "when `batch_ok`). Self-hosted: the cheapest current GPU instance prices whose "
        "accelerators hold the model at `precision` (estimator), sized for the workload's "
        "output tokens per second at `utilization`.",
    )
    def post(self, request: Request) -> Response:
        data = CostEstimateIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        repo_id = v.pop("model")
        estimate = workload_cost_estimate(repo_id=repo_id, workload=Workload(**v))
        body = {
            "model": estimate.model.repo_id,
            "workload": CostEstimateIn(data.validated_data).data,
            "api": estimate.api,
            "self_hosted": estimate.self_hosted,
            "self_hosted_note": estimate.self_hosted_note,
        }
        return Response(CostEstimateOut(body).data)


def register(router: Any) -> None:
    router.register("providers", ProviderViewSet, basename="provider")
    router.register("offers", OfferViewSet, basename="offer")
    router.register("instance-prices", InstancePriceViewSet, basename="instance-price")


urlpatterns = [
    path("models/<path:repo_id>/offers/", ModelOffersView.as_view(), name="model-offers"),
    path(
        "models/<path:repo_id>/price-history/",
        ModelPriceHistoryView.as_view(),
        name="model-price-history",
    ),
    path("estimate/cost/", CostEstimateView.as_view(), name="estimate-cost"),
]
