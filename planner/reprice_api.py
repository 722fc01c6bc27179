"""`GET /api/plans/{slug}/reprice/`: the saved plan re-run on today's prices and what
changed (rows, costs, rank). Mixed into planner.api.PlanViewSet; thin over
planner.reprice_service."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from config.api import ErrorOut
from planner.reprice_service import plan_reprice


class RowChangeOut(serializers.Serializer):
    key = serializers.CharField(help_text="The deployment's identity (model and where it runs).")
    status = serializers.ChoiceField(choices=["added", "removed", "changed", "unchanged"])
    model_name = serializers.CharField()
    repo_id = serializers.CharField()
    deployment_kind = serializers.CharField()
    deployment_label = serializers.CharField()
    old_rank = serializers.IntegerField(allow_null=True)
    new_rank = serializers.IntegerField(allow_null=True)
    old_monthly_usd = serializers.FloatField(allow_null=True)
    new_monthly_usd = serializers.FloatField(allow_null=True)
    delta_usd = serializers.FloatField(allow_null=True)
    delta_share = serializers.FloatField(allow_null=True)
    old_within_budget = serializers.BooleanField(allow_null=True)
    new_within_budget = serializers.BooleanField(allow_null=True)


class RepriceOut(serializers.Serializer):
    slug = serializers.CharField()
    saved_at = serializers.DateTimeField()
    repriced_at = serializers.DateTimeField()
    summary = serializers.CharField()
    added = serializers.IntegerField()
    removed = serializers.IntegerField()
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    top_changed = serializers.BooleanField()
    old_top = serializers.CharField()
    new_top = serializers.CharField()
    old_candidates = serializers.IntegerField()
    new_candidates = serializers.IntegerField()
    engine_changed = serializers.BooleanField()
    rows = RowChangeOut(many=True)


def reprice_out(slug: str) -> dict[str, Any]:
    result = plan_reprice(slug=slug)
    d = result.diff
    return {
        "slug": result.plan.slug, "saved_at": result.plan.created_at,
        "repriced_at": result.repriced_at, "summary": d.summary, "added": d.added,
        "removed": d.removed, "changed": d.changed, "unchanged": d.unchanged,
        "top_changed": d.top_changed, "old_top": d.old_top, "new_top": d.new_top,
        "old_candidates": d.old_candidates, "new_candidates": d.new_candidates,
        "engine_changed": d.engine_changed, "rows": list(d.rows),
    }  # fmt: skip


class RepriceActionMixin:
    @extend_schema(
        summary="Re-run a saved plan on today's prices and show what changed",
        description="Nothing is saved. Rows are paired by deployment (model and where it "
        "runs); each is added, removed (left the top rows), changed (cost or rank) or "
        "unchanged.",
        request=None,
        responses={200: RepriceOut, 400: ErrorOut, 404: ErrorOut},
    )
    @action(detail=True, methods=["get"])
    def reprice(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(RepriceOut(reprice_out(str(kwargs["slug"]))).data)
