"""Names of the Hub pipeline tags for the catalog's Task rows (pure data, no imports)."""

from __future__ import annotations

# Hub pipeline tag -> (human name, category) for the catalog's Task rows.
PIPELINE_TASKS: dict[str, tuple[str, str]] = {
    "text-generation": ("Text generation", "text"),
    "text2text-generation": ("Text-to-text generation", "text"),
    "fill-mask": ("Fill mask", "text"),
    "feature-extraction": ("Feature extraction", "text"),
    "sentence-similarity": ("Sentence similarity (embeddings)", "text"),
    "text-classification": ("Text classification", "text"),
    "token-classification": ("Token classification", "text"),
    "question-answering": ("Question answering", "text"),
    "zero-shot-classification": ("Zero-shot classification", "text"),
    "summarization": ("Summarization", "text"),
    "translation": ("Translation", "text"),
    "table-question-answering": ("Table question answering", "text"),
    "text-to-image": ("Text to image", "vision"),
    "image-to-image": ("Image to image", "vision"),
    "image-classification": ("Image classification", "vision"),
    "object-detection": ("Object detection", "vision"),
    "image-segmentation": ("Image segmentation", "vision"),
    "zero-shot-image-classification": ("Zero-shot image classification", "vision"),
    "depth-estimation": ("Depth estimation", "vision"),
    "text-to-video": ("Text to video", "vision"),
    "image-to-text": ("Image to text", "multimodal"),
    "image-text-to-text": ("Image-text to text (VLM)", "multimodal"),
    "visual-question-answering": ("Visual question answering", "multimodal"),
    "document-question-answering": ("Document question answering", "multimodal"),
    "any-to-any": ("Any to any", "multimodal"),
    "automatic-speech-recognition": ("Speech recognition", "audio"),
    "text-to-speech": ("Text to speech", "audio"),
    "text-to-audio": ("Text to audio", "audio"),
    "audio-classification": ("Audio classification", "audio"),
    "audio-to-audio": ("Audio to audio", "audio"),
}


def task_name(slug: str) -> tuple[str, str]:
    """(human name, category) of a pipeline tag; unknown tags get a title-cased name."""
    return PIPELINE_TASKS.get(slug) or (slug.replace("-", " ").capitalize(), "")
