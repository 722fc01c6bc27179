"""Planner tables: a saved plan (the wizard's answers and the ranked result) to share."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from config.db import TimeStampedModel


class Plan(TimeStampedModel):
    """One run of the planner, frozen: re-opening the link shows the same answer.

    `inputs` is `planner.codec.inputs_to_data(PlanInputs)`; `result` is
    `result_to_data(PlanResult)`. `engine_version` is `planner.records.ENGINE_VERSION`
    at the time, so a later engine can tell (and offer to re-rank) older plans.
    """

    slug = models.SlugField(max_length=16, unique=True)  # short random id for the share URL
    inputs = models.JSONField()
    result = models.JSONField()
    engine_version = models.CharField(max_length=16)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="plans",
        null=True,
        blank=True,
    )
    # sha256 of the inputs + the data version + the engine version: identical inputs on
    # the same data reuse this plan (planner.services.plan_create); "" on older plans.
    inputs_key = models.CharField(max_length=64, blank=True, default="")
    # kept forever by the expiry task (planner.tasks.plans_expire_task), like the demo's
    pinned = models.BooleanField(default=False)
    # first or latest opening after the creator's own (PLAN_VIEW_GRACE_S); None = never
    last_viewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(slug=""), name="plan_slug_not_empty"),
        ]
        indexes = [
            # a user's saved plans, newest first (plan list page, round 2)
            models.Index(fields=["user", "-created_at"], name="plan_user_created"),
            models.Index(fields=["inputs_key"], name="plan_inputs_key"),
        ]

    def __str__(self) -> str:
        return self.slug
