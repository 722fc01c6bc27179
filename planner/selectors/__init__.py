"""Planner reads: catalog models, offers, accelerators, instance prices and measured runs
turned into the engine's inputs (`planner.records`, `planner.engine.columns`), in a fixed number of
queries. Submodules: `tasks` (the task mapping, licenses), `catalog` (candidate models and
offers, the per-process catalog cache), `hardware` (accelerators, cloud shapes, measured
runs), `sql` (database expressions). The names callers use are re-exported here.

Task mapping (wizard task -> catalog Task slugs, pricing Offer units, quality index task):

    chat            text-generation, image-text-to-text, text2text-generation   token  chat
    code            text-generation, text2text-generation                       token  code
    summarization   summarization, text-generation, text2text-generation        token  chat
    embeddings      feature-extraction, sentence-similarity                     token  embeddings
    text-to-image   text-to-image                                               image  text-to-image
    speech-to-text  automatic-speech-recognition                        audio  speech-to-text

(audio: audio_minute and audio_second offers, seconds priced × 60 per minute.)

The pricing feeds map API modes onto the same Task slugs (chat/completion/responses ->
text-generation, embedding -> feature-extraction, image_generation -> text-to-image,
audio_transcription -> automatic-speech-recognition), so API-only models land in these
tasks too. Summarization has no leaderboard of its own: it uses the chat index.

Quality signal: `QualityIndex.value` of the model for the index task (0..100, measured
leaderboard scores, see quality/index.py); models without one get the engine's stated
popularity-and-size proxy.

Candidates: every open-weight model of the task with a known size is a self-host
candidate (token tasks through the host grid; text-to-image and speech-to-text through
benchmarks.estimate.media, the speech models' Open ASR RTFx read by `rtfx_by_model`; no
popularity cut, issue 18 §4; `max_models` bounds them to the top by quality
index then downloads when given), plus every model of the task with a current
API offer (at most MAX_OFFER_MODELS) as API-only candidates. Cloud instance prices are
reduced to the cheapest region per (cloud, accelerator, count) for the chosen pricing
(on-demand or spot), since the other regions of the same shape cost more for the same
speed.
"""

from planner.selectors.catalog import (
    MAX_MODELS,
    MAX_OFFER_MODELS,
    CatalogRows,
    catalog_cache_clear,
    catalog_version,
    plan_candidates,
    plan_catalog_rows,
)
from planner.selectors.hardware import (
    CloudShape,
    Measured,
    RunFacts,
    accelerator_list,
    accelerators_by_slug,
    cloud_shapes,
    efficiency_for,
    estimate_label_for,
    rtfx_by_model,
    run_facts,
)
from planner.selectors.tasks import TASKS, TaskSpec, commercial_ok

__all__ = [
    "MAX_MODELS",
    "MAX_OFFER_MODELS",
    "TASKS",
    "CatalogRows",
    "CloudShape",
    "Measured",
    "RunFacts",
    "TaskSpec",
    "accelerator_list",
    "accelerators_by_slug",
    "catalog_cache_clear",
    "catalog_version",
    "cloud_shapes",
    "commercial_ok",
    "efficiency_for",
    "estimate_label_for",
    "plan_candidates",
    "plan_catalog_rows",
    "rtfx_by_model",
    "run_facts",
]
