"""/api/accelerators/ and /api/benchmark-runs/ (reads public; POST with a DRF token)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.urls import path
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from benchmarks import selectors, services
from benchmarks.estimate import PRECISIONS
from benchmarks.importers import RunRecord
from benchmarks.models import Accelerator, BenchmarkRun
from catalog.models import Model
from config.api import ErrorOut


class AcceleratorOut(serializers.ModelSerializer):
    class Meta:
        model = Accelerator
        fields = ["slug", "name", "vendor", "kind", "memory_gib", "bandwidth_gbps",
                  "bf16_tflops", "fp8_tflops", "int8_tops", "tdp_watts", "release_year",
                  "aliases", "notes", "source"]  # fmt: skip


class AcceleratorFilter(filters.FilterSet):
    min_memory_gib = filters.NumberFilter(
        field_name="memory_gib", lookup_expr="gte", help_text="At least this much memory (GiB)."
    )
    vendor = filters.CharFilter(help_text="Vendor, e.g. `nvidia`, `amd`, `apple`.")

    class Meta:
        model = Accelerator
        fields = ["vendor", "kind"]


@extend_schema_view(
    list=extend_schema(summary="List accelerators"),
    retrieve=extend_schema(summary="One accelerator by slug"),
)
class AcceleratorViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AcceleratorOut
    filterset_class = AcceleratorFilter
    ordering_fields = ["memory_gib", "bandwidth_gbps", "release_year"]
    lookup_field = "slug"
    pagination_class = None  # a few dozen rows: the planner wants them all

    def get_queryset(self) -> QuerySet[Accelerator]:
        return selectors.accelerator_list()


class BenchmarkRunOut(serializers.ModelSerializer):
    model = serializers.CharField(source="model.repo_id")
    accelerator = serializers.CharField(source="accelerator.slug")
    accelerator_name = serializers.CharField(source="accelerator.name")
    submitter = serializers.CharField(source="submitter.username", default=None)

    class Meta:
        model = BenchmarkRun
        fields = ["id", "model", "accelerator", "accelerator_name", "accelerator_count",
                  "engine", "engine_version", "precision", "batch_size", "concurrency",
                  "input_tokens", "output_tokens", "ttft_ms", "tpot_ms",
                  "prefill_tokens_per_s", "decode_tokens_per_s", "peak_memory_gib",
                  "environment", "environment_fingerprint", "source", "scaled_down",
                  "accelerator_assumed",
                  "flagged", "flag_reason", "submitter", "measured_at"]  # fmt: skip


class BenchmarkRunIn(serializers.Serializer):
    model = serializers.CharField(max_length=200, help_text="catalog repo id")
    accelerator = serializers.SlugField(max_length=60)
    accelerator_count = serializers.IntegerField(min_value=1, default=1)
    engine = serializers.CharField(max_length=40)
    engine_version = serializers.CharField(max_length=60, allow_blank=True, default="")
    precision = serializers.CharField(max_length=20)
    batch_size = serializers.IntegerField(min_value=1, default=1)
    concurrency = serializers.IntegerField(min_value=1, default=1)
    input_tokens = serializers.IntegerField(min_value=0)
    output_tokens = serializers.IntegerField(min_value=0)
    ttft_ms = serializers.FloatField(min_value=0, required=False, allow_null=True)
    tpot_ms = serializers.FloatField(min_value=0, required=False, allow_null=True)
    prefill_tokens_per_s = serializers.FloatField(min_value=0, required=False, allow_null=True)
    decode_tokens_per_s = serializers.FloatField(min_value=0, required=False, allow_null=True)
    peak_memory_gib = serializers.FloatField(min_value=0, required=False, allow_null=True)
    environment = serializers.DictField(required=False, default=dict)
    raw_result = serializers.DictField(required=False, default=dict)
    measured_at = serializers.DateTimeField(required=False, allow_null=True)


BOOL_CHOICES = [("true", "true"), ("false", "false")]


def _strict_bool(field_name: str) -> filters.TypedChoiceFilter:
    """true/false only: anything else is a 400, not a silently ignored filter."""
    return filters.TypedChoiceFilter(
        field_name=field_name, choices=BOOL_CHOICES, coerce=lambda v: v == "true"
    )


class BenchmarkRunFilter(filters.FilterSet):
    model = filters.CharFilter(field_name="model__repo_id", help_text="Catalog repo id.")
    accelerator = filters.CharFilter(field_name="accelerator__slug", help_text="Accelerator slug.")
    engine = filters.CharFilter(help_text="Engine, e.g. `vllm`, `transformers`, `llama.cpp`.")
    precision = filters.CharFilter(help_text="Precision key, e.g. `bf16`, `q4_k_m`.")
    flagged = _strict_bool("flagged")
    scaled_down = _strict_bool("scaled_down")

    class Meta:
        model = BenchmarkRun
        fields = ["engine", "precision", "source"]


@extend_schema_view(
    list=extend_schema(summary="List benchmark runs (newest first)"),
    retrieve=extend_schema(summary="One benchmark run"),
    create=extend_schema(
        summary="Submit a benchmark run (token auth); implausible figures are stored flagged",
        request=BenchmarkRunIn,
        responses={201: BenchmarkRunOut},
    ),
)
class BenchmarkRunViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = BenchmarkRunOut
    filterset_class = BenchmarkRunFilter
    ordering_fields = ["measured_at"]

    def get_queryset(self) -> QuerySet[BenchmarkRun]:
        return selectors.benchmark_run_list()

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        data = BenchmarkRunIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        model, accel, count = v.pop("model"), v.pop("accelerator"), v.pop("accelerator_count")
        raw = v.pop("raw_result")
        record = RunRecord(**v, raw=raw)
        run = services.benchmark_run_submit(
            submitter=request.user, model_repo_id=model, accelerator_slug=accel,
            record=record, accelerator_count=count,
        )  # fmt: skip
        run = selectors.benchmark_run_list().get(pk=run.pk)
        return Response(BenchmarkRunOut(run).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("accelerators", AcceleratorViewSet, basename="accelerator")
    router.register("benchmark-runs", BenchmarkRunViewSet, basename="benchmark-run")


# --- Per-model views: requirements (estimator) and measured runs ----------------------
class MeasuredOut(serializers.Serializer):
    runs = serializers.IntegerField(help_text="Trusted runs at this precision.")
    decode_tokens_per_s = serializers.FloatField(
        allow_null=True, help_text="Best measured decode tokens/s (all streams)."
    )
    peak_memory_gib = serializers.FloatField(allow_null=True, help_text="Lowest measured peak.")


class AcceleratorRequirementOut(serializers.Serializer):
    accelerator = serializers.CharField(help_text="Accelerator slug.")
    name = serializers.CharField()
    kind = serializers.CharField()
    memory_gib = serializers.FloatField()
    accelerators_needed = serializers.IntegerField(
        allow_null=True, help_text="Tensor-parallel size that holds the model (≤ 8); null: none."
    )
    decode_tokens_per_s_per_stream = serializers.FloatField(allow_null=True)
    decode_tokens_per_s_total = serializers.FloatField(allow_null=True)
    bound = serializers.CharField(allow_null=True, help_text="memory or compute")
    measured = MeasuredOut(allow_null=True, help_text="Measured runs; null when none exist.")


class RequirementsOut(serializers.Serializer):
    model = serializers.CharField()
    precision = serializers.CharField()
    context_tokens = serializers.IntegerField()
    batch = serializers.IntegerField()
    weights_gib = serializers.FloatField()
    kv_cache_gib = serializers.FloatField()
    overhead_gib = serializers.FloatField()
    total_gib = serializers.FloatField()
    kv_known = serializers.BooleanField(help_text="False: the dims lack layers/heads (KV = 0).")
    accelerators = AcceleratorRequirementOut(many=True)


class RequirementsIn(serializers.Serializer):
    precision = serializers.ChoiceField(
        choices=list(PRECISIONS), default="bf16", help_text="Weight precision."
    )
    context = serializers.IntegerField(
        min_value=1, max_value=10_000_000, default=8192, help_text="Tokens per sequence."
    )
    batch = serializers.IntegerField(
        min_value=1, max_value=4096, default=1, help_text="Concurrent sequences (KV cache)."
    )


def _catalog_model(repo_id: str) -> Model:
    model = Model.objects.filter(repo_id=repo_id).first()
    if model is None:
        raise Http404(f"No model {repo_id!r} in the catalog.")
    return model


class ModelRequirementsView(APIView):
    """The estimator's memory breakdown for one model and, per accelerator, how many it
    needs and the estimated decode speed; measured run figures beside them."""

    @extend_schema(
        summary="A model's memory need and speed per accelerator (estimate + measured)",
        parameters=[RequirementsIn],
        responses={200: RequirementsOut, 400: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    )
    def get(self, request: Request, repo_id: str) -> Response:
        params = RequirementsIn(data=request.query_params)
        params.is_valid(raise_exception=True)
        body = selectors.model_requirements(model=_catalog_model(repo_id), **params.validated_data)
        return Response(RequirementsOut(body).data)


class ModelBenchmarksView(ListAPIView):
    """A model's benchmark runs, newest first."""

    serializer_class = BenchmarkRunOut
    filter_backends: list = []

    @extend_schema(
        summary="A model's benchmark runs, newest first",
        responses={200: BenchmarkRunOut(many=True), 404: ErrorOut},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[BenchmarkRun]:
        return selectors.benchmark_run_list(model=_catalog_model(self.kwargs["repo_id"]))


urlpatterns = [
    path(
        "models/<path:repo_id>/requirements/",
        ModelRequirementsView.as_view(),
        name="model-requirements",
    ),
    path(
        "models/<path:repo_id>/benchmarks/", ModelBenchmarksView.as_view(), name="model-benchmarks"
    ),
]
