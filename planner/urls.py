from django.urls import path, re_path

from planner import deploy_views, reprice_views, views

app_name = "planner"

urlpatterns = [
    path("plan/", views.wizard, name="wizard"),
    path("plan/step/<slug:step>/", views.step, name="step"),
    re_path(r"^plan/(?P<slug>[a-z0-9]+)\.json$", views.plan_json, name="plan-json"),
    re_path(r"^plan/(?P<slug>[a-z0-9]+)\.csv$", views.plan_csv, name="plan-csv"),
    path("plan/<slug:slug>/", views.plan_detail, name="plan-detail"),
    path("plan/<slug:slug>/rerank/", views.plan_rerank, name="plan-rerank"),
    path("plan/<slug:slug>/reprice/", reprice_views.plan_reprice_view, name="plan-reprice"),
    path("plan/<slug:slug>/rows/<int:n>/deploy/", deploy_views.plan_deploy, name="plan-deploy"),
    path(
        "plan/<slug:slug>/rows/<int:n>/deploy/bundle.zip",
        deploy_views.plan_deploy_zip,
        name="plan-deploy-zip",
    ),
    re_path(
        r"^plan/(?P<slug>[-a-zA-Z0-9_]+)/rows/(?P<n>[0-9]+)/deploy/(?P<name>[a-z][a-z0-9.-]*)$",
        deploy_views.plan_deploy_file,
        name="plan-deploy-file",
    ),
]
