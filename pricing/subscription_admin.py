"""Admin for seat plans: read-mostly (the reviewed file is the source of truth; curation is
an edit of pricing/data/subscriptions.yaml plus `manage.py load_subscriptions`)."""

from __future__ import annotations

from django.contrib import admin

from pricing.models import SubscriptionPlan


@admin.register(SubscriptionPlan)
class SubscriptionPlanAdmin(admin.ModelAdmin):
    list_display = (
        "slug", "name", "provider", "usd_per_seat_month", "billing", "min_seats",
        "valid_from", "valid_to", "source_date", "source_date_basis",
    )  # fmt: skip
    list_filter = ("provider", "audience", "billing", "source_date_basis")
    search_fields = ("slug", "name", "product")
    list_select_related = ("provider",)
    raw_id_fields = ("linked_models",)
    readonly_fields = (
        "slug", "provider", "product", "name", "audience", "usd_per_seat_month", "billing",
        "min_seats", "included_models", "limits", "source_url", "source_date",
        "source_date_basis", "quote", "notes", "valid_from", "valid_to", "fingerprint",
    )  # fmt: skip
    ordering = ("slug", "-valid_from")
