"""Print how well offers are linked to models (see pricing.linking_selectors)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from pricing.linking_selectors import linking_report


class Command(BaseCommand):
    help = "Offers linked to their Hub repo, offers parked, duplicate feed models."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--samples", type=int, default=0, help="print N examples of each")

    def handle(self, *args: object, **opts: object) -> None:
        n = int(opts["samples"] or 0)
        report = linking_report(samples=n)
        for line in report.lines():
            self.stdout.write(line)
        if n:
            self.stdout.write("not linked to their Hub repo (examples):")
            for line in report.not_hub_linked[:n]:
                self.stdout.write(f"  {line}")
            self.stdout.write("duplicate feed models (examples):")
            for repo, target in report.duplicates[:n]:
                self.stdout.write(f"  {repo} -> {target}")
