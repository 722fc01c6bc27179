from django.urls import path

from benchmarks import views

app_name = "benchmarks"

urlpatterns = [
    path("requirements/<path:repo_id>/", views.model_requirements, name="model-requirements"),
]
