"""A priced model's task and modalities from what its feeds say (pure: no Django).

Feeds state the kind of model in three shapes:
- LiteLLM `mode`: chat, embedding, image_generation, audio_transcription, audio_speech,
  rerank, moderation, video_generation, ocr, ...
- OpenRouter / models.dev "inputs->outputs": "text+image->text", "text->embeddings",
  "audio->transcription", "text->speech", "text+image->video", "text+image->" (outputs
  unstated: text);
- nothing (genai-prices): the unit decides (per 1M tokens is text generation, per image
  is image generation, per audio second is transcription, per character is speech...).

`guess(mode, unit)` answers one offer; `decide(guesses)` picks a model's task from all of
its offers: the most specific statement wins over the unit-only fallback.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

TEXT_GENERATION = "text-generation"
EMBEDDING = "feature-extraction"
IMAGE_GENERATION = "text-to-image"
IMAGE_EDIT = "image-to-image"
TRANSCRIPTION = "automatic-speech-recognition"
SPEECH = "text-to-speech"
RERANK = "text-ranking"
MODERATION = "text-classification"
VIDEO = "text-to-video"
OCR = "image-to-text"
WEB_SEARCH = "web-search"  # search APIs LiteLLM prices per request (tools, not models)
RETRIEVAL = "retrieval"  # managed vector-store / search-index APIs

# task -> (human name, category) for tasks the Hub list may lack
TASK_NAMES = {
    RERANK: ("Reranking", "text"),
    WEB_SEARCH: ("Web search", "tool"),
    RETRIEVAL: ("Retrieval", "tool"),
}

LITELLM_MODES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "chat": (TEXT_GENERATION, ("text",), ("text",)),
    "completion": (TEXT_GENERATION, ("text",), ("text",)),
    "responses": (TEXT_GENERATION, ("text",), ("text",)),
    "realtime": (TEXT_GENERATION, ("text", "audio"), ("text", "audio")),
    "embedding": (EMBEDDING, ("text",), ("embedding",)),
    "image_generation": (IMAGE_GENERATION, ("text",), ("image",)),
    "image_edit": (IMAGE_EDIT, ("text", "image"), ("image",)),
    "audio_transcription": (TRANSCRIPTION, ("audio",), ("text",)),
    "audio_speech": (SPEECH, ("text",), ("audio",)),
    "rerank": (RERANK, ("text",), ("score",)),
    "moderation": (MODERATION, ("text",), ("label",)),
    "video_generation": (VIDEO, ("text",), ("video",)),
    "ocr": (OCR, ("image", "pdf"), ("text",)),
    "search": (WEB_SEARCH, ("text",), ("text",)),
    "vector_store": (RETRIEVAL, ("text",), ("text",)),
}
# unit -> the task a price in that unit implies when the feed states no mode
UNIT_TASKS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "token": (TEXT_GENERATION, ("text",), ("text",)),
    "image": (IMAGE_GENERATION, ("text",), ("image",)),
    "audio_second": (TRANSCRIPTION, ("audio",), ("text",)),
    "audio_minute": (TRANSCRIPTION, ("audio",), ("text",)),
    "character": (SPEECH, ("text",), ("audio",)),
    "video_second": (VIDEO, ("text",), ("video",)),
    "page": (OCR, ("image", "pdf"), ("text",)),
}
# modality words of the arrow form -> the catalog's modality names
MODALITY_WORDS = {
    "text": "text",
    "image": "image",
    "images": "image",
    "audio": "audio",
    "speech": "audio",
    "video": "video",
    "file": "pdf",
    "pdf": "pdf",
    "embeddings": "embedding",
    "embedding": "embedding",
    "transcription": "text",
    "rerank": "score",
}
MODALITY_ORDER = ("text", "image", "audio", "video", "pdf", "embedding", "score", "label")
# Hub pipeline tag -> modalities, for models whose feeds say nothing about them
TASK_MODALITIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    TEXT_GENERATION: (("text",), ("text",)),
    "text2text-generation": (("text",), ("text",)),
    "image-text-to-text": (("text", "image"), ("text",)),
    "visual-question-answering": (("text", "image"), ("text",)),
    "any-to-any": (("text", "image", "audio"), ("text", "image", "audio")),
    EMBEDDING: (("text",), ("embedding",)),
    "sentence-similarity": (("text",), ("embedding",)),
    IMAGE_GENERATION: (("text",), ("image",)),
    IMAGE_EDIT: (("text", "image"), ("image",)),
    TRANSCRIPTION: (("audio",), ("text",)),
    SPEECH: (("text",), ("audio",)),
    "text-to-audio": (("text",), ("audio",)),
    RERANK: (("text",), ("score",)),
    MODERATION: (("text",), ("label",)),
    VIDEO: (("text",), ("video",)),
    OCR: (("image",), ("text",)),
    "summarization": (("text",), ("text",)),
    "translation": (("text",), ("text",)),
    "question-answering": (("text",), ("text",)),
    "table-question-answering": (("text",), ("text",)),
    "fill-mask": (("text",), ("text",)),
    "token-classification": (("text",), ("label",)),
    "zero-shot-classification": (("text",), ("label",)),
    "document-question-answering": (("text", "image", "pdf"), ("text",)),
    "image-classification": (("image",), ("label",)),
    "zero-shot-image-classification": (("image", "text"), ("label",)),
    "object-detection": (("image",), ("label",)),
    "image-segmentation": (("image",), ("image",)),
    "depth-estimation": (("image",), ("image",)),
    "image-feature-extraction": (("image",), ("embedding",)),
    "audio-classification": (("audio",), ("label",)),
    "audio-to-audio": (("audio",), ("audio",)),
    "image-to-video": (("image",), ("video",)),
}


@dataclass(frozen=True, slots=True)
class TaskGuess:
    task: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    stated: bool  # the feed stated a mode (False: inferred from the price unit)


def _ordered(words: Iterable[str]) -> tuple[str, ...]:
    found = {MODALITY_WORDS.get(w.strip().lower(), "") for w in words}
    return tuple(m for m in MODALITY_ORDER if m in found)


def guess(mode: str, unit: str) -> TaskGuess | None:
    """The task and modalities one offer implies; None when nothing does."""
    mode = (mode or "").strip()
    if mode in LITELLM_MODES:
        task, i, o = LITELLM_MODES[mode]
        return TaskGuess(task, i, o, True)
    if "->" in mode:
        left, _, right = mode.partition("->")
        words_out = [w.strip().lower() for w in right.split("+") if w.strip()]
        inputs = _ordered(left.split("+")) or ("text",)
        outputs = _ordered(words_out) or ("text",)
        return TaskGuess(_arrow_task(inputs, outputs, words_out), inputs, outputs, True)
    if unit in UNIT_TASKS:
        task, i, o = UNIT_TASKS[unit]
        return TaskGuess(task, i, o, False)
    return None


def _arrow_task(inputs: tuple[str, ...], outputs: tuple[str, ...], words: list[str]) -> str:
    if "embedding" in outputs:
        return EMBEDDING
    if "score" in outputs:
        return RERANK
    if "transcription" in words or (inputs == ("audio",) and outputs == ("text",)):
        return TRANSCRIPTION
    if "text" in outputs:
        return TEXT_GENERATION  # chat, whatever else it reads or writes besides text
    if "video" in outputs:
        return VIDEO
    if "image" in outputs:
        return IMAGE_EDIT if "text" not in inputs else IMAGE_GENERATION
    if "audio" in outputs:
        return SPEECH
    return TEXT_GENERATION


def decide(guesses: Iterable[TaskGuess | None]) -> TaskGuess | None:
    """One model's task from its offers' guesses: stated modes outvote unit fallbacks;
    among stated ones the most common task wins (ties: text generation first), and the
    modalities are the union of those offers'."""
    known = [g for g in guesses if g is not None]
    if not known:
        return None
    pool = [g for g in known if g.stated] or known
    votes = Counter(g.task for g in pool)
    task = max(votes, key=lambda t: (votes[t], t == TEXT_GENERATION, t))
    chosen = [g for g in pool if g.task == task]
    inputs = _ordered(m for g in chosen for m in g.inputs)
    outputs = _ordered(m for g in chosen for m in g.outputs)
    return TaskGuess(task, inputs, outputs, chosen[0].stated)


def modalities_for_task(task: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(inputs, outputs) a Hub pipeline tag implies; ((), ()) when unknown."""
    return TASK_MODALITIES.get(task, ((), ()))
