"""manage.py facts_coverage: parameter counts (and dims, dates) per provenance."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from catalog.services.hub_coverage import facts_coverage_lines


class Command(BaseCommand):
    help = "Print how many Hub models have a parameter count, per provenance."

    def handle(self, *args: object, **opts: object) -> None:
        for line in facts_coverage_lines():
            self.stdout.write(line)
