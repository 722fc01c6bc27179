from django.urls import path

from catalog import views

app_name = "catalog"

urlpatterns = [
    path("models/", views.model_list, name="model-list"),
    path("models/<path:repo_id>/", views.model_detail, name="model-detail"),
    path("compare/", views.compare, name="compare"),
    path("compare/suggest/", views.compare_suggest, name="compare-suggest"),
    path("feeds/", views.feed_status, name="feed-status"),
    path("guides/", views.guide_list, name="guide-list"),
    path("guides/<slug:slug>/", views.guide_detail, name="guide-detail"),
]
