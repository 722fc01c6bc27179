"""Small builders for website tests: real rows, no mocks."""

from __future__ import annotations

import datetime as dt
import itertools

from catalog.models import Model, Organization, Task

_seq = itertools.count(1)


def make_task(slug: str = "text-generation", name: str | None = None) -> Task:
    task, _ = Task.objects.get_or_create(slug=slug, defaults={"name": name or slug.title()})
    return task


def make_org(slug: str = "acme") -> Organization:
    org, _ = Organization.objects.get_or_create(slug=slug, defaults={"name": slug.title()})
    return org


def make_model(repo_id: str | None = None, **fields) -> Model:
    n = next(_seq)
    repo_id = repo_id or f"acme/model-{n}"
    org_slug = repo_id.split("/")[0]
    defaults = {
        "name": repo_id.split("/")[-1],
        "organization": fields.pop("organization", None) or make_org(org_slug),
        "task": fields.pop("task", None) or make_task(),
        "license": "apache-2.0",
        "library": "transformers",
        "downloads": 1000 * n,
        "likes": n,
        "params_total": 8_000_000_000,
        "params_by_dtype": {"BF16": 8_000_000_000},
        "context_tokens": 131072,
        "num_layers": 32,
        "hidden_size": 4096,
        "num_heads": 32,
        "num_kv_heads": 8,
        "head_dim": 128,
        "vocab_size": 128256,
        "hub_modified_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=n),
    }
    defaults.update(fields)
    return Model.objects.create(repo_id=repo_id, **defaults)


def make_models(count: int, **fields) -> list[Model]:
    return [make_model(**fields) for _ in range(count)]


def make_demo_catalog() -> dict[str, Model]:
    """A small, varied catalog for page and browser tests."""
    tg = make_task("text-generation", "Text Generation")
    t2i = make_task("text-to-image", "Text-to-Image")
    asr = make_task("automatic-speech-recognition", "Automatic Speech Recognition")
    emb = make_task("feature-extraction", "Feature Extraction")
    meta, mistral, qwen = make_org("meta-llama"), make_org("mistralai"), make_org("qwen")
    base = make_model(
        "meta-llama/Llama-3.1-8B",
        task=tg,
        organization=meta,
        license="llama3.1",
        gated=True,
        downloads=5_200_000,
        likes=1500,
        params_by_dtype={"BF16": 8_030_261_248},
    )
    models = {
        "base": base,
        "instruct": make_model(
            "meta-llama/Llama-3.1-8B-Instruct",
            task=tg,
            organization=meta,
            license="llama3.1",
            gated=True,
            downloads=9_100_000,
            likes=4100,
            base_model=base,
            base_model_repo_id=base.repo_id,
            base_model_relation="finetune",
            description="<p>Instruction tuned.</p><script>alert(1)</script>",
        ),
        "big": make_model(
            "meta-llama/Llama-3.1-70B",
            task=tg,
            organization=meta,
            params_total=70_553_706_496,
            license="llama3.1",
            downloads=800_000,
            num_layers=80,
            hidden_size=8192,
            num_heads=64,
        ),
        "mistral": make_model(
            "mistralai/Mistral-7B-v0.3",
            task=tg,
            organization=mistral,
            params_total=7_248_023_552,
            context_tokens=32768,
            downloads=2_000_000,
            params_by_dtype={"BF16": 7_248_023_552},
        ),
        "moe": make_model(
            "qwen/Qwen3-30B-A3B",
            task=tg,
            organization=qwen,
            params_total=30_532_122_624,
            params_active=3_300_000_000,
            num_experts=128,
            experts_per_token=8,
            downloads=1_500_000,
            params_by_dtype={"BF16": 30_000_000_000, "F32": 532_122_624},
        ),
        "sdxl": make_model(
            "stabilityai/stable-diffusion-xl-base-1.0",
            task=t2i,
            params_total=3_500_000_000,
            library="diffusers",
            context_tokens=None,
            license="openrail++",
            downloads=3_000_000,
        ),
        "whisper": make_model(
            "openai/whisper-large-v3",
            task=asr,
            params_total=1_543_490_560,
            context_tokens=448,
            downloads=4_000_000,
        ),
        "bge": make_model(
            "baai/bge-small-en-v1.5",
            task=emb,
            params_total=33_400_000,
            context_tokens=512,
            license="mit",
            library="sentence-transformers",
            downloads=6_000_000,
        ),
        "closed": make_model(
            "openai/gpt-4o",
            task=make_task("chat", "Chat"),
            open_weights=False,
            params_total=None,
            params_by_dtype={},
            license="",
            library="",
            downloads=0,
            source="feed",
        ),
    }
    return models
