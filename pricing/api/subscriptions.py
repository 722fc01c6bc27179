"""Seat-plan API: `/api/subscriptions/` (current plans, or every version with
`history=true`), `/api/subscriptions/{slug}/` (one plan with its history) and
`POST /api/subscriptions/compare/` (N seats × interactions a day against the API for a
given API cost per interaction). Thin over pricing.subscription_selectors and
pricing.services.subscriptions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.models import Model
from config.api import ErrorOut
from pricing.models import SubscriptionPlan
from pricing.services.subscriptions import seats_compare
from pricing.subscription_selectors import subscription_history, subscription_list


class LimitOut(serializers.Serializer):
    text = serializers.CharField(help_text="The vendor's own words.")
    quantity = serializers.CharField(
        allow_null=True, help_text="Only where the vendor states a number (decimal string)."
    )
    unit = serializers.CharField(allow_blank=True)
    period_hours = serializers.CharField(allow_null=True)
    bound = serializers.CharField(allow_blank=True, help_text="at_least, up_to or exactly")


class SubscriptionPlanOut(serializers.ModelSerializer):
    provider = serializers.CharField(source="provider.slug", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    usd_per_seat_month = serializers.DecimalField(
        max_digits=12, decimal_places=4, allow_null=True, read_only=True,
        help_text="Null: no vendor page we read states a price (unknown, not free).",
    )  # fmt: skip
    included_models = serializers.ListField(child=serializers.CharField(), read_only=True)
    linked_models = serializers.SerializerMethodField(help_text="Catalog repo ids.")
    limits = LimitOut(many=True, read_only=True)

    class Meta:
        model = SubscriptionPlan
        fields = [
            "slug", "name", "product", "provider", "provider_name", "audience",
            "usd_per_seat_month", "billing", "min_seats", "included_models", "linked_models",
            "limits", "source_url", "source_date", "source_date_basis", "quote", "notes",
            "valid_from", "valid_to",
        ]  # fmt: skip
        read_only_fields = fields

    def get_linked_models(self, plan: SubscriptionPlan) -> list[str]:
        return sorted(m.repo_id for m in plan.linked_models.all())


class SubscriptionDetailOut(SubscriptionPlanOut):
    history = serializers.SerializerMethodField(help_text="Every version, newest first.")

    class Meta(SubscriptionPlanOut.Meta):
        fields = [*SubscriptionPlanOut.Meta.fields, "history"]
        read_only_fields = fields

    def get_history(self, plan: SubscriptionPlan) -> list[dict[str, Any]]:
        return SubscriptionPlanOut(self.context.get("history", []), many=True).data


class SubscriptionListIn(serializers.Serializer):
    provider = serializers.CharField(required=False, max_length=80)
    model = serializers.CharField(required=False, max_length=200, help_text="Catalog repo id.")
    history = serializers.BooleanField(required=False, default=False)


class SeatsCompareIn(serializers.Serializer):
    seats = serializers.IntegerField(min_value=1, max_value=1_000_000)
    interactions_per_seat_per_day = serializers.DecimalField(
        max_digits=12, decimal_places=4, min_value=Decimal(0)
    )
    api_usd_per_interaction = serializers.DecimalField(
        max_digits=14, decimal_places=9, min_value=Decimal(0),
        help_text="What one interaction costs on the API (e.g. from POST /api/estimate/cost/).",
    )  # fmt: skip
    days_per_month = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal(1), max_value=Decimal(31),
        default=Decimal(30),
    )  # fmt: skip
    plans = serializers.ListField(
        child=serializers.SlugField(), required=False, max_length=100,
        help_text="Plan slugs (default: every current plan).",
    )  # fmt: skip


class SeatsComparisonOut(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    seats_billed = serializers.IntegerField()
    subscription_monthly_usd = serializers.DecimalField(
        max_digits=20, decimal_places=4, allow_null=True
    )
    api_monthly_usd = serializers.DecimalField(max_digits=20, decimal_places=4)
    cheaper = serializers.ChoiceField(choices=["api", "subscription", "equal", "unknown"])
    breakeven_interactions_per_seat_per_day = serializers.DecimalField(
        max_digits=20, decimal_places=4, allow_null=True,
        help_text="The API is cheaper below this many interactions per person per day.",
    )  # fmt: skip
    cap_interactions_per_seat_per_day = serializers.DecimalField(
        max_digits=20, decimal_places=4, allow_null=True,
        help_text="The tightest vendor-stated numeric limit per day; null: none stated.",
    )  # fmt: skip
    within_stated_limits = serializers.BooleanField(allow_null=True)
    breakeven_within_stated_limits = serializers.BooleanField(allow_null=True)
    explanation = serializers.CharField()


@extend_schema_view(
    list=extend_schema(
        summary="Seat plans (ChatGPT, Claude, Copilot...): current, or every version",
        parameters=[
            OpenApiParameter("provider", str, description="Provider slug, e.g. `openai`."),
            OpenApiParameter("model", str, description="Plans that include this catalog model."),
            OpenApiParameter("history", bool, description="Every version, not only current."),
        ],
        responses={200: SubscriptionPlanOut(many=True), 400: ErrorOut, 404: ErrorOut},
    ),
    retrieve=extend_schema(
        summary="One seat plan (current version) with its price history",
        responses={200: SubscriptionDetailOut, 404: ErrorOut},
    ),
)
class SubscriptionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SubscriptionPlanOut
    lookup_field = "slug"
    filter_backends: list[Any] = []
    pagination_class = None  # tens of plans, not millions

    def get_queryset(self) -> QuerySet[SubscriptionPlan]:
        if self.action != "list":
            return subscription_list(history=True)
        params = SubscriptionListIn(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        model_id = None
        if repo_id := params.validated_data.get("model"):
            model_id = Model.objects.filter(repo_id=repo_id).values_list("id", flat=True).first()
            if model_id is None:
                raise NotFound(f"No model {repo_id!r} in the catalog.")
        return subscription_list(
            provider=params.validated_data.get("provider"),
            model_id=model_id,
            history=params.validated_data["history"],
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        versions = list(subscription_history(slug=str(kwargs["slug"])))
        if not versions:
            raise NotFound(f"No subscription plan {kwargs['slug']!r}.")
        current = next((v for v in versions if v.valid_to is None), versions[0])
        return Response(SubscriptionDetailOut(current, context={"history": versions}).data)

    @extend_schema(
        summary="Seats vs API: N people × interactions a day on each plan",
        request=SeatsCompareIn,
        responses={200: SeatsComparisonOut(many=True), 400: ErrorOut},
        description="Subscription monthly cost for N seats (plan minimums apply) against the "
        "API cost of the same interactions at the given API USD per interaction, the "
        "breakeven volume, and checks against the vendors' stated numeric limits only.",
    )
    @action(detail=False, methods=["post"], permission_classes=[AllowAny])
    def compare(self, request: Request) -> Response:
        body = SeatsCompareIn(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        rows = seats_compare(
            seats=v["seats"],
            interactions_per_seat_per_day=v["interactions_per_seat_per_day"],
            api_usd_per_interaction=v["api_usd_per_interaction"],
            days_per_month=v["days_per_month"],
            plan_slugs=v.get("plans"),
        )
        return Response(SeatsComparisonOut(rows, many=True).data)
