from django.urls import path

from pricing import views

app_name = "pricing"

urlpatterns = [
    path("providers/", views.provider_list, name="provider-list"),
    # Feed provider slugs can carry dots ("wafer.ai"): any path segment.
    path("providers/<str:slug>/", views.provider_detail, name="provider-detail"),
    path("accelerators/", views.accelerator_list, name="accelerator-list"),
    path("accelerators/<slug:slug>/", views.accelerator_detail, name="accelerator-detail"),
    path("insights/", views.insights, name="insights"),
]
