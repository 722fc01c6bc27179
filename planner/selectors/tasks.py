"""The planner's tasks (wizard task -> catalog Task slugs, offer units, quality index task;
the table is in planner/selectors/__init__.py) and which licenses allow commercial use."""

from __future__ import annotations

from dataclasses import dataclass

from pricing.models import Unit


@dataclass(frozen=True, slots=True)
class TaskSpec:
    slug: str
    label: str
    catalog_tasks: tuple[str, ...]
    units: tuple[str, ...]
    quality_task: str
    tokens: bool = True  # token workloads can be self-hosted with the token estimator


TASKS: dict[str, TaskSpec] = {
    t.slug: t
    for t in (
        TaskSpec(
            "chat",
            "Chat / text generation",
            ("text-generation", "image-text-to-text", "text2text-generation"),
            (Unit.TOKEN,),
            "chat",
        ),
        TaskSpec(
            "code", "Code", ("text-generation", "text2text-generation"), (Unit.TOKEN,), "code"
        ),
        TaskSpec(
            "summarization",
            "Summarization",
            ("summarization", "text-generation", "text2text-generation"),
            (Unit.TOKEN,),
            "chat",
        ),
        TaskSpec(
            "embeddings",
            "Embeddings",
            ("feature-extraction", "sentence-similarity"),
            (Unit.TOKEN,),
            "embeddings",
        ),
        TaskSpec(
            "text-to-image",
            "Text to image",
            ("text-to-image",),
            (Unit.IMAGE,),
            "text-to-image",
            tokens=False,
        ),
        TaskSpec(
            "speech-to-text",
            "Speech to text",
            ("automatic-speech-recognition",),
            (Unit.AUDIO_MINUTE, Unit.AUDIO_SECOND),
            "speech-to-text",
            tokens=False,
        ),
    )
}

# Licenses (Hub license ids) that allow commercial use, possibly with conditions (the
# Llama and Gemma licenses cap very large users or add use policies). Anything else with
# a license is "not known to allow"; API-only (closed) models are commercial services.
COMMERCIAL_LICENSES = frozenset(
    {
        "apache-2.0", "mit", "bsd", "bsd-2-clause", "bsd-3-clause", "bsl-1.0", "isc",
        "mpl-2.0", "unlicense", "cc0-1.0", "cc-by-4.0", "cc-by-sa-4.0", "cc-by-3.0",
        "artistic-2.0", "zlib", "openrail", "openrail++", "creativeml-openrail-m",
        "bigscience-openrail-m", "bigcode-openrail-m", "llama2", "llama3", "llama3.1",
        "llama3.2", "llama3.3", "llama4", "gemma", "deepseek", "openmdw-1.0",
    }
)  # fmt: skip
NON_COMMERCIAL_LICENSES = frozenset(
    {"cc-by-nc-4.0", "cc-by-nc-sa-4.0", "cc-by-nc-nd-4.0", "cc-by-nc-2.0", "cc-by-nc-3.0"}
)


def commercial_ok(*, license: str, open_weights: bool) -> bool | None:
    lic = (license or "").strip().lower()
    if lic in COMMERCIAL_LICENSES:
        return True
    if lic in NON_COMMERCIAL_LICENSES:
        return False
    if not open_weights:
        return True
    return None
