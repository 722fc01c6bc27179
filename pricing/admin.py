import json

from django.contrib import admin, messages
from django.db import models
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone

from catalog.models import Feed, FeedRun
from catalog.selectors import feed_run_stale_after_s
from pricing.models import (
    InstancePrice,
    Offer,
    PriceReview,
    PricingFeed,
    Provider,
    ProviderAlias,
)
from pricing.services.model_prices import model_prices_refresh
from pricing.services.provider_pages import provider_pages_refresh
from pricing.services.reviews import (
    ReviewNotApplicable,
    price_review_accept,
    price_review_dismiss,
)

OFFER_READONLY = (
    "feed",
    "provider",
    "model_name",
    "hub_repo_id",
    "unit",
    "mode",
    *Offer.PRICE_FIELDS,
    "image_options",
    "tiers",
    "context_tokens",
    "max_output_tokens",
    "valid_from",
    "valid_to",
    "fingerprint",
)


class ProviderAliasInline(admin.TabularInline):
    model = ProviderAlias
    extra = 0
    fields = ("alias", "scope", "source")


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    """The review list: filter "reviewed: No" for providers feeds created that the
    registry (pricing/data/providers.yaml) does not name yet."""

    list_display = ("slug", "name", "kind", "service", "reviewed", "homepage")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ("reviewed", "kind", "service")
    search_fields = ("slug", "name", "aliases__alias")
    inlines = [ProviderAliasInline]


class CurrentFilter(admin.SimpleListFilter):
    title = "validity"
    parameter_name = "current"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", "Current"), ("no", "History (closed)")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(valid_to__isnull=True)
        if self.value() == "no":
            return queryset.filter(valid_to__isnull=False)
        return queryset


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    """Ingested prices are read-only; the only curation is linking the catalog model."""

    list_display = (
        "provider",
        "model_name",
        "model",
        "unit",
        "usd_per_mtok_input",
        "usd_per_mtok_output",
        "valid_from",
        "valid_to",
        "feed",
    )
    list_filter = (CurrentFilter, "feed", "unit", "provider__kind")
    search_fields = ("model_name", "model__repo_id", "provider__slug")
    list_select_related = ("provider", "model", "feed")
    raw_id_fields = ("model",)
    readonly_fields = OFFER_READONLY
    date_hierarchy = "valid_from"


@admin.register(InstancePrice)
class InstancePriceAdmin(admin.ModelAdmin):
    list_display = (
        "provider",
        "region",
        "instance_type",
        "accelerator_name",
        "accelerator_count",
        "accelerator",
        "usd_per_hour_on_demand",
        "usd_per_hour_spot",
        "valid_from",
        "valid_to",
    )
    list_filter = (CurrentFilter, "provider", "feed")
    search_fields = ("instance_type", "accelerator_name", "region")
    list_select_related = ("provider", "accelerator", "feed")
    raw_id_fields = ("accelerator",)
    readonly_fields = (
        "feed",
        "provider",
        "region",
        "instance_type",
        "accelerator_name",
        "accelerator_count",
        "vcpus",
        "memory_gib",
        "usd_per_hour_on_demand",
        "usd_per_hour_spot",
        "valid_from",
        "valid_to",
        "fingerprint",
    )


@admin.register(PricingFeed)
class PricingFeedStatusAdmin(admin.ModelAdmin):
    """The pricing feeds' status page: last run, its counts and first error."""

    list_display = (
        "slug",
        "kind",
        "schedule",
        "last_status",
        "last_started",
        "last_counts",
        "last_error",
        "last_good_run",
    )
    list_filter = ("kind",)
    readonly_fields = ("recent_runs",)
    fields = ("slug", "name", "kind", "format", "url", "schedule", "enabled", "recent_runs")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        last = FeedRun.objects.filter(feed=OuterRef("pk")).order_by("-started_at")
        return (
            super()
            .get_queryset(request)
            .filter(kind__in=[Feed.Kind.PRICING, Feed.Kind.GPU_PRICING])
            .select_related("last_good_run")
            .annotate(
                **{
                    f"run_{f}": Subquery(last.values(f)[:1])
                    for f in (
                        "status",
                        "started_at",
                        "updated_at",
                        "created",
                        "updated",
                        "unchanged",
                        "closed",
                        "rejected",
                        "errors",
                    )
                }
            )
        )

    @admin.display(description="last run")
    def last_status(self, feed: Feed) -> str:
        if feed.run_status == FeedRun.Status.RUNNING and feed.run_updated_at:
            idle = (timezone.now() - feed.run_updated_at).total_seconds()
            if idle > feed_run_stale_after_s(feed):
                return f"running, stuck ({idle / 60:.0f} min without progress)"
        return feed.run_status or "never run"

    @admin.display(description="started")
    def last_started(self, feed: Feed) -> str:
        return f"{feed.run_started_at:%Y-%m-%d %H:%M}" if feed.run_started_at else ""

    @admin.display(description="created / changed / unchanged / closed / rejected")
    def last_counts(self, feed: Feed) -> str:
        if not feed.run_status:
            return ""
        return (
            f"{feed.run_created} / {feed.run_updated} / {feed.run_unchanged} / "
            f"{feed.run_closed} / {feed.run_rejected}"
        )

    @admin.display(description="first error")
    def last_error(self, feed: Feed) -> str:
        errors = feed.run_errors
        if isinstance(errors, str):  # JSON read through a subquery on some backends
            errors = json.loads(errors)
        return (errors or [""])[0][:200]

    @admin.display(description="recent runs (newest first)")
    def recent_runs(self, feed: Feed) -> str:
        lines = [
            f"{run.started_at:%Y-%m-%d %H:%M} {run.status}: {run.created} created, "
            f"{run.updated} changed, {run.unchanged} unchanged, {run.closed} closed, "
            f"{run.rejected} rejected" + "".join(f"\n    {e}" for e in run.errors[:20])
            for run in FeedRun.objects.filter(feed=feed).order_by("-started_at")[:10]
        ]
        return "\n".join(lines) or "never run"


@admin.register(PriceReview)
class PriceReviewAdmin(admin.ModelAdmin):
    """Price moves held for review: $0 (unless free) or more than 100x either way. The
    previous price stays current until "accept" makes the proposed one current."""

    list_display = ("ref", "reason", "status", "feed", "last_seen_at", "decided_by")
    list_filter = ("status", "feed")
    search_fields = ("ref", "reason")
    list_select_related = ("feed",)
    readonly_fields = (
        "feed", "offer", "instance_price", "ref", "reason", "proposed", "fingerprint",
        "status", "last_seen_at", "decided_at", "decided_by",
    )  # fmt: skip
    actions = ("accept", "dismiss")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Accept: make the proposed price current")
    def accept(self, request: HttpRequest, queryset: QuerySet) -> None:
        done, offers = 0, False
        for review in queryset.filter(status=PriceReview.Status.PENDING):
            try:
                price_review_accept(review=review, user=request.user.get_username())
            except ReviewNotApplicable as exc:
                self.message_user(request, str(exc), messages.WARNING)
                continue
            done += 1
            offers = offers or review.offer_id is not None
        if offers:
            model_prices_refresh()
            provider_pages_refresh()
        self.message_user(request, f"{done} price(s) accepted and now current.")

    @admin.action(description="Dismiss: keep the previous price")
    def dismiss(self, request: HttpRequest, queryset: QuerySet) -> None:
        for review in queryset.filter(status=PriceReview.Status.PENDING):
            price_review_dismiss(review=review, user=request.user.get_username())
        self.message_user(request, "Dismissed; the previous prices stay current.")


# Seat plans' admin lives in its own module (issue 21 §2).
from pricing import subscription_admin  # noqa: E402, F401
