"""Provider registry: the old `kind` (api / cloud) becomes `service`; `kind` now says what
kind of seller a provider is; aliases, review flag, links and per-field sources."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

KINDS = [
    ("first_party", "First-party lab"),
    ("hyperscaler", "Hyperscaler cloud"),
    ("inference_host", "Inference host"),
    ("gpu_cloud", "GPU cloud"),
    ("router", "Router / aggregator"),
    ("gateway", "Gateway / reseller"),
    ("free_tier", "Free tier"),
    ("subscription", "Subscription / coding plan"),
    ("tool", "Tool API (search, scraping)"),
    ("local", "Local runtime"),
    ("unknown", "Not reviewed yet"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("pricing", "0003_practice_subscriptions_price_watch"),
    ]

    operations = [
        migrations.RenameField(model_name="provider", old_name="kind", new_name="service"),
        migrations.AlterField(
            model_name="provider",
            name="service",
            field=models.CharField(
                choices=[("api", "API provider"), ("cloud", "Cloud / GPU host")],
                default="api",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="provider",
            name="kind",
            field=models.CharField(choices=KINDS, default="unknown", max_length=20),
        ),
        migrations.AddField(
            model_name="provider",
            name="pricing_url",
            field=models.URLField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name="provider",
            name="docs_url",
            field=models.URLField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name="provider",
            name="upstream",
            field=models.CharField(blank=True, max_length=80),
        ),
        migrations.AddField(
            model_name="provider",
            name="reviewed",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="provider",
            name="sources",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="provider",
            name="note",
            field=models.TextField(blank=True),
        ),
        migrations.AddIndex(
            model_name="provider",
            index=models.Index(fields=["kind", "slug"], name="provider_kind_slug"),
        ),
        migrations.CreateModel(
            name="ProviderAlias",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("alias", models.CharField(max_length=200)),
                ("scope", models.CharField(blank=True, max_length=80)),
                ("source", models.CharField(blank=True, max_length=200)),
                (
                    "provider",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="aliases",
                        to="pricing.provider",
                    ),
                ),
            ],
            options={
                "ordering": ["alias", "scope"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("scope", "alias"), name="provideralias_scope_alias"
                    )
                ],
            },
        ),
    ]
