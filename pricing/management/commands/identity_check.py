"""Checks on a built database (e.g. the demo snapshot loaded by `load_snapshot`):

    python manage.py identity_check

Prints the provider count (reviewed / unreviewed), providers that look like duplicates
(two providers whose display names normalize alike) and the priced models without a
task. Exits non-zero when a priced model has no task or a duplicate is found.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError

from pricing.models import Provider
from pricing.provider_registry import alias_key
from pricing.services.model_tasks import priced_models_without_task


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options) -> None:
        rows = list(Provider.objects.values_list("slug", "name", "reviewed"))
        by_name: dict[str, list[str]] = defaultdict(list)
        for slug, name, _ in rows:
            by_name[alias_key(name)].append(slug)
        duplicates = {k: v for k, v in by_name.items() if len(v) > 1}
        unreviewed = [slug for slug, _, reviewed in rows if not reviewed]
        no_task = priced_models_without_task()
        self.stdout.write(
            f"providers: {len(rows)} ({len(rows) - len(unreviewed)} reviewed, "
            f"{len(unreviewed)} unreviewed)"
        )
        for slug in unreviewed:
            self.stdout.write(f"  unreviewed: {slug}")
        self.stdout.write(f"provider duplicates (same normalized name): {len(duplicates)}")
        for slugs in duplicates.values():
            self.stdout.write(f"  duplicate: {', '.join(slugs)}")
        self.stdout.write(f"priced models without a task: {len(no_task)}")
        for repo_id in no_task[:50]:
            self.stdout.write(f"  no task: {repo_id}")
        if no_task or duplicates:
            raise CommandError("identity check failed")
