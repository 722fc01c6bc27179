"""Catalog API: models, tasks, organizations, feeds and their runs (read-only, public).

Thin: querysets come from catalog.selectors, filters from catalog.filters.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from catalog import selectors
from catalog.filters import (
    MODEL_DEFAULT_ORDERING,
    MODEL_ORDERINGS,
    QUALITY_TASK_KEY,
    ModelFilter,
)
from catalog.models import Feed, Model, Organization, Task
from catalog.serializers import (
    FeedOut,
    FeedRunOut,
    ModelDetailOut,
    ModelListOut,
    OrganizationOut,
    TaskOut,
    model_list_values,
)
from catalog.services.hub_fetch import model_get_or_fetch
from config.api import CachedListMixin, ConditionalRetrieveMixin, ErrorOut, KeysetPagination

FILTER_PARAMS = set(ModelFilter.base_filters)
ERRORS_LIST = {400: ErrorOut, 429: ErrorOut}
ERRORS_DETAIL = {
    304: OpenApiResponse(description="Not modified (If-None-Match / If-Modified-Since)."),
    404: ErrorOut,
    429: ErrorOut,
}
CONDITIONAL_HEADERS = [
    OpenApiParameter(
        "If-None-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, description="An ETag."
    ),
    OpenApiParameter(
        "If-Modified-Since",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="An HTTP date.",
    ),
]


_PLAIN_LIST: list[QuerySet] = []


def _plain_list_values() -> QuerySet:
    """The unfiltered list's `.values()` queryset, built once per process (never
    evaluated itself: pagination orders, filters and slices clones of it)."""
    if not _PLAIN_LIST:
        _PLAIN_LIST.append(model_list_values(selectors.model_list()))
    return _PLAIN_LIST[0]


# --- Viewsets --------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(
        summary="List models",
        description="Keyset (cursor) pagination: follow `next`/`previous`; `page_size` "
        "at most 200. Filters combine with AND.",
        responses={200: ModelListOut(many=True), **ERRORS_LIST},
    ),
    retrieve=extend_schema(
        summary="One model by repo id (slashes allowed)",
        description="Architecture dims, parameters by dtype, feed aliases and base model, and "
        "where each fact came from. A Hub repo id the catalog lacks is fetched from the Hub "
        "(404 naming it when the Hub has no such repo; 429 when fetches are throttled). "
        "Sends ETag and Last-Modified; answers 304 to a matching conditional GET.",
        parameters=CONDITIONAL_HEADERS,
        responses={200: ModelDetailOut, **ERRORS_DETAIL, 503: ErrorOut},
    ),
)
class ModelViewSet(CachedListMixin, ConditionalRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    lookup_field = "repo_id"
    lookup_value_regex = r".+"
    filterset_class = ModelFilter
    pagination_class = KeysetPagination

    filter_backends = [DjangoFilterBackend]  # ordering is a ModelFilter field

    keyset_template: str | None = None

    def get_queryset(self) -> QuerySet[Model]:
        if self.action == "retrieve":
            return selectors.model_detail_list().prefetch_related("aliases")
        if self.request is not None and not (set(self.request.query_params) & FILTER_PARAMS):
            # No filter asked (any other parameter is ignored): no FilterSet, and the
            # page's SQL depends only on its shape (config.api.CompiledValuesQuery).
            self.keyset_template = "models"
            return _plain_list_values()
        return selectors.model_list()

    def filter_queryset(self, queryset: QuerySet[Model]) -> QuerySet[Model]:
        if self.action == "retrieve" or self.keyset_template:
            return queryset
        return super().filter_queryset(queryset)

    def paginate_queryset(self, queryset: QuerySet[Model]) -> list[Any] | None:
        if self.keyset_template:  # already the list's `.values()` rows
            return super().paginate_queryset(queryset)
        return super().paginate_queryset(model_list_values(queryset))

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return ModelDetailOut if self.action == "retrieve" else ModelListOut

    def get_object(self) -> Model:
        """The model by repo id; one the catalog lacks is fetched from the Hub
        (catalog.services.hub_fetch: 404 naming it when the Hub has none)."""
        try:
            return super().get_object()
        except Http404:
            fetched = model_get_or_fetch(repo_id=self.kwargs[self.lookup_field])
            self.kwargs[self.lookup_field] = fetched.repo_id
            return super().get_object()

    def keyset_ordering(self, request: Request) -> tuple[str, bool, bool]:
        value = request.query_params.get("ordering") or MODEL_DEFAULT_ORDERING
        field, descending = MODEL_ORDERINGS.get(value, MODEL_ORDERINGS[MODEL_DEFAULT_ORDERING])
        if field == "quality_index_best" and request.query_params.get("quality_task"):
            field = QUALITY_TASK_KEY  # that task's index (catalog.filters.filter_ordering)
        return field, descending, field == "repo_id"

    def detail_version(self, obj: Model) -> str:
        stamps = [a.updated_at.timestamp() for a in obj.aliases.all()]
        return f"-{len(stamps)}-{max(stamps):.6f}" if stamps else ""


@extend_schema_view(
    list=extend_schema(
        summary="List tasks with their model counts",
        responses={200: TaskOut(many=True), **ERRORS_LIST},
    ),
    retrieve=extend_schema(
        summary="One task",
        parameters=CONDITIONAL_HEADERS,
        responses={200: TaskOut, **ERRORS_DETAIL},
    ),
)
class TaskViewSet(ConditionalRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    serializer_class = TaskOut
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Task]:
        return selectors.task_list_with_counts()


@extend_schema_view(
    list=extend_schema(
        summary="List organizations", responses={200: OrganizationOut(many=True), **ERRORS_LIST}
    ),
    retrieve=extend_schema(
        summary="One organization",
        parameters=CONDITIONAL_HEADERS,
        responses={200: OrganizationOut, **ERRORS_DETAIL},
    ),
)
class OrganizationViewSet(ConditionalRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    serializer_class = OrganizationOut
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Organization]:
        return selectors.organization_list()


@extend_schema_view(
    list=extend_schema(summary="List feeds", responses={200: FeedOut(many=True), **ERRORS_LIST}),
    retrieve=extend_schema(
        summary="One feed",
        parameters=CONDITIONAL_HEADERS,
        responses={200: FeedOut, **ERRORS_DETAIL},
    ),
)
class FeedViewSet(ConditionalRetrieveMixin, viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    serializer_class = FeedOut
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Feed]:
        return selectors.feed_list()

    @extend_schema(
        summary="A feed's runs, newest first",
        responses={200: FeedRunOut(many=True), 400: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    )
    @action(detail=True, methods=["get"], serializer_class=FeedRunOut)
    def runs(self, request: Request, slug: str | None = None) -> Response:
        feed = get_object_or_404(Feed, slug=slug)
        page = self.paginate_queryset(
            selectors.feed_run_list(feed=feed).order_by("-started_at", "-id")
        )
        return self.get_paginated_response(FeedRunOut(page, many=True).data)


def register(router: Any) -> None:
    router.register("models", ModelViewSet, basename="model")
    router.register("tasks", TaskViewSet, basename="task")
    router.register("organizations", OrganizationViewSet, basename="organization")
    router.register("feeds", FeedViewSet, basename="feed")
