"""Bench-only urlconf: the site's urls plus /bench/hello/, a bare Django view (the
ceiling an API endpoint is compared with). Never used in production."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler404, handler500  # noqa: F401
from config.urls import urlpatterns as site_urlpatterns


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b'{"hello": "world"}', content_type="application/json")


urlpatterns = [path("bench/hello/", hello), *site_urlpatterns]
