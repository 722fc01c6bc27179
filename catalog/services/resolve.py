"""Resolve a model name a client sent (a body field, a path) to a catalog row.

    model = model_resolve(name="Qwen/Qwen2.5-7B-Instruct", field="model")

The catalog's repo id (exact, then case-insensitive), then a feed alias (`ModelAlias`,
any source), then the Hub (`hub_fetch.model_get_or_fetch`: "owner/name" shapes only,
queued and rate-limited). A miss is a 400 naming `field` in a body, a 404 in a path
(`in_path=True`); accelerators: benchmarks.services.accelerators.accelerator_resolve.
"""

from __future__ import annotations

from catalog.models import Model, ModelAlias
from catalog.services.hub_fetch import ModelNotOnHub, model_get_or_fetch
from config.errors import unknown_name


def model_resolve(*, name: str, field: str = "model", in_path: bool = False) -> Model:
    name = (name or "").strip()
    if not name:
        raise unknown_name("model", name, field=field, in_path=in_path)
    found = (
        Model.objects.filter(repo_id=name).first()
        or Model.objects.filter(repo_id__iexact=name).first()
    )
    if found is None:
        alias = ModelAlias.objects.filter(alias=name).select_related("model").first()
        found = alias.model if alias is not None else None
    if found is not None:
        return found
    try:
        return model_get_or_fetch(repo_id=name)
    except ModelNotOnHub as exc:
        raise unknown_name("model", name, field=field, in_path=in_path) from exc
