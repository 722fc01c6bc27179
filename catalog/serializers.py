"""Catalog API serializers: output shapes of models, tasks, organizations, feeds and runs
(thin: no queries; the list's fast path reads `.values()` rows)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db.models import F, QuerySet
from rest_framework import serializers

from catalog.filters import MODEL_ANNOTATED_KEYS
from catalog.models import Feed, FeedRun, Model, ModelAlias, Organization, Task


# --- Serializers -----------------------------------------------------------------------
class ModelListOut(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    task = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Model
        fields = [
            "repo_id",
            "name",
            "organization",
            "task",
            "source",
            "family",
            "library",
            "license",
            "open_weights",
            "gated",
            "downloads",
            "likes",
            "params_total",
            "params_active",
            "params_source",
            "context_tokens",
            "hub_modified_at",
            "tags",
            "input_modalities",
            "output_modalities",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "params_source": {
                "help_text": "Where params_total came from: safetensors, config, base_model, "
                "llmfit, name (approximate), manual; empty when unknown."
            }
        }

    def to_representation(self, instance: Model | dict[str, Any]) -> dict[str, Any]:
        """Fast path for lists of up to 200 rows: the list reads `.values()` rows (no
        model instances) and builds the dict directly, ~10x cheaper than DRF's per-field
        machinery. Same output as the generic path for instances too (tested)."""
        row = instance if isinstance(instance, dict) else _model_row(instance)
        return {
            "repo_id": row["repo_id"],
            "name": row["name"],
            "organization": row["organization_slug"],
            "task": row["task_slug"],
            "source": row["source"],
            "family": row["family"],
            "library": row["library"],
            "license": row["license"],
            "open_weights": row["open_weights"],
            "gated": row["gated"],
            "downloads": row["downloads"],
            "likes": row["likes"],
            "params_total": row["params_total"],
            "params_active": row["params_active"],
            "params_source": row["params_source"],
            "context_tokens": row["context_tokens"],
            "hub_modified_at": _iso(row["hub_modified_at"]),
            "tags": [str(tag) for tag in row["tags"]],
            "input_modalities": list(row["input_modalities"] or []),
            "output_modalities": list(row["output_modalities"] or []),
        }


MODEL_LIST_VALUES = [
    "id",
    *(f for f in ModelListOut.Meta.fields if f not in ("organization", "task")),
    # keyset keys of the cheapest / quality orderings (read for the cursor, not shown)
    "cheapest_usd_per_mtok_blended",
    "quality_index_best",
]


def model_list_values(queryset: QuerySet[Model]) -> QuerySet:
    """The list's rows as dicts: the columns ModelListOut shows plus id and, when ordered
    by a cross-app key (cheapest, quality), that annotation (the keyset)."""
    keys = [k for k in MODEL_ANNOTATED_KEYS if k in queryset.query.annotations]
    return queryset.values(
        *MODEL_LIST_VALUES,
        *keys,
        organization_slug=F("organization__slug"),
        task_slug=F("task__slug"),
    )


def _model_row(instance: Model) -> dict[str, Any]:
    row = {name: getattr(instance, name) for name in MODEL_LIST_VALUES}
    row["organization_slug"] = instance.organization.slug if instance.organization_id else None
    row["task_slug"] = instance.task.slug if instance.task_id else None
    return row


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class ModelAliasOut(serializers.ModelSerializer):
    class Meta:
        model = ModelAlias
        fields = ["source", "alias", "rule"]
        read_only_fields = fields


class FactProvenanceOut(serializers.Serializer):
    source = serializers.CharField(
        help_text="safetensors, config, base_model, family, llmfit, name, feed, manual, hub"
    )
    detail = serializers.CharField(required=False, help_text="e.g. the base model's repo id")
    as_of = serializers.CharField(required=False, help_text="date the source stated it")


class ModelDetailOut(ModelListOut):
    base_model = serializers.SlugRelatedField(slug_field="repo_id", read_only=True, allow_null=True)
    languages = serializers.ListField(child=serializers.CharField(), read_only=True)
    architectures = serializers.ListField(child=serializers.CharField(), read_only=True)
    params_by_dtype = serializers.DictField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="Parameter count per stored dtype (safetensors metadata), "
        'e.g. {"BF16": 8030261248}.',
    )
    aliases = ModelAliasOut(many=True, read_only=True)
    layer_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=["full", "sliding", "chunked", "linear"]),
        read_only=True,
        help_text="Attention kind of each layer: full, sliding (window sliding_window), chunked "
        "(chunks of attention_chunk_tokens) or linear (state space / linear attention: no "
        "growing KV cache). Empty: unknown.",
    )
    facts_provenance = serializers.DictField(
        child=FactProvenanceOut(),
        read_only=True,
        help_text="Where each fact came from, by fact: params_total, params_active, dims, "
        "context_tokens, release_date.",
    )

    to_representation = serializers.ModelSerializer.to_representation

    class Meta(ModelListOut.Meta):
        fields = [
            *ModelListOut.Meta.fields,
            "description",
            "languages",
            "gated_mode",
            "hub_created_at",
            "sha",
            "base_model",
            "base_model_repo_id",
            "base_model_relation",
            "params_by_dtype",
            "model_type",
            "architectures",
            "num_layers",
            "hidden_size",
            "num_heads",
            "num_kv_heads",
            "head_dim",
            "intermediate_size",
            "vocab_size",
            "num_experts",
            "experts_per_token",
            "kv_lora_rank",
            "qk_rope_head_dim",
            "sliding_window",
            "attention_chunk_tokens",
            "layer_kinds",
            "dims_source",
            "quant_method",
            "config_dtype",
            "release_date",
            "is_test_repo",
            "facts_provenance",
            "aliases",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class TaskOut(serializers.ModelSerializer):
    model_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Task
        fields = ["slug", "name", "category", "model_count"]
        read_only_fields = fields


class OrganizationOut(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["slug", "name", "homepage"]
        read_only_fields = fields


class FeedRunOut(serializers.ModelSerializer):
    feed = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    duration_s = serializers.FloatField(read_only=True, allow_null=True)
    errors = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = FeedRun
        fields = [
            "id",
            "feed",
            "status",
            "started_at",
            "finished_at",
            "duration_s",
            "created",
            "updated",
            "unchanged",
            "closed",
            "rejected",
            "failed",
            "errors",
        ]
        read_only_fields = fields


class FeedOut(serializers.ModelSerializer):
    last_good_run_finished_at = serializers.DateTimeField(
        source="last_good_run.finished_at", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Feed
        fields = [
            "slug",
            "name",
            "kind",
            "format",
            "url",
            "schedule",
            "enabled",
            "last_good_run_finished_at",
            "updated_at",
        ]
        read_only_fields = fields
