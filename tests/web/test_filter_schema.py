"""ModelFilter is ready for the API: typed OpenAPI parameters, 400 on bad values."""

from __future__ import annotations

import pytest
from django.urls import include, path
from drf_spectacular.generators import SchemaGenerator
from rest_framework import routers, serializers, viewsets
from rest_framework.test import APIRequestFactory

from catalog.filters import ModelFilter
from catalog.models import Model


class _ModelOut(serializers.ModelSerializer):
    class Meta:
        model = Model
        fields = ["repo_id"]


class _ModelViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Model.objects.order_by("id")
    serializer_class = _ModelOut
    filterset_class = ModelFilter


def test_model_filter_gives_typed_openapi_parameters() -> None:
    router = routers.SimpleRouter()
    router.register("models", _ModelViewSet)
    schema = SchemaGenerator(patterns=[path("api/", include(router.urls))]).get_schema(
        request=None, public=True
    )
    params = {p["name"]: p["schema"] for p in schema["paths"]["/api/models/"]["get"]["parameters"]}
    assert params["open_weights"] == {"type": "boolean"}
    assert params["gated"] == {"type": "boolean"}
    assert params["params_min"]["type"] == "number"
    assert params["min_context_tokens"]["type"] == "integer"
    assert params["task"] == {"type": "string"}
    assert params["q"] == {"type": "string"}


@pytest.mark.django_db
def test_model_filter_rejects_bad_numbers_in_the_api() -> None:
    view = _ModelViewSet.as_view({"get": "list"})
    response = view(APIRequestFactory().get("/api/models/", {"params_min": "lots"}))
    assert response.status_code == 400
