from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from catalog.models import (
    AliasReview,
    Feed,
    FeedRun,
    LinkChange,
    Model,
    ModelAlias,
    Organization,
    SyncRun,
    Task,
)

SYNCED_READONLY = (
    "sha",
    "downloads",
    "likes",
    "hub_created_at",
    "hub_modified_at",
    "params_total",
    "params_active",
    "params_by_dtype",
    "fingerprint",
    "config_sha",
)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "homepage")
    search_fields = ("slug", "name")


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "category")
    search_fields = ("slug", "name")
    list_filter = ("category",)


@admin.register(Model)
class ModelAdmin(admin.ModelAdmin):
    list_display = (
        "repo_id",
        "task",
        "organization",
        "params_total",
        "downloads",
        "open_weights",
        "gated",
    )
    list_filter = ("source", "open_weights", "gated", "task")
    search_fields = ("repo_id", "name")
    list_select_related = ("task", "organization")
    raw_id_fields = ("base_model",)
    autocomplete_fields = ("organization", "task")
    readonly_fields = SYNCED_READONLY


@admin.register(ModelAlias)
class ModelAliasAdmin(admin.ModelAdmin):
    list_display = ("source", "alias", "model", "rule")
    list_filter = ("source", "rule")
    search_fields = ("alias", "model__repo_id")
    list_select_related = ("model",)
    raw_id_fields = ("model",)


@admin.register(LinkChange)
class LinkChangeAdmin(admin.ModelAdmin):
    """Every re-link of a feed name, with its reason: read-only history."""

    list_display = ("created_at", "source", "alias", "old_repo_id", "new_model", "reason")
    list_filter = ("source",)
    search_fields = ("alias", "old_repo_id", "new_model__repo_id")
    list_select_related = ("new_model",)
    readonly_fields = ("source", "alias", "old_model", "old_repo_id", "new_model", "reason")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AliasReview)
class AliasReviewAdmin(admin.ModelAdmin):
    """The review list: feed names that matched several catalog models."""

    list_display = ("source", "alias", "status", "resolved_model")
    list_filter = ("status", "source")
    search_fields = ("alias",)
    raw_id_fields = ("candidates", "resolved_model")
    actions = ["resolve_with_chosen_model"]

    @admin.action(description="Link to the chosen 'resolved model' (stores a manual alias)")
    def resolve_with_chosen_model(self, request: HttpRequest, queryset: QuerySet) -> None:
        from catalog.services.aliases import alias_review_resolve

        done = 0
        for review in queryset.exclude(resolved_model=None):
            alias_review_resolve(review_id=review.id, model_id=review.resolved_model_id)
            done += 1
        self.message_user(request, f"{done} aliases linked.", messages.SUCCESS)


class FeedRunInline(admin.TabularInline):
    model = FeedRun
    extra = 0
    can_delete = False
    fields = (
        "status",
        "started_at",
        "finished_at",
        "created",
        "updated",
        "unchanged",
        "closed",
        "rejected",
        "failed",
    )
    readonly_fields = fields
    ordering = ("-started_at",)
    max_num = 0
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).order_by("-started_at")


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    """Feed status: last good run, counts and errors of recent runs."""

    list_display = ("slug", "kind", "schedule", "enabled", "last_good_run")
    list_filter = ("kind", "enabled")
    list_select_related = ("last_good_run",)
    inlines = [FeedRunInline]


@admin.register(FeedRun)
class FeedRunAdmin(admin.ModelAdmin):
    list_display = (
        "feed",
        "status",
        "started_at",
        "finished_at",
        "created",
        "updated",
        "unchanged",
        "closed",
        "rejected",
        "failed",
    )
    list_filter = ("status", "feed")
    list_select_related = ("feed",)
    readonly_fields = [f.name for f in FeedRun._meta.fields]


@admin.register(SyncRun)
class SyncRunAdmin(FeedRunAdmin):
    pass
