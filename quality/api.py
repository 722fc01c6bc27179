"""Quality API: leaderboards, a board's scores, a model's scores and quality per task, the
quality index rows (thin: calls selectors)."""

from __future__ import annotations

from datetime import date

from django.http import Http404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Model
from config.errors import AtlasError
from quality import selectors
from quality.models import Leaderboard, QualityIndex, Score


class LeaderboardOut(serializers.ModelSerializer):
    latest_date = serializers.DateField(read_only=True, allow_null=True)
    snapshot_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Leaderboard
        fields = [
            "slug",
            "name",
            "source",
            "task",
            "metric",
            "unit",
            "higher_is_better",
            "source_url",
            "licence",
            "attribution",
            "redistributable",
            "latest_date",
            "snapshot_count",
        ]


class ScoreOut(serializers.ModelSerializer):
    leaderboard = serializers.CharField(source="snapshot.leaderboard.slug")
    data_date = serializers.DateField(source="snapshot.data_date")
    model = serializers.CharField(source="model.repo_id")
    total_cost_usd = serializers.DecimalField(
        max_digits=12, decimal_places=4, allow_null=True, coerce_to_string=True
    )

    class Meta:
        model = Score
        fields = [
            "leaderboard",
            "data_date",
            "model",
            "source_name",
            "metric",
            "category",
            "setting",
            "settings",
            "value",
            "ci_low",
            "ci_high",
            "samples",
            "total_cost_usd",
            "variants",
        ]


SCALE_HELP = (
    "Position on the task's quality scale, 0..100: every leaderboard of the task put on one "
    "scale by linear equating on the models they share; 0 = the lowest measured model of "
    "the task, 100 = the highest (see quality/index/__init__.py)."
)


class QualityIndexOut(serializers.ModelSerializer):
    """One model's index on one task, with its 95% interval (value ± uncertainty)."""

    model = serializers.CharField(source="model.repo_id")
    value = serializers.FloatField(help_text=SCALE_HELP)
    uncertainty = serializers.FloatField(
        allow_null=True, help_text="Half-width of the 95% interval in index points (null: unknown)."
    )
    low = serializers.FloatField(allow_null=True, read_only=True)
    high = serializers.FloatField(allow_null=True, read_only=True)
    adjustment = serializers.FloatField(
        help_text="How far the dominance order moved the fitted value (index points)."
    )

    class Meta:
        model = QualityIndex
        fields = [
            "model",
            "task",
            "value",
            "uncertainty",
            "low",
            "high",
            "adjustment",
            "sources",
            "computed_at",
        ]


class TaskQualityOut(serializers.Serializer):
    """A model's quality on one task: measured (value ± uncertainty) or unknown (never 0)."""

    task = serializers.CharField()
    status = serializers.ChoiceField(choices=["measured", "unknown"])
    value = serializers.FloatField(allow_null=True, help_text=SCALE_HELP)
    uncertainty = serializers.FloatField(
        allow_null=True, help_text="Half-width of the 95% interval, in index points."
    )
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    adjustment = serializers.FloatField()
    sources = serializers.JSONField()
    computed_at = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField(help_text="Why the quality is unknown, when it is.")


def _as_of(request: Request) -> date | None:
    raw = request.query_params.get("as_of")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise AtlasError(
            "as_of must be a date (YYYY-MM-DD).", code="invalid", fields={"as_of": [raw]}
        ) from None


AS_OF = OpenApiParameter(
    "as_of", OpenApiTypes.DATE, description="scores of the newest snapshot on or before this date"
)


@extend_schema_view(
    list=extend_schema(summary="List quality leaderboards"),
    retrieve=extend_schema(summary="One leaderboard"),
)
class LeaderboardViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = LeaderboardOut
    lookup_field = "slug"
    filterset_fields = ["source", "task"]
    ordering_fields = ["slug"]

    def get_queryset(self):
        return selectors.leaderboard_list()

    @extend_schema(
        summary="A leaderboard's scores (newest snapshot, best first)",
        parameters=[
            AS_OF,
            OpenApiParameter("metric", str, description="default: the board's headline metric"),
            OpenApiParameter("category", str, description='default: "" (overall)'),
        ],
        responses=ScoreOut(many=True),
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def scores(self, request: Request, slug: str | None = None) -> Response:
        board = self.get_object()
        qs = selectors.leaderboard_scores(
            leaderboard=board,
            as_of=_as_of(request),
            metric=request.query_params.get("metric") or None,
            category=request.query_params.get("category", ""),
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(ScoreOut(page, many=True).data)


class ModelScoresView(ListAPIView):
    """A model's scores on every leaderboard (history up to `as_of`)."""

    serializer_class = ScoreOut
    filter_backends: list = []

    @extend_schema(summary="A model's leaderboard scores", parameters=[AS_OF])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        repo_id = self.kwargs["repo_id"]
        model_id = Model.objects.filter(repo_id=repo_id).values_list("id", flat=True).first()
        if model_id is None:
            raise Http404(f"No model {repo_id!r} in the catalog.")
        return selectors.score_list_for_model(model_id=model_id, as_of=_as_of(self.request))


class ModelQualityView(APIView):
    """A model's quality index per task, each with its 95% interval; tasks of its kind
    with no leaderboard score are listed as unknown (never 0, never a proxy)."""

    @extend_schema(summary="A model's quality per task", responses=TaskQualityOut(many=True))
    def get(self, request: Request, repo_id: str) -> Response:
        model = Model.objects.select_related("task").filter(repo_id=repo_id).first()
        if model is None:
            raise Http404(f"No model {repo_id!r} in the catalog.")
        return Response(TaskQualityOut(selectors.model_quality(model=model), many=True).data)


@extend_schema_view(
    list=extend_schema(
        summary="Quality index rows (best first), each with its 95% interval",
        parameters=[OpenApiParameter("task", str, description="chat, code, vision, ...")],
    )
)
class QualityIndexViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = QualityIndexOut
    filter_backends: list = []

    def get_queryset(self):
        return selectors.quality_index_list(task=self.request.query_params.get("task") or None)


def register(router) -> None:
    router.register("leaderboards", LeaderboardViewSet, basename="leaderboard")
    router.register("quality-index", QualityIndexViewSet, basename="quality-index")


urlpatterns = [
    path("models/<path:repo_id>/scores/", ModelScoresView.as_view(), name="model-scores"),
    path("models/<path:repo_id>/quality/", ModelQualityView.as_view(), name="model-quality"),
]
