"""Fill in parameter counts the Hub did not give, from the config dims we have."""

from __future__ import annotations

from django.db import transaction

from catalog.models import Model
from catalog.param_count import DenseDims, estimate_dense_params

DIM_FIELDS = (
    "model_type",
    "num_layers",
    "hidden_size",
    "num_heads",
    "num_kv_heads",
    "head_dim",
    "intermediate_size",
    "vocab_size",
    "num_experts",
)


@transaction.atomic
def models_params_estimate_fill(*, batch_size: int = 1000) -> int:
    """Set params_total (flagged `params_estimated`) for dense models that lack it.

    Only rows with no count at all are touched: a safetensors total from the Hub always
    wins, and a later sync that brings one overwrites the estimate. Idempotent: a second
    call finds nothing to fill. Returns the number of models filled.
    """
    rows = Model.objects.filter(params_total__isnull=True, num_layers__isnull=False).only(
        "id", *DIM_FIELDS
    )
    changed: list[Model] = []
    for model in rows.iterator(chunk_size=batch_size):
        total = estimate_dense_params(
            DenseDims(**{name: getattr(model, name) for name in DIM_FIELDS})
        )
        if total:
            model.params_total = total
            model.params_estimated = True
            changed.append(model)
    Model.objects.bulk_update(changed, ["params_total", "params_estimated"], batch_size=batch_size)
    return len(changed)
