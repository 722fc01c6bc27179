"""Does a model generate tokens one at a time (so a decode speed means something)? (pure)

Encoder-only models (BERT and its kin, ViT, wav2vec2 CTC heads, sentence embedders) read
their whole input in one forward pass and emit a vector, a label or one token per input
position: they have a prefill (input tokens/s) and no decode loop. Autoregressive
decoders and encoder-decoders (T5, BART, Whisper) decode.
"""

from __future__ import annotations

# Hub pipeline tags whose models produce text (or other tokens) autoregressively.
GENERATIVE_TASKS = frozenset(
    """text-generation image-text-to-text text2text-generation translation summarization
    automatic-speech-recognition image-to-text visual-question-answering any-to-any
    audio-text-to-text video-text-to-text conversational document-question-answering
    text-to-speech text-to-audio""".split()  # noqa: SIM905
)
# config.json model_type values of encoder-only architectures (no decode loop).
ENCODER_MODEL_TYPES = frozenset(
    """bert roberta xlm-roberta camembert mpnet electra nomic_bert distilbert deberta
    deberta-v2 albert modernbert xlm ernie vit deit beit swin convnext dinov2 clip siglip
    wav2vec2 hubert wavlm data2vec-audio data2vec-text data2vec-vision""".split()  # noqa: SIM905
)


def generates_tokens(task_slug: str | None, model_type: str | None) -> bool:
    """True when the model decodes token by token: its task is generative and its
    architecture is not an encoder-only one. An unknown task counts as not generative
    (we would rather show no decode speed than a meaningless one)."""
    if (model_type or "").lower() in ENCODER_MODEL_TYPES:
        return False
    return (task_slug or "") in GENERATIVE_TASKS
