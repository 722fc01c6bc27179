"""manage.py resolve_facts: re-resolve every Hub model's facts (after a rules change)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from catalog.services.hub_facts import models_facts_resolve_all


class Command(BaseCommand):
    help = "Resolve the parameters, dims and dates of every Hub model from their sources."

    def handle(self, *args: object, **opts: object) -> None:
        written = models_facts_resolve_all()
        self.stdout.write(f"facts resolved: {written} rows changed")
