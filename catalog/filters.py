"""The one catalog FilterSet, shared by the website (`catalog.views`) and the API.

Parameter bounds are in billions of parameters (`params_max=8` means ≤ 8B), because
that is how people talk about model size and what they type into a URL.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django_filters import rest_framework as filters

from catalog.models import Model

PARAMS_PER_BILLION = 1_000_000_000
# The website's select menus for the two booleans ("" = either).
OPEN_CHOICES = [("", "Open or closed"), ("true", "Open weights"), ("false", "Closed / API only")]
GATED_CHOICES = [("", "Gated or not"), ("true", "Gated"), ("false", "Not gated")]


class ModelFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", label="Search")
    task = filters.CharFilter(field_name="task__slug", label="Task")
    organization = filters.CharFilter(field_name="organization__slug", label="Organization")
    license = filters.CharFilter(field_name="license", label="License")
    library = filters.CharFilter(field_name="library", label="Library")
    # BooleanFilter takes "true"/"false" and shows as a boolean in the OpenAPI schema.
    open_weights = filters.BooleanFilter(field_name="open_weights", label="Open weights")
    gated = filters.BooleanFilter(field_name="gated", label="Gated")
    params_min = filters.NumberFilter(
        method="filter_params_min", label="Min params (B)", min_value=0
    )
    params_max = filters.NumberFilter(
        method="filter_params_max", label="Max params (B)", min_value=0
    )
    min_context_tokens = filters.NumberFilter(
        field_name="context_tokens", lookup_expr="gte", label="Min context (tokens)", min_value=0
    )

    class Meta:
        model = Model
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Model], name: str, value: str) -> QuerySet[Model]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(repo_id__icontains=value) | Q(name__icontains=value))

    def filter_params_min(self, queryset: QuerySet[Model], name: str, value) -> QuerySet[Model]:
        return queryset.filter(params_total__gte=int(value * PARAMS_PER_BILLION))

    def filter_params_max(self, queryset: QuerySet[Model], name: str, value) -> QuerySet[Model]:
        return queryset.filter(params_total__lte=int(value * PARAMS_PER_BILLION))

    @property
    def active(self) -> dict[str, object]:
        """The valid, non-empty filters (for "active filter" chips and empty states)."""
        if not self.is_bound or not self.form.is_valid():
            return {}
        return {k: v for k, v in self.form.cleaned_data.items() if v not in (None, "")}
