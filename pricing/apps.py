from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PricingConfig(AppConfig):
    name = "pricing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_registry_load, sender=self)


def _registry_load(sender, using="default", **kwargs) -> None:
    """`migrate` on a database that already has providers writes the provider registry
    (pricing/data/providers.yaml) and re-homes rows filed under old slugs. A fresh
    database is left empty, so `load_snapshot --if-empty` still loads the demo (whose
    snapshot carries the registry); `manage.py providers_load` loads it by hand. Test
    databases skip it unless ATLAS_PROVIDERS_AUTOLOAD is set."""
    from django.conf import settings

    if settings.TESTING and not getattr(settings, "ATLAS_PROVIDERS_AUTOLOAD", False):
        return
    if using != "default":
        return
    from pricing.models import Provider
    from pricing.services.providers import providers_load

    if Provider.objects.exists():
        providers_load()
