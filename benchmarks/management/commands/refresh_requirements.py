from django.core.management.base import BaseCommand

from benchmarks.services import model_requirements_refresh


class Command(BaseCommand):
    help = "Recompute every model's memory requirement rows (the catalog `fits` filter)."

    def handle(self, *args: object, **options: object) -> None:
        rows = model_requirements_refresh()
        self.stdout.write(f"model requirements: rows={rows}")
