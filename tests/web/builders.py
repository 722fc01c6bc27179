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


# --- round 2: prices, hardware, runs, quality ---------------------------------------------

T0 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def make_feed(slug: str = "test-prices", kind: str = "pricing"):
    from catalog.models import Feed

    feed, _ = Feed.objects.get_or_create(slug=slug, defaults={"name": slug.title(), "kind": kind})
    return feed


def make_provider(slug: str = "acme-api", kind: str = "api", name: str | None = None):
    from pricing.models import Provider

    # `kind` "api" / "cloud" is the service (the old meaning); other values are a Kind
    service = kind if kind in ("api", "cloud") else "api"
    kind = {"api": "inference_host", "cloud": "gpu_cloud"}.get(kind, kind)
    provider, _ = Provider.objects.get_or_create(
        slug=slug,
        defaults={
            "name": name or slug.replace("-", " ").title(),
            "kind": kind,
            "service": service,
            "reviewed": True,
        },
    )
    return provider


def make_offer(
    model: Model | None,
    provider,
    usd_in: str,
    usd_out: str = "1",
    *,
    valid_from: dt.datetime = T0,
    valid_to: dt.datetime | None = None,
    feed=None,
    model_name: str | None = None,
    **fields,
):
    from decimal import Decimal

    from pricing.models import Offer

    return Offer.objects.create(
        feed=feed or make_feed(),
        provider=provider,
        model=model,
        model_name=model_name or (model.repo_id if model else f"unlinked-{next(_seq)}"),
        unit=fields.pop("unit", "token"),
        usd_per_mtok_input=Decimal(usd_in),
        usd_per_mtok_output=Decimal(usd_out),
        valid_from=valid_from,
        valid_to=valid_to,
        fingerprint=f"fp-{next(_seq)}",
        **fields,
    )


def make_price_history(model: Model, provider, prices: list[str], *, feed=None) -> list:
    """One offer key whose input price changed at T0, T0+10d, ...: closed rows + current."""
    rows = []
    for i, price in enumerate(prices):
        start = T0 + dt.timedelta(days=10 * i)
        end = T0 + dt.timedelta(days=10 * (i + 1)) if i < len(prices) - 1 else None
        rows.append(make_offer(model, provider, price, valid_from=start, valid_to=end, feed=feed))
    return rows


def make_accelerator(slug: str = "rtx-4090", **fields):
    from benchmarks.models import Accelerator

    defaults = {
        "name": "NVIDIA GeForce RTX 4090",
        "vendor": "nvidia",
        "kind": "consumer",
        "memory_gib": 24,
        "bandwidth_gbps": 1008,
        "bf16_tflops": 165,
        "fp8_tflops": 330,
        "release_year": 2022,
    }
    defaults.update(fields)
    accel, _ = Accelerator.objects.get_or_create(slug=slug, defaults=defaults)
    return accel


def make_instance_price(provider, accelerator, usd_per_hour: str, count: str = "1", **fields):
    from decimal import Decimal

    from pricing.models import InstancePrice

    return InstancePrice.objects.create(
        feed=fields.pop("feed", None) or make_feed("test-gpus", "gpu_pricing"),
        provider=provider,
        region=fields.pop("region", "us-east-1"),
        instance_type=fields.pop("instance_type", f"gpu-{next(_seq)}"),
        accelerator=accelerator,
        accelerator_name=accelerator.slug if accelerator else "unknown",
        accelerator_count=Decimal(count),
        usd_per_hour_on_demand=Decimal(usd_per_hour),
        valid_from=T0,
        fingerprint=f"fp-{next(_seq)}",
        **fields,
    )


def make_run(model: Model, accelerator, decode_tokens_per_s: float = 100.0, **fields):
    from benchmarks.models import BenchmarkRun

    defaults = {
        "accelerator_count": 1,
        "engine": "vllm",
        "engine_version": "0.11.0",
        "precision": "bf16",
        "input_tokens": 512,
        "output_tokens": 128,
        "concurrency": 1,
        "ttft_ms": 40.0,
        "tpot_ms": 1000.0 / decode_tokens_per_s,
        "decode_tokens_per_s": decode_tokens_per_s,
        "peak_memory_gib": 17.5,
        "source": "vllm",
        "measured_at": T0,
    }
    defaults.update(fields)
    return BenchmarkRun.objects.create(
        model=model, accelerator=accelerator, run_key=f"run-{next(_seq)}", **defaults
    )


def make_quality(model: Model, task: str = "chat", value: float = 70.0, *, board=None, score=None):
    """A quality index row, and a score on `board` (a leaderboard slug) when given."""
    from quality.models import Leaderboard, LeaderboardSnapshot, QualityIndex, Score

    QualityIndex.objects.create(
        model=model,
        task=task,
        value=value,
        sources=[{"board": board or "test-board", "date": "2026-03-01"}],
        computed_at=T0,
    )
    if board:
        lb, _ = Leaderboard.objects.get_or_create(
            slug=board,
            defaults={"name": board.title(), "source": "test", "task": task, "metric": "score"},
        )
        snap, _ = LeaderboardSnapshot.objects.get_or_create(
            leaderboard=lb, data_date=dt.date(2026, 3, 1)
        )
        Score.objects.create(
            snapshot=snap,
            model=model,
            source_name=model.repo_id,
            metric="score",
            value=score if score is not None else value,
        )
