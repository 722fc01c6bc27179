"""Pricing API FilterSets: providers, offers and instance prices."""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.db.models import QuerySet
from django_filters.fields import IsoDateTimeField

from catalog.filters import StrictBooleanFilter
from pricing.models import InstancePrice, Offer, Provider, Unit


class PresentIsoDateTimeField(IsoDateTimeField):
    """An ISO date-time; given but empty (`?valid_at=`) is invalid, not "absent"."""

    def to_python(self, value: object) -> object:
        if value == "":
            raise forms.ValidationError("Enter an ISO date or date-time.", code="invalid")
        return super().to_python(value)


class ValidAtFilter(filters.IsoDateTimeFilter):
    field_class = PresentIsoDateTimeField


class ProviderFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Provider.Kind.choices, help_text="Kind of seller.")
    reviewed = StrictBooleanFilter(
        help_text="In the reviewed registry (true) or created by a feed, awaiting review."
    )

    class Meta:
        model = Provider
        fields: list[str] = []


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
    valid_at = ValidAtFilter(
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

    valid_at = ValidAtFilter(
        method="filter_valid_at",
        help_text="ISO date or date-time: the prices valid at that moment (from the "
        "history). Default: current prices only.",
    )

    class Meta:
        model = InstancePrice
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[InstancePrice]) -> QuerySet[InstancePrice]:
        if not self.form.cleaned_data.get("valid_at"):
            queryset = queryset.current()
        return super().filter_queryset(queryset)

    def filter_valid_at(self, queryset: QuerySet, name: str, value) -> QuerySet[InstancePrice]:
        return queryset.valid_at(value)

    def filter_spot(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(usd_per_hour_spot__isnull=not value)
