from django.contrib import admin

from planner.models import Plan


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("slug", "engine_version", "user", "created_at")
    list_filter = ("engine_version",)
    search_fields = ("slug",)
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    readonly_fields = ("slug", "inputs", "result", "engine_version", "created_at", "updated_at")
