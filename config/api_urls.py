"""The /api/ router. Each app that has an API defines `register(router)` in its api.py."""

from importlib import import_module

from rest_framework.routers import DefaultRouter

API_APPS = ("catalog", "benchmarks", "quality", "pricing", "planner")

router = DefaultRouter()
extra_urlpatterns: list = []
for _app in API_APPS:
    try:
        _module = import_module(f"{_app}.api")
    except ModuleNotFoundError as exc:
        if exc.name != f"{_app}.api":
            raise
        continue
    _module.register(router)
    extra_urlpatterns.extend(getattr(_module, "urlpatterns", []))

urlpatterns = [*extra_urlpatterns, *router.urls]
