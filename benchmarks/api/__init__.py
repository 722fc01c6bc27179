"""The benchmarks API: accelerators, benchmark runs (runs.py) and requirements
(requirements.py)."""

from django.urls import path

from benchmarks.api.requirements import ModelRequirementsView
from benchmarks.api.runs import AcceleratorViewSet, BenchmarkRunViewSet, ModelBenchmarksView


def register(router) -> None:
    router.register("accelerators", AcceleratorViewSet, basename="accelerator")
    router.register("benchmark-runs", BenchmarkRunViewSet, basename="benchmark-run")


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
