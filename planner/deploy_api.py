"""`GET /api/plans/{slug}/rows/{n}/deploy/`: a plan row's deploy bundle (issue 21 §1).
Mixed into planner.api.PlanViewSet; thin over planner.deploy_service."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from config.api import ErrorOut
from planner.deploy_service import plan_row_bundle


class BundleFileOut(serializers.Serializer):
    name = serializers.CharField(help_text="serve.sh, sky.yaml, compose.yaml, config.yaml, ...")
    language = serializers.CharField(help_text="bash, yaml or python")
    description = serializers.CharField()
    content = serializers.CharField()


class BundleOut(serializers.Serializer):
    slug = serializers.CharField()
    row = serializers.IntegerField(help_text="1-based position in the plan's ranked rows.")
    model_name = serializers.CharField()
    repo_id = serializers.CharField()
    deployment_label = serializers.CharField()
    kind = serializers.CharField(help_text="api, owned or cloud (the row's deployment kind).")
    title = serializers.CharField()
    engine = serializers.CharField(help_text="Self-hosted: vllm, llama.cpp or mlx-lm.")
    command = serializers.ListField(child=serializers.CharField(), help_text="The engine argv.")
    values = serializers.DictField(help_text="The plan's numbers the files carry.")
    notes = serializers.ListField(child=serializers.CharField())
    files = BundleFileOut(many=True)


def bundle_out(slug: str, n: int) -> dict[str, Any]:
    row, bundle = plan_row_bundle(slug=slug, n=n)
    return {
        "slug": slug, "row": n, "model_name": row.model_name, "repo_id": row.repo_id,
        "deployment_label": row.deployment.label, "kind": bundle.kind, "title": bundle.title,
        "engine": bundle.engine, "command": list(bundle.command), "values": bundle.values,
        "notes": list(bundle.notes),
        "files": [
            {"name": f.name, "language": f.language, "description": f.description,
             "content": f.content}
            for f in bundle.files
        ],
    }  # fmt: skip


class DeployActionMixin:
    @extend_schema(
        summary="The deploy bundle of one plan row",
        description="Self-hosted rows: the engine command with the flags the plan assumed, "
        "a SkyPilot task (with a `service:` section) and a docker compose file. API rows: a "
        "LiteLLM proxy config entry and an OpenAI-SDK snippet.",
        parameters=[OpenApiParameter("n", int, OpenApiParameter.PATH, description="Row, 1-based")],
        request=None,
        responses={200: BundleOut, 404: ErrorOut},
    )
    @action(detail=True, methods=["get"], url_path=r"rows/(?P<n>[0-9]+)/deploy")
    def deploy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(BundleOut(bundle_out(str(kwargs["slug"]), int(kwargs["n"]))).data)
