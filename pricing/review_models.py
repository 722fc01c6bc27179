"""Price changes held for review (issue 15 §6).

A feed price that falls to $0 (unless the feed marks the model free) or moves by more
than REVIEW_FACTOR either way is not loaded: the current row stays current and the
proposed price waits here until someone accepts it in the admin
(pricing.services.reviews.price_review_accept), which closes the current row and opens
the proposed one, like any price change.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from config.db import TimeStampedModel


class PriceReview(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        ACCEPTED = "accepted", "Accepted (now current)"
        DISMISSED = "dismissed", "Dismissed"
        SUPERSEDED = "superseded", "Superseded (the feed no longer proposes it)"

    feed = models.ForeignKey("catalog.Feed", on_delete=models.PROTECT, related_name="+")
    # exactly one of the two: the row that stays current while this waits
    offer = models.ForeignKey(
        "pricing.Offer", on_delete=models.PROTECT, null=True, blank=True, related_name="reviews"
    )
    instance_price = models.ForeignKey(
        "pricing.InstancePrice",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews",
    )
    ref = models.CharField(max_length=400)  # "provider/model (unit)" as in run errors
    reason = models.TextField()  # "usd_per_mtok_input fell from 2.5 to 0"
    # The proposed row's fields (money as exact strings) and its fingerprint.
    proposed = models.JSONField(default=dict)
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    last_seen_at = models.DateTimeField()  # the latest run that proposed it
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["offer"],
                condition=Q(status="pending") & Q(offer__isnull=False),
                name="pricereview_one_pending_per_offer",
            ),
            models.UniqueConstraint(
                fields=["instance_price"],
                condition=Q(status="pending") & Q(instance_price__isnull=False),
                name="pricereview_one_pending_per_instance",
            ),
            models.CheckConstraint(
                condition=Q(offer__isnull=False, instance_price__isnull=True)
                | Q(offer__isnull=True, instance_price__isnull=False),
                name="pricereview_one_target",
            ),
        ]
        indexes = [models.Index(fields=["status", "feed"], name="pricereview_status_feed")]

    def __str__(self) -> str:
        return f"{self.ref}: {self.reason} ({self.status})"
