from django.contrib import admin

from quality.models import Leaderboard, LeaderboardSnapshot, QualityIndex, Score


@admin.register(Leaderboard)
class LeaderboardAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "source", "task", "metric", "redistributable"]
    list_filter = ["source", "task", "redistributable"]
    search_fields = ["slug", "name"]


@admin.register(LeaderboardSnapshot)
class LeaderboardSnapshotAdmin(admin.ModelAdmin):
    list_display = ["leaderboard", "data_date", "row_count", "run"]
    list_filter = ["leaderboard"]
    list_select_related = ["leaderboard", "run"]
    raw_id_fields = ["run"]
    readonly_fields = ["fingerprint", "row_count", "unlinked"]


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    list_display = ["source_name", "model", "metric", "category", "setting", "value", "snapshot"]
    list_filter = ["snapshot__leaderboard", "metric"]
    list_select_related = ["model", "snapshot__leaderboard"]
    search_fields = ["source_name", "model__repo_id"]
    raw_id_fields = ["model", "snapshot"]
    readonly_fields = ["source_name", "metric", "category", "setting", "settings", "value"]


@admin.register(QualityIndex)
class QualityIndexAdmin(admin.ModelAdmin):
    list_display = ["model", "task", "value", "computed_at"]
    list_filter = ["task"]
    list_select_related = ["model"]
    search_fields = ["model__repo_id"]
    raw_id_fields = ["model"]
