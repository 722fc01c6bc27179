"""Pricing API: providers, offers (with history), GPU instance prices, a model's offers and
price history, and the workload cost estimate. Reads public; thin over pricing.selectors
and pricing.cost_estimate. Serializers and FilterSets live in `pricing.api.serializers` and
`pricing.api.filters`."""

from __future__ import annotations

from typing import Any

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
from rest_framework import generics, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from benchmarks.services.accelerators import accelerator_resolve
from catalog.models import Model
from catalog.services.resolve import model_resolve
from config.api import ErrorOut, KeysetPagination
from pricing import selectors
from pricing.api.filters import InstancePriceFilter, OfferFilter, ProviderFilter
from pricing.api.serializers import (
    CostEstimateIn,
    CostEstimateOut,
    InstancePriceOut,
    OfferListOut,
    OfferOut,
    PriceHistoryGroupOut,
    ProviderOut,
)
from pricing.api.subscriptions import SubscriptionViewSet
from pricing.cost_estimate import Workload, workload_cost_estimate
from pricing.models import InstancePrice, Offer, Provider

ERRORS_LIST = {400: ErrorOut, 429: ErrorOut}
ERRORS_MODEL = {400: ErrorOut, 404: ErrorOut, 429: ErrorOut}


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
    filterset_class = ProviderFilter
    filter_backends = [DjangoFilterBackend]

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
        responses={200: OfferListOut(many=True), **ERRORS_LIST},
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
        summary="List GPU instance prices (current, or valid at `valid_at`), cheapest first",
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
        # list: current rows unless `valid_at` (InstancePriceFilter)
        qs = InstancePrice.objects.select_related("provider", "accelerator")
        return qs.order_by("usd_per_hour_on_demand", "id")

    def filter_queryset(self, queryset: QuerySet[InstancePrice]) -> QuerySet[InstancePrice]:
        # one row by id may be a closed (history) row: the list filters apply to lists
        return super().filter_queryset(queryset) if self.action == "list" else queryset


def _model_id(repo_id: str) -> int:
    model_id = Model.objects.filter(repo_id=repo_id).values_list("id", flat=True).first()
    if model_id is None:
        raise Http404(f"No model {repo_id!r} in the catalog.")
    return model_id


class ModelOffersView(generics.ListAPIView):
    """A model's current offers, one per provider × unit × variant (several feeds stating
    the same offer are its `sources`), cheapest input price first (per unit)."""

    serializer_class = OfferOut
    filter_backends: list[Any] = []

    @extend_schema(
        summary="A model's current offers, cheapest first",
        responses={200: OfferOut(many=True), **ERRORS_MODEL},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> list[Offer]:
        """One entry per provider × unit × variant: the newest statement, its sources."""
        groups = selectors.offer_groups_for_model(model_id=_model_id(self.kwargs["repo_id"]))
        for g in groups:
            g.offer.group = g
        return [g.offer for g in groups]


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
        description="API: the one cost function (pricing.costing.price_request) on every "
        "current offer that prices everything the usage uses (batch prices when `batch_ok`); "
        "exact decimals as strings plus `monthly_usd` rounded to the cent. "
        "Self-hosted: the cheapest current GPU instance prices whose "
        "accelerators hold the model at `precision` (estimator), sized for the workload's "
        "output tokens per second at `utilization`.",
    )
    def post(self, request: Request) -> Response:
        return Response(cost_estimate_answer(request.data))


def cost_estimate_answer(data: Any) -> dict[str, Any]:
    """`POST /api/estimate/cost/`'s body for a request body (also the MCP `price_usage`
    tool): validated by CostEstimateIn (a ValidationError is the 400), names resolved
    catalog -> alias -> Hub (an unknown one is a 400 naming the field), priced by
    workload_cost_estimate (the one cost function for API offers)."""
    body = CostEstimateIn(data=data)
    body.is_valid(raise_exception=True)
    v = dict(body.validated_data)
    repo_id = model_resolve(name=v.pop("model"), field="model").repo_id
    if v.get("accelerator"):
        v["accelerator"] = accelerator_resolve(name=v["accelerator"]).slug
    estimate = workload_cost_estimate(repo_id=repo_id, workload=Workload.from_values(v))
    out = {
        "model": estimate.model.repo_id,
        "workload": CostEstimateIn(body.validated_data).data,
        "api": estimate.api,
        "self_hosted": estimate.self_hosted,
        "self_hosted_note": estimate.self_hosted_note,
    }
    return CostEstimateOut(out).data


def register(router: Any) -> None:
    router.register("providers", ProviderViewSet, basename="provider")
    router.register("offers", OfferViewSet, basename="offer")
    router.register("instance-prices", InstancePriceViewSet, basename="instance-price")
    router.register("subscriptions", SubscriptionViewSet, basename="subscription")


urlpatterns = [
    path("models/<path:repo_id>/offers/", ModelOffersView.as_view(), name="model-offers"),
    path(
        "models/<path:repo_id>/price-history/",
        ModelPriceHistoryView.as_view(),
        name="model-price-history",
    ),
    path("estimate/cost/", CostEstimateView.as_view(), name="estimate-cost"),
]
