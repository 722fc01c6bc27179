"""/api/accelerators/, /api/benchmark-runs/ and /api/models/<repo>/benchmarks/ (reads public;
POST with a DRF token)."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from benchmarks import selectors, services
from benchmarks.importers import RunRecord
from benchmarks.models import Accelerator, BenchmarkRun
from benchmarks.services.accelerators import accelerator_resolve
from catalog.models import Model
from catalog.services.hub_fetch import model_get_or_fetch
from catalog.services.resolve import model_resolve
from config.api import PG_INT_MAX, ErrorOut


class AcceleratorOut(serializers.ModelSerializer):
    class Meta:
        model = Accelerator
        fields = ["slug", "name", "vendor", "kind", "family", "memory_gib", "bandwidth_gbps",
                  "bf16_tflops", "fp8_tflops", "int8_tops", "tdp_watts", "release_year",
                  "aliases", "notes", "source", "list_price_usd", "list_price_date",
                  "list_price_source"]  # fmt: skip


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
    accelerator = serializers.CharField(
        source="accelerator.slug", default=None, help_text="null: unknown hardware"
    )
    accelerator_name = serializers.CharField(source="accelerator.name", default=None)
    submitter = serializers.CharField(source="submitter.username", default=None)

    class Meta:
        model = BenchmarkRun
        fields = ["id", "model", "accelerator", "accelerator_name", "accelerator_count",
                  "engine", "engine_version", "precision", "batch_size", "concurrency",
                  "input_tokens", "output_tokens", "ttft_ms", "tpot_ms",
                  "prefill_tokens_per_s", "decode_tokens_per_s", "peak_memory_gib",
                  "environment", "environment_fingerprint", "source", "scaled_down",
                  "accelerator_assumed", "device_name", "trust", "proves_fit", "model_name",
                  "source_url", "submitter_name",
                  "flagged", "flag_reason", "submitter", "measured_at"]  # fmt: skip


class BenchmarkRunIn(serializers.Serializer):
    model = serializers.CharField(max_length=200, help_text="catalog repo id")
    accelerator = serializers.SlugField(max_length=60)
    accelerator_count = serializers.IntegerField(min_value=1, max_value=4096, default=1)
    engine = serializers.CharField(max_length=40)
    engine_version = serializers.CharField(max_length=60, allow_blank=True, default="")
    precision = serializers.CharField(max_length=20)
    batch_size = serializers.IntegerField(min_value=1, max_value=PG_INT_MAX, default=1)
    concurrency = serializers.IntegerField(min_value=1, max_value=PG_INT_MAX, default=1)
    input_tokens = serializers.IntegerField(min_value=0, max_value=PG_INT_MAX)
    output_tokens = serializers.IntegerField(min_value=0, max_value=PG_INT_MAX)
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
        # unknown names: catalog -> alias -> Hub, else a 400 naming the field
        model = model_resolve(name=model, field="model").repo_id
        accel = accelerator_resolve(name=accel, field="accelerator").slug
        raw = v.pop("raw_result")
        record = RunRecord(**v, raw=raw)
        run = services.benchmark_run_submit(
            submitter=request.user, model_repo_id=model, accelerator_slug=accel,
            record=record, accelerator_count=count,
        )  # fmt: skip
        run = selectors.benchmark_run_list().get(pk=run.pk)
        return Response(BenchmarkRunOut(run).data, status=status.HTTP_201_CREATED)


def catalog_model(repo_id: str) -> Model:
    # A Hub repo the catalog lacks is fetched on demand (404 naming it when the Hub has none).
    return model_get_or_fetch(repo_id=repo_id)


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
        return selectors.benchmark_run_list(model=catalog_model(self.kwargs["repo_id"]))
