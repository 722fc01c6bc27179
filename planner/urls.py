from django.urls import path, re_path

from planner import views

app_name = "planner"

urlpatterns = [
    path("plan/", views.wizard, name="wizard"),
    path("plan/step/<slug:step>/", views.step, name="step"),
    re_path(r"^plan/(?P<slug>[a-z0-9]+)\.json$", views.plan_json, name="plan-json"),
    re_path(r"^plan/(?P<slug>[a-z0-9]+)\.csv$", views.plan_csv, name="plan-csv"),
    path("plan/<slug:slug>/", views.plan_detail, name="plan-detail"),
    path("plan/<slug:slug>/rerank/", views.plan_rerank, name="plan-rerank"),
]
