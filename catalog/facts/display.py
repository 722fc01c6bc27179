"""Labels for where a model's facts came from, as the model page shows them (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SOURCE_LABELS = {
    "safetensors": ("safetensors", "Counted by the Hub from the safetensors weight files"),
    "config": ("config.json", "Computed from the repo's config.json"),
    "base_model": ("base model", "Taken from the model it was derived from"),
    "family": ("family", "Taken from a model of the same family"),
    "llmfit": ("llmfit", "From llmfit's Hub model catalog (secondary source)"),
    "name": ("from name, approximate", "Read from the repo name: approximate"),
    "feed": ("feed", "Stated by a provider feed"),
    "manual": ("curated", "Set by hand"),
    "hub": ("Hub", "The repo's creation date on the Hub"),
}
FACTS = ("params_total", "params_active", "dims", "context_tokens", "release_date")


@dataclass(frozen=True, slots=True)
class FactLabel:
    text: str  # short label shown next to the value
    title: str  # longer explanation (tooltip): source, detail, date


def fact_labels(provenance: dict[str, Any]) -> dict[str, FactLabel]:
    """{fact: label} for the facts whose provenance is recorded; a fact without an
    entry is unknown (the page shows "—", never 0)."""
    labels: dict[str, FactLabel] = {}
    for name in FACTS:
        entry = provenance.get(name)
        if not isinstance(entry, dict) or not entry.get("source"):
            continue
        source = str(entry["source"])
        text, title = SOURCE_LABELS.get(source, (source, source))
        extra = [str(entry[k]) for k in ("detail", "as_of") if entry.get(k)]
        if extra:
            title = f"{title} ({'; '.join(extra)})"
        labels[name] = FactLabel(text=text, title=title)
    return labels


KIND_NAMES = {"full": "full attention", "sliding": "sliding window", "chunked": "chunked",
              "linear": "linear / state space"}  # fmt: skip


def layer_kind_counts(kinds: list[str] | tuple[str, ...]) -> list[tuple[str, int]]:
    """[("sliding window", 21), ("full attention", 21)] in order of first appearance;
    empty when the kinds are unknown or all layers are full attention."""
    counts: dict[str, int] = {}
    for kind in kinds:
        counts[kind] = counts.get(kind, 0) + 1
    if set(counts) <= {"full"}:
        return []
    return [(KIND_NAMES.get(kind, kind), n) for kind, n in counts.items()]
