from django.urls import path

from quality import views

app_name = "quality"

urlpatterns = [
    path("leaderboards/", views.leaderboard_list, name="leaderboard-list"),
    path("leaderboards/quality-vs-price/", views.quality_vs_price, name="quality-vs-price"),
    path("leaderboards/index/", views.index_list, name="index-list"),
    path("leaderboards/<slug:slug>/", views.leaderboard_detail, name="leaderboard-detail"),
]
