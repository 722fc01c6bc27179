"""Test urlconf with a view that crashes, to check handler500 under /api/."""

from django.urls import path

from config.urls import handler404, handler500  # noqa: F401 - the handlers under test


def crash(request):
    raise RuntimeError("boom")


urlpatterns = [path("api/crash/", crash)]
