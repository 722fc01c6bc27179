"""Write the provider registry into the database and list providers awaiting review.

python manage.py providers_load            # load pricing/data/providers.yaml
python manage.py providers_load --review   # also list the unreviewed providers
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from pricing.models import Provider
from pricing.provider_registry import RegistryError
from pricing.services.providers import providers_load


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser) -> None:
        parser.add_argument("--review", action="store_true", help="list unreviewed providers")

    def handle(self, *args, review: bool = False, **options) -> None:
        try:
            out = providers_load()
        except RegistryError as exc:
            raise CommandError("\n".join(exc.lines)) from exc
        self.stdout.write(
            f"providers: created={out.created} updated={out.updated} unchanged={out.unchanged} "
            f"aliases={out.aliases} moved_rows={out.moved} removed={out.removed}"
        )
        for line in out.errors:
            self.stderr.write(line)
        if review:
            for slug, name in Provider.objects.filter(reviewed=False).values_list("slug", "name"):
                self.stdout.write(f"unreviewed: {slug} ({name})")
