"""URL map. Each app's website urls are included when it has a urls.py."""

from importlib import import_module

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config import health, metrics, views

handler404 = "config.middleware.page_not_found"  # JSON error body under /api/

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's init script as a file: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("config.api_urls")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
]

for _app in ("catalog", "benchmarks", "quality", "pricing", "planner"):
    try:
        import_module(f"{_app}.urls")
    except ModuleNotFoundError as exc:
        if exc.name != f"{_app}.urls":
            raise
        continue
    urlpatterns.append(path("", include(f"{_app}.urls")))

# JSON error bodies under /api/ (the site's own pages elsewhere).
handler400 = "config.api.api_handler400"
handler404 = "config.api.api_handler404"
handler500 = "config.api.api_handler500"
