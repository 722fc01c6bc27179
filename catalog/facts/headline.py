"""The model page's header: the facts people look for first, each with where it came
from, and "unknown" with a reason where we have no value — never 0 (pure).

Params and active params, context, license, release date, modalities come from the model
(and its facts' provenance, catalog.facts.display); where the catalog lacks one, a weaker
source may stand in, labelled as such: the size the repo name states, the longest context
a provider's offer states, the Hub repo's creation date. Price range and quality come from
the pricing and quality apps through the page hooks (`price_range`, `quality_headline`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from catalog.facts.display import FactLabel
from catalog.facts.names import params_from_name
from catalog.formatting import params_text, tokens_text


@dataclass(frozen=True, slots=True)
class HeadFact:
    label: str
    value: str  # "" when unknown
    source: str = ""  # short provenance shown after the value
    title: str = ""  # tooltip: longer provenance, or why it is unknown
    reason: str = ""  # why unknown (shown in place of a value)

    @property
    def known(self) -> bool:
        return bool(self.value)


def _fact(label: str, value: str, fact: FactLabel | None) -> HeadFact:
    return HeadFact(label, value, fact.text if fact else "", fact.title if fact else "")


def params_facts(model: Any, facts: dict[str, FactLabel]) -> list[HeadFact]:
    """Total and active parameters (recorded, else from the name, approximate)."""
    total, active = model.params_total, model.params_active
    named = None if total else params_from_name(model.repo_id)
    if total:
        head = _fact("Parameters", params_text(total), facts.get("params_total"))
    elif named:
        head = HeadFact(
            "Parameters",
            f"≈{params_text(named.total)}",
            "from name, approximate",
            f"Read from the repo name ({named.detail}): approximate",
        )
        active = active or named.active
    else:
        head = HeadFact("Parameters", "", reason="no weights, config or name states it")
    if active and (total or named) and active != (total or named.total):
        source = facts.get("params_active")
        tail = _fact("Active per token", params_text(active), source)
        if not total and not source:
            tail = HeadFact("Active per token", f"≈{params_text(active)}", "from name, approximate")
    elif total and model.num_layers and not model.num_experts:
        tail = HeadFact("Active per token", "all", "dense")
    elif model.num_experts:
        tail = HeadFact("Active per token", "", reason="a mixture of experts; share unknown")
    elif total or named:
        tail = HeadFact("Active per token", "", reason="no config tells dense from MoE")
    else:
        tail = HeadFact("Active per token", "", reason="size unknown")
    return [head, tail]


def context_fact(model: Any, facts: dict[str, FactLabel], offer_context: int | None) -> HeadFact:
    if model.context_tokens:
        return _fact(
            "Context", f"{tokens_text(model.context_tokens)} tokens", facts.get("context_tokens")
        )
    if offer_context:
        return HeadFact(
            "Context",
            f"{tokens_text(offer_context)} tokens",
            "stated by a provider",
            "The longest context a current provider offer states",
        )
    return HeadFact("Context", "", reason="no config or offer states it")


def license_fact(model: Any) -> HeadFact:
    if model.license:
        return HeadFact("License", model.license)
    if not model.open_weights:
        return HeadFact(
            "License",
            "proprietary",
            "API terms",
            "No weights published: use is governed by the provider's terms",
        )
    return HeadFact("License", "", reason="no licence recorded from the Hub")


def release_fact(model: Any, facts: dict[str, FactLabel]) -> HeadFact:
    if model.release_date:
        return _fact("Released", model.release_date.isoformat(), facts.get("release_date"))
    created = model.hub_created_at
    if isinstance(created, dt.datetime):
        return HeadFact(
            "Released",
            created.date().isoformat(),
            "Hub repo created",
            "No release date recorded: the day the Hub repo was created",
        )
    return HeadFact("Released", "", reason="no date recorded")


def modalities_fact(model: Any) -> HeadFact:
    ins, outs = list(model.input_modalities or ()), list(model.output_modalities or ())
    if ins or outs:
        text = f"{', '.join(ins) or '?'} → {', '.join(outs) or '?'}"
        return HeadFact("Modalities", text)
    if model.task_id and model.task:
        return HeadFact(
            "Modalities",
            model.task.name,
            "from task",
            "No modalities recorded: the task says what goes in and out",
        )
    return HeadFact("Modalities", "", reason="no task or modalities recorded")


def headline_facts(
    model: Any, facts: dict[str, FactLabel], *, offer_context: int | None = None
) -> list[HeadFact]:
    """The header's catalog facts in display order."""
    return [
        *params_facts(model, facts),
        context_fact(model, facts, offer_context),
        license_fact(model),
        release_fact(model, facts),
        modalities_fact(model),
    ]
