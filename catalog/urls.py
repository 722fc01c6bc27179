from django.urls import path

from catalog import views

app_name = "catalog"

urlpatterns = [
    path("models/", views.model_list, name="model-list"),
    path("models/<path:repo_id>/", views.model_detail, name="model-detail"),
]
