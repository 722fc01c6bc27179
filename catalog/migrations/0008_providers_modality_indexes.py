"""PostgreSQL only: GIN indexes for the input_modality / output_modality filters
(jsonb containment). SQLite has no GIN; its filter reads the list's text."""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

FIELDS = ("input_modalities", "output_modalities")


def _index(field: str) -> GinIndex:
    return GinIndex(fields=[field], name=f"model_{field}_gin", opclasses=["jsonb_path_ops"])


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for field in FIELDS:
            schema_editor.add_index(apps.get_model("catalog", "Model"), _index(field))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for field in FIELDS:
            schema_editor.remove_index(apps.get_model("catalog", "Model"), _index(field))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0007_bench_read_paths")]

    operations = [migrations.RunPython(forwards, backwards)]
