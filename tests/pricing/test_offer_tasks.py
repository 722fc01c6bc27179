"""Every priced model has a task and modalities: the pure mode -> task rules and the
fill step after a feed load (issue 14 §4)."""

from __future__ import annotations

import pytest

from catalog.models import Model, Task
from pricing.offer_tasks import TaskGuess, decide, guess
from pricing.services.feeds import feed_sync
from pricing.services.model_tasks import model_tasks_fill, priced_models_without_task
from tests.pricing.builders import T0, make_hub_model, write_json


@pytest.mark.parametrize(
    ("mode", "unit", "task", "inputs", "outputs"),
    [
        ("chat", "token", "text-generation", ("text",), ("text",)),
        ("embedding", "token", "feature-extraction", ("text",), ("embedding",)),
        ("image_generation", "image", "text-to-image", ("text",), ("image",)),
        (
            "audio_transcription",
            "audio_second",
            "automatic-speech-recognition",
            ("audio",),
            ("text",),
        ),
        ("audio_speech", "character", "text-to-speech", ("text",), ("audio",)),
        ("rerank", "token", "text-ranking", ("text",), ("score",)),
        ("search", "request", "web-search", ("text",), ("text",)),
        ("vector_store", "request", "retrieval", ("text",), ("text",)),
        ("moderation", "token", "text-classification", ("text",), ("label",)),
        ("video_generation", "video_second", "text-to-video", ("text",), ("video",)),
        ("text+image+file->text", "token", "text-generation", ("text", "image", "pdf"), ("text",)),
        ("text->embeddings", "token", "feature-extraction", ("text",), ("embedding",)),
        ("audio->transcription", "token", "automatic-speech-recognition", ("audio",), ("text",)),
        ("text->speech", "token", "text-to-speech", ("text",), ("audio",)),
        ("text+image->video", "token", "text-to-video", ("text", "image"), ("video",)),
        ("text+image->image", "token", "text-to-image", ("text", "image"), ("image",)),
        ("text->rerank", "token", "text-ranking", ("text",), ("score",)),
        ("text+image->", "token", "text-generation", ("text", "image"), ("text",)),
        ("", "token", "text-generation", ("text",), ("text",)),
        ("", "image", "text-to-image", ("text",), ("image",)),
    ],
)
def test_guess(mode, unit, task, inputs, outputs) -> None:
    g = guess(mode, unit)
    assert g is not None
    assert (g.task, g.inputs, g.outputs) == (task, inputs, outputs)


def test_search_apis_get_a_tool_task_and_unknown_modes_none() -> None:
    # issue 14: 0 priced models without a task (LiteLLM's per-request search APIs too)
    assert guess("search", "request").task == "web-search"
    assert guess("teleport", "request") is None
    assert decide([None, None]) is None


def test_stated_modes_outvote_unit_fallbacks_and_modalities_union() -> None:
    unit_only = guess("", "token")
    vision = guess("text+image->text", "token")
    embed = guess("embedding", "token")
    assert decide([unit_only, unit_only, embed]).task == "feature-extraction"
    both = decide([vision, guess("text+audio->text", "token")])
    assert both == TaskGuess("text-generation", ("text", "image", "audio"), ("text",), True)


pytestmark = pytest.mark.django_db


def test_feed_created_models_get_a_task_and_modalities(tmp_path) -> None:
    doc = {
        "gpt-4o": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 2.5e-06},
        "text-embedding-3-small": {
            "litellm_provider": "openai",
            "mode": "embedding",
            "input_cost_per_token": 2e-08,
        },
        "dall-e-3": {
            "litellm_provider": "openai",
            "mode": "image_generation",
            "output_cost_per_image": 0.04,
        },
        "whisper-1": {
            "litellm_provider": "openai",
            "mode": "audio_transcription",
            "input_cost_per_second": 0.0001,
        },
        "tts-1": {
            "litellm_provider": "openai",
            "mode": "audio_speech",
            "input_cost_per_character": 1.5e-05,
        },
    }
    feed_sync(feed_slug="litellm", file=write_json(tmp_path, "l.json", doc), now=T0)
    priced = Model.objects.filter(offers__isnull=False).distinct()
    assert priced.count() == 5
    assert priced_models_without_task() == []
    tasks = dict(priced.values_list("repo_id", "task__slug"))
    assert set(tasks.values()) == {
        "text-generation",
        "feature-extraction",
        "text-to-image",
        "automatic-speech-recognition",
        "text-to-speech",
    }
    dalle = priced.get(task__slug="text-to-image")
    assert (dalle.input_modalities, dalle.output_modalities) == (["text"], ["image"])


def test_hub_task_is_kept_and_modalities_follow_it() -> None:
    from catalog.models import Feed
    from pricing.models import Offer, Provider

    vlm_task = Task.objects.create(slug="image-text-to-text", name="VLM")
    model = make_hub_model("Qwen/Qwen2.5-VL-7B-Instruct", task=vlm_task)
    feed = Feed.objects.create(slug="x", name="x", kind="pricing")
    prov = Provider.objects.create(slug="p", name="P")
    Offer.objects.create(
        feed=feed, provider=prov, model=model, model_name="qwen-vl", mode="chat",
        unit="token", valid_from=T0, fingerprint="f",
    )  # fmt: skip
    assert model_tasks_fill() == 1
    model.refresh_from_db()
    assert model.task == vlm_task
    assert (model.input_modalities, model.output_modalities) == (["text", "image"], ["text"])
    assert model_tasks_fill() == 0


def test_identity_check_command(capsys) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from catalog.models import Feed
    from pricing.models import Offer, Provider

    model = make_hub_model("acme/no-task")
    feed = Feed.objects.create(slug="x", name="x", kind="pricing")
    prov = Provider.objects.create(slug="p", name="P", reviewed=True)
    Provider.objects.create(slug="p-2", name="p")
    Offer.objects.create(
        feed=feed, provider=prov, model=model, model_name="m", unit="token",
        valid_from=T0, fingerprint="f",
    )  # fmt: skip
    with pytest.raises(CommandError):
        call_command("identity_check")
    out = capsys.readouterr().out
    assert "priced models without a task: 1" in out
    assert "duplicate: p, p-2" in out
    assert "unreviewed: p-2" in out


def test_unpriced_hub_models_get_modalities_from_their_task() -> None:
    from pricing.services.model_tasks import model_modalities_from_tasks

    asr = Task.objects.create(slug="automatic-speech-recognition", name="ASR")
    whisper = make_hub_model("openai/whisper-large-v3", task=asr)
    assert model_modalities_from_tasks() == 1
    whisper.refresh_from_db()
    assert (whisper.input_modalities, whisper.output_modalities) == (["audio"], ["text"])
