"""Planner writes: save a plan under a short random slug."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from planner.codec import inputs_to_data, result_to_data
from planner.models import Plan
from planner.records import PlanInputs, PlanResult

# No 0/o, 1/l/i: slugs get read aloud and typed from screenshots.
SLUG_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
SLUG_LENGTH = 10  # 31^10 ≈ 8e14 slugs: collisions are rare, and retried
SLUG_ATTEMPTS = 5


def plan_slug_new() -> str:
    return "".join(secrets.choice(SLUG_ALPHABET) for _ in range(SLUG_LENGTH))


@transaction.atomic
def plan_save(
    *, inputs: PlanInputs, result: PlanResult, user: AbstractBaseUser | None = None
) -> Plan:
    """Store the wizard's answers and the ranked result under a new unique slug.

    Not idempotent on purpose: each save is a new shareable snapshot. Raises
    IntegrityError only if SLUG_ATTEMPTS random slugs in a row are taken.
    """
    fields = {
        "inputs": inputs_to_data(inputs),
        "result": result_to_data(result),
        "engine_version": result.engine_version,
        "user": user,
    }
    for _ in range(SLUG_ATTEMPTS - 1):
        try:
            with transaction.atomic():
                return Plan.objects.create(slug=plan_slug_new(), **fields)
        except IntegrityError:
            continue  # slug taken: draw another
    return Plan.objects.create(slug=plan_slug_new(), **fields)
