"""Seat plans (ChatGPT Plus, Claude Team, Copilot Business...): a flat price per person and
month, compared with API prices. Loaded from the reviewed file pricing/data/subscriptions.yaml.

History is kept like offers: one row per plan version, `valid_from` / `valid_to`; a changed
price closes the current row and opens a new one. Imported by pricing/models.py.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from config.db import TimeStampedModel

MONEY = {"max_digits": 12, "decimal_places": 4, "null": True, "blank": True}


class SubscriptionPlanQuerySet(models.QuerySet):
    def current(self) -> SubscriptionPlanQuerySet:
        return self.filter(valid_to__isnull=True)


class SubscriptionPlan(TimeStampedModel):
    """One version of a vendor's seat plan, as stated at `source_url` on `source_date`."""

    class Billing(models.TextChoices):
        MONTHLY = "monthly", "Billed monthly"
        ANNUAL = "annual", "Billed annually"

    class Audience(models.TextChoices):
        INDIVIDUAL = "individual", "Individual"
        TEAM = "team", "Team"
        ENTERPRISE = "enterprise", "Enterprise"

    class DateBasis(models.TextChoices):
        PAGE_STATES = "page_states", "date stated on the page"
        PAGE_MENTIONS = "page_mentions", "the page refers to this date"
        DATED_COPY = "dated_copy", "a dated copy quotes the page"
        REVIEWED = "reviewed", "page undated: the day we read it"

    slug = models.SlugField(max_length=80)  # the plan: "chatgpt-plus"
    provider = models.ForeignKey(
        "pricing.Provider", on_delete=models.PROTECT, related_name="subscription_plans"
    )
    product = models.CharField(max_length=120)  # ChatGPT, Claude, GitHub Copilot
    name = models.CharField(max_length=160)
    audience = models.CharField(max_length=12, choices=Audience.choices)
    usd_per_seat_month = models.DecimalField(**MONEY)  # NULL: no vendor page states one
    billing = models.CharField(max_length=8, choices=Billing.choices)
    min_seats = models.PositiveIntegerField(default=1)
    # The vendor's names for the models included; `linked_models`: those that resolve.
    included_models = models.JSONField(default=list, blank=True)
    linked_models = models.ManyToManyField(
        "catalog.Model", related_name="subscription_plans", blank=True
    )
    # [{"text": vendor's words, "quantity": "225"|None, "unit", "period_hours", "bound"}]
    limits = models.JSONField(default=list, blank=True)
    source_url = models.URLField(max_length=500)
    source_date = models.DateField()
    source_date_basis = models.CharField(max_length=16, choices=DateBasis.choices)
    quote = models.TextField()
    notes = models.TextField(blank=True)
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)  # NULL = current
    fingerprint = models.CharField(max_length=64)

    objects = SubscriptionPlanQuerySet.as_manager()

    class Meta:
        ordering = ["provider_id", "slug", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(valid_to__isnull=True),
                name="subscription_one_current_per_slug",
            ),
            models.UniqueConstraint(
                fields=["slug", "valid_from"], name="subscription_one_row_per_slug_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="subscription_valid_range",
            ),
            models.CheckConstraint(
                condition=Q(usd_per_seat_month__isnull=True) | Q(usd_per_seat_month__gte=0),
                name="subscription_price_nonneg",
            ),
        ]
        indexes = [
            # subscription_list_for_provider: a provider page's current plans
            models.Index(fields=["provider", "valid_to"], name="subscription_provider_current"),
        ]

    def __str__(self) -> str:
        return f"{self.slug} from {self.valid_from:%Y-%m-%d}"
