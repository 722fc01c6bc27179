"""Site content: the guide pages and the home page's task tiles (data, no queries).

Each guide links into the catalog with a filter and lists matching catalog models;
the `models` recipe names the selector input the view uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Tile:
    label: str
    blurb: str
    query: str  # catalog query string
    task_slugs: tuple[str, ...] = ()  # counted on the tile
    icon: str = ""


@dataclass(frozen=True, slots=True)
class Guide:
    slug: str
    title: str
    summary: str
    catalog_query: str  # "task=text-to-image"
    catalog_label: str
    task_slugs: tuple[str, ...] = ()
    match_text: str = ""  # when no task fits: models whose name/type contains this
    related: tuple[str, ...] = field(default_factory=tuple)


TILES: tuple[Tile, ...] = (
    Tile("Text generation", "LLMs that complete and follow instructions",
         "task=text-generation", ("text-generation",), "✎"),
    Tile("Chat", "Conversational models served by API providers", "task=chat", ("chat",), "❝"),
    Tile("Code", "Models trained to write and explain code", "q=code", (), "</>"),
    Tile("Embeddings", "Vectors for search, clustering and RAG",
         "task=feature-extraction", ("feature-extraction", "sentence-similarity"), "⇢"),
    Tile("Image generation", "Text-to-image diffusion models",
         "task=text-to-image", ("text-to-image",), "◐"),
    Tile("Vision-language", "Models that read images and answer in text",
         "task=image-text-to-text", ("image-text-to-text",), "◉"),
    Tile("Speech recognition", "Audio in, transcript out",
         "task=automatic-speech-recognition", ("automatic-speech-recognition",), "♪"),
    Tile("Text to speech", "Synthesise natural speech from text",
         "task=text-to-speech", ("text-to-speech",), "♫"),
    Tile("Translation", "Between languages, sentence by sentence",
         "task=translation", ("translation",), "⇄"),
    Tile("Summarization", "Long documents into short ones",
         "task=summarization", ("summarization",), "≡"),
)  # fmt: skip

GUIDES: tuple[Guide, ...] = (
    Guide("choosing", "How to choose a model",
          "Start from the task, then quality, then cost and where it can run.",
          "", "Browse the whole catalog", related=("pricing", "running-locally", "licences")),
    Guide("pricing", "Access models side by side",
          "Per token, per image, subscriptions, rented GPUs or your own hardware: what each "
          "costs today in the catalog and when each one wins.",
          "has_offers=true", "Browse models with an API price",
          related=("running-locally", "choosing", "faq")),
    Guide("running-locally", "Running models locally",
          "llama.cpp, Ollama, LM Studio, MLX and vLLM: what each needs, and which catalog "
          "models fit the GPU or Mac you have.",
          "task=text-generation&open_weights=true", "Browse open-weights text models",
          ("text-generation",), related=("pricing", "licences", "llms")),
    Guide("licences", "Licences and acceptable use",
          "Open weights are not always open source: gated repos, use policies and what "
          "commercial use each licence allows.",
          "open_weights=true", "Browse open-weights models",
          related=("running-locally", "choosing", "faq")),
    Guide("llms", "Large language models",
          "Transformers trained to predict the next token: chat, code, reasoning, agents.",
          "task=text-generation", "Browse text-generation models", ("text-generation",),
          related=("pricing", "choosing")),
    Guide("diffusion", "Diffusion models",
          "Generate images by learning to remove noise step by step, guided by a prompt.",
          "task=text-to-image", "Browse text-to-image models", ("text-to-image",),
          related=("gans", "vaes")),
    Guide("gans", "Generative adversarial networks",
          "A generator and a discriminator trained against each other; fast, sharp, narrow.",
          "task=text-to-image", "Browse image-generation models", ("text-to-image",),
          match_text="gan", related=("diffusion", "vaes")),
    Guide("vaes", "Variational autoencoders",
          "Compress data into a smooth latent space and decode it back; the latent engine "
          "inside most diffusion models.", "q=vae", "Search the catalog for VAEs",
          match_text="vae", related=("diffusion", "gans")),
    Guide("foundation-vs-fine-tuned", "Foundation vs fine-tuned models",
          "Base models learn the world; fine-tunes learn a job. How to tell them apart and "
          "which to start from.", "task=text-generation", "Browse text-generation models",
          ("text-generation",), related=("llms", "choosing")),
    Guide("faq", "Questions people ask",
          "Where the numbers come from, how fresh they are, why a field shows a dash, and "
          "how to use the data.", "", "Browse the whole catalog",
          related=("choosing", "pricing", "licences")),
)  # fmt: skip

GUIDES_BY_SLUG: dict[str, Guide] = {g.slug: g for g in GUIDES}
