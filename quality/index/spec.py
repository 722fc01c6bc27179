"""Which board views make each task's scale, and which views define its dominance order."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Component:
    """One view of a board: a metric in one category ("" = the board's overall value)."""

    board: str
    metric: str
    category: str = ""
    higher_is_better: bool = True
    min_samples: int | None = None  # MTEB: only rows run on every task of the benchmark

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.board, self.metric, self.category)


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """`fit`: the views put on the task's scale. `boards`: the task's own leaderboards
    (headline metric, overall), the views of the dominance order: a model that beats
    another on every one of them both appear on, by more than their stated intervals,
    ranks higher. Other boards' categories (LMArena's "coding") place models on the
    scale but are not boards of the task. Empty `boards`: the fitted views."""

    fit: tuple[Component, ...]
    boards: tuple[Component, ...] = ()

    def order_views(self) -> tuple[Component, ...]:
        return self.boards or self.fit

    def components(self) -> tuple[Component, ...]:
        """Every distinct view the task reads (fitted views first)."""
        seen: dict[tuple[str, str, str], Component] = {}
        for c in (*self.fit, *self.order_views()):
            seen.setdefault(c.key, c)
        return tuple(seen.values())


_ARENA_SC = Component("lmarena-text-style-control", "arena_score")
_LIVEBENCH = Component("livebench", "score")
_AIDER = Component("aider-polyglot", "pass_rate_2")
_VISION_SC = Component("lmarena-vision-style-control", "arena_score")

TASKS: dict[str, TaskSpec] = {
    "chat": TaskSpec(
        fit=(_ARENA_SC, _LIVEBENCH),
        boards=(Component("lmarena-text", "arena_score"), _ARENA_SC, _LIVEBENCH),
    ),
    "code": TaskSpec(
        fit=(
            Component("lmarena-text-style-control", "arena_score", "coding"),
            _AIDER,
            Component("livebench", "score", "Coding"),
        ),
        boards=(_AIDER,),
    ),
    "vision": TaskSpec(
        fit=(_VISION_SC,), boards=(Component("lmarena-vision", "arena_score"), _VISION_SC)
    ),
    "embeddings": TaskSpec(fit=(Component("mteb-eng-v2", "mean_task", min_samples=41),)),
    "speech-to-text": TaskSpec(fit=(Component("open-asr-en", "wer", higher_is_better=False),)),
    "text-to-image": TaskSpec(fit=(Component("lmarena-image", "arena_score"),)),
}

# Catalog task (Hub pipeline tag) -> the quality tasks that could place its models: a
# model of that task without a score there has unknown quality on those tasks.
QUALITY_TASKS_FOR_CATALOG_TASK: dict[str, tuple[str, ...]] = {
    "text-generation": ("chat", "code"),
    "image-text-to-text": ("vision",),
    "feature-extraction": ("embeddings",),
    "sentence-similarity": ("embeddings",),
    "automatic-speech-recognition": ("speech-to-text",),
    "text-to-image": ("text-to-image",),
}
