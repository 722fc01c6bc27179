"""Test urlconf: an app's extra path under models/<repo>/ mounted before the router,
the way config/api_urls.py mounts them."""

from django.http import JsonResponse
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from catalog.api import register


def offers(request, repo_id: str) -> JsonResponse:
    return JsonResponse({"offers_for": repo_id})


router = DefaultRouter()
register(router)
extra = [path("models/<path:repo_id>/offers/", offers)]
urlpatterns = [path("api/", include([*extra, *router.urls]))]
