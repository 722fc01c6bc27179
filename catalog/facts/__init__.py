"""Facts of catalog models and where each came from (pure: no Django, no I/O).

`resolve_facts` picks each fact's value from the sources a row has (safetensors,
config, base model, llmfit, family, name); `names` reads sizes, family keys and test
repos from repo names; `shapes` holds the reviewed size and family tables.
"""

from .display import FactLabel, fact_labels, layer_kind_counts
from .names import NameSize, family_key, is_test_repo, params_from_name
from .resolve import (
    DIM_FIELDS,
    HUB_MIGRATION_DAY,
    Dims,
    FactRow,
    Related,
    Resolved,
    quantized,
    resolve_facts,
    safetensors_params,
)
from .shapes import FAMILY_CONFIGS

__all__ = [
    "DIM_FIELDS",
    "FAMILY_CONFIGS",
    "HUB_MIGRATION_DAY",
    "Dims",
    "FactLabel",
    "FactRow",
    "NameSize",
    "Related",
    "Resolved",
    "fact_labels",
    "family_key",
    "is_test_repo",
    "layer_kind_counts",
    "params_from_name",
    "quantized",
    "resolve_facts",
    "safetensors_params",
]
