"""The leaderboards each source publishes, with licence and attribution (pure data)."""

from __future__ import annotations

from quality.feeds import BoardSpec

_LMARENA_ATTR = (
    "Scores from LMArena (lmarena.ai, formerly LMSYS Chatbot Arena), github.com/lmarena/"
    "arena-catalog. Public facts with attribution; no licence file, raw files not redistributed."
)
_LIVEBENCH_ATTR = (
    "Scores from LiveBench (livebench.ai; White et al., 2024). Site data has no explicit "
    "licence; raw files not redistributed."
)
_AIDER_ATTR = "Aider LLM leaderboards by Paul Gauthier / Aider-AI (Apache-2.0)."
_MTEB_ATTR = "MTEB(eng, v2) results, github.com/embeddings-benchmark/results (CC0-1.0)."
_ASR_ATTR = (
    "Open ASR Leaderboard, Hugging Face Audio "
    "(github.com/huggingface/open_asr_leaderboard, Apache-2.0)."
)


def _arena(slug: str, name: str, task: str, description: str) -> BoardSpec:
    return BoardSpec(
        slug=slug,
        name=name,
        source="lmarena",
        task=task,
        metric="arena_score",
        unit="Elo",
        higher_is_better=True,
        source_url="https://lmarena.ai/leaderboard",
        licence="not stated (public facts, attribute LMArena)",
        attribution=_LMARENA_ATTR,
        redistributable=False,
        description=description,
    )


BOARDS: dict[str, BoardSpec] = {
    b.slug: b
    for b in (
        _arena("lmarena-text", "LMArena Text", "chat", "Bradley-Terry score, 95% bootstrap CI"),
        _arena(
            "lmarena-text-style-control",
            "LMArena Text (style control)",
            "chat",
            "Style-controlled scores: the default view on lmarena.ai",
        ),
        _arena("lmarena-vision", "LMArena Vision", "vision", "Image-understanding prompts"),
        _arena(
            "lmarena-vision-style-control",
            "LMArena Vision (style control)",
            "vision",
            "Style-controlled vision scores",
        ),
        _arena("lmarena-image", "LMArena Text-to-Image", "text-to-image", "Image generation"),
        BoardSpec(
            slug="livebench",
            name="LiveBench",
            source="livebench",
            task="chat",
            metric="score",
            unit="%",
            higher_is_better=True,
            source_url="https://livebench.ai",
            licence="not stated (benchmark code Apache-2.0)",
            attribution=_LIVEBENCH_ATTR,
            redistributable=False,
            description=(
                "Global average = mean of category means; categories and tasks 0-100. "
                "Interval: 95%, from the spread of the model's task scores around each "
                "task's mean (computed by Model Atlas; LiveBench publishes none)"
            ),
        ),
        BoardSpec(
            slug="aider-polyglot",
            name="Aider polyglot",
            source="aider",
            task="code",
            metric="pass_rate_2",
            unit="%",
            higher_is_better=True,
            source_url="https://aider.chat/docs/leaderboards/",
            licence="Apache-2.0",
            attribution=_AIDER_ATTR,
            redistributable=True,
            description=(
                "% of 225 exercises solved after one retry; total USD cost per run. Interval: "
                "95% Wilson score interval over the run's exercises (computed by Model Atlas; "
                "Aider publishes none)"
            ),
        ),
        BoardSpec(
            slug="mteb-eng-v2",
            name="MTEB (English, v2)",
            source="mteb",
            task="embeddings",
            metric="mean_task",
            unit="%",
            higher_is_better=True,
            source_url="https://huggingface.co/spaces/mteb/leaderboard",
            licence="CC0-1.0",
            attribution=_MTEB_ATTR,
            redistributable=True,
            description=(
                "Mean main_score over 41 tasks (x100); per task type means. Interval: 95%, "
                "from the spread of the model's task scores around each task's mean "
                "(computed by Model Atlas; MTEB publishes none)"
            ),
        ),
        BoardSpec(
            slug="open-asr-en",
            name="Open ASR (English short-form)",
            source="open_asr",
            task="speech-to-text",
            metric="wer",
            unit="%",
            higher_is_better=False,
            source_url="https://huggingface.co/spaces/hf-audio/open_asr_leaderboard",
            licence="Apache-2.0",
            attribution=_ASR_ATTR,
            redistributable=True,
            description=(
                "Word error rate % (avg of 8 English sets, lower is better) and RTFx. "
                "Interval: 95%, from the spread of the model's per-set WERs around each "
                "set's mean (computed by Model Atlas; the board publishes none)"
            ),
        ),
    )
}

SOURCES = ("lmarena", "livebench", "aider", "mteb", "open_asr")


def boards_for_source(source: str) -> list[BoardSpec]:
    return [b for b in BOARDS.values() if b.source == source]
