"""The fact columns of a Hub page, resolved before the page is written (both load paths
write them with the rows: no second UPDATE)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from catalog.services.hub_facts import (
    SOURCE_FIELDS,
    facts_changed,
    fetch_rows,
    resolve_batch,
)
from catalog.services.hub_rows import HubRow, config_dims, config_values, in_values

# A row the catalog does not have yet, before its listing and config are laid over it.
_NEW_ROW: dict[str, Any] = {name: None for name in SOURCE_FIELDS} | {
    "source": "hub",
    "gated": False,
    "tags": [],
    "base_model_repo_id": "",
    "base_model_relation": "",
    "params_by_dtype": {},
    "quant_method": "",
    "llmfit_facts": {},
    "params_source": "",
    "params_estimated": False,
    "dims_source": "",
    "model_type": "",
    "layer_kinds": [],
    "is_test_repo": False,
    "family": "",
    "facts_provenance": {},
}


@dataclass(frozen=True, slots=True)
class PageFacts:
    values: dict[str, dict[str, Any]]  # repo_id -> catalog.services.hub_facts.WRITTEN_FIELDS
    changed_ids: list[int]  # stored rows whose facts change (their derivatives may follow)


def _laid_over(stored: dict[str, Any] | None, row: HubRow) -> dict[str, Any]:
    """The row as it will be stored: its stored columns (or a new row's), with this
    listing's fields and, when config.json was read, the config's."""
    r = row.record
    merged = dict(stored or _NEW_ROW)
    merged.update(
        repo_id=r.repo_id,
        source="hub",
        gated=r.gated,
        tags=list(r.tags),
        base_model_repo_id=r.base_model_repo_id[:200],
        base_model_relation=r.base_model_relation[:20],
        params_by_dtype=r.params_by_dtype,
        hub_created_at=r.created_at,
        hub_modified_at=r.modified_at,
    )
    if row.dims is not None:
        config = config_values(row)
        merged.update(config_dims(row.dims), dims_source="config")
        merged.update(
            config_params_total=config["config_params_total"],
            config_params_active=config["config_params_active"],
            quant_method=config["quant_method"],
        )
    return merged


def page_facts(rows: Sequence[HubRow]) -> PageFacts:
    """Resolve the facts of a page's rows (catalog.facts.resolve_facts) from what the
    page brings and what is stored: the page's stored rows, their base models (in the
    page or stored), family peers and derivatives. At most 4 SELECTs."""
    repo_ids = [row.record.repo_id for row in rows]
    stored = {r["repo_id"]: r for r in fetch_rows(Q(repo_id__in=in_values(repo_ids)))}
    page = {row.record.repo_id: _laid_over(stored.get(row.record.repo_id), row) for row in rows}
    bases = {r["base_model_repo_id"] for r in page.values()} - set(page) - {""}
    others = (
        {r["repo_id"]: r for r in fetch_rows(Q(repo_id__in=in_values(sorted(bases))))}
        if bases
        else {}
    )
    values = resolve_batch(page, others)
    changed = [
        stored[key]["id"]
        for key, facts in values.items()
        if key in stored and facts_changed(stored[key], facts)
    ]
    return PageFacts(values=values, changed_ids=changed)
