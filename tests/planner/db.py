"""A small planner world built with the real loaders: accelerators from the bundled
specs, offers and GPU prices through pricing's load services, catalog models with
architecture dims, and quality index rows (the materialized table quality.index fills)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from benchmarks.services import accelerators_load
from catalog.models import Feed, Model, Organization, Task
from pricing.feeds.base import InstancePriceRecord, OfferRecord
from pricing.services.instances import instance_prices_load
from pricing.services.offers import offers_load
from pricing.services.providers import providers_load
from quality.models import QualityIndex

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
LLAMA_8B = {
    "params_total": 8_030_261_248, "num_layers": 32, "hidden_size": 4096, "num_heads": 32,
    "num_kv_heads": 8, "head_dim": 128, "context_tokens": 131072,
}  # fmt: skip
LLAMA_70B = {
    "params_total": 70_553_706_496, "num_layers": 80, "hidden_size": 8192, "num_heads": 64,
    "num_kv_heads": 8, "head_dim": 128, "context_tokens": 131072,
}  # fmt: skip


def _feed(slug: str) -> Feed:
    return Feed.objects.get_or_create(slug=slug, defaults={"name": slug, "kind": "pricing"})[0]


def make_hub_model(repo_id: str, *, quality: float | None = None, **fields) -> Model:
    task = Task.objects.get_or_create(slug="text-generation", defaults={"name": "Text"})[0]
    org = Organization.objects.get_or_create(
        slug=repo_id.split("/")[0], defaults={"name": repo_id.split("/")[0]}
    )[0]
    values = {"license": "llama3.1", "downloads": 1000, "likes": 10, **LLAMA_8B, **fields}
    model = Model.objects.create(
        repo_id=repo_id, name=repo_id.split("/")[-1], task=task, organization=org, **values
    )
    if quality is not None:
        quality_set(model, quality)
    return model


def quality_set(model: Model, value: float, task: str = "chat") -> None:
    QualityIndex.objects.update_or_create(
        model=model, task=task,
        defaults={"value": value, "computed_at": NOW,
                  "sources": [{"board": "lmarena-text-style-control", "metric": "arena_score"}]},
    )  # fmt: skip


def load_offers(records: list[OfferRecord], feed: str = "litellm") -> None:
    offers_load(feed=_feed(feed), records=records, now=NOW, close_missing=False)


def token_offer(provider: str, name: str, p_in: str, p_out: str, **kw) -> OfferRecord:
    return OfferRecord(
        provider=provider, model_name=name, unit="token", mode="chat",
        usd_per_mtok_input=Decimal(p_in), usd_per_mtok_output=Decimal(p_out), **kw,
    )  # fmt: skip


def load_gpu_prices(rows: list[tuple[str, str, str, str, int, str]]) -> None:
    """(cloud, region, instance, accelerator name, count, on-demand $/hour) rows."""
    records = [
        InstancePriceRecord(
            provider=cloud, region=region, instance_type=instance, accelerator_name=acc,
            accelerator_count=Decimal(count), usd_per_hour_on_demand=Decimal(price),
            usd_per_hour_spot=Decimal(price) / 3,
        )
        for cloud, region, instance, acc, count, price in rows
    ]  # fmt: skip
    instance_prices_load(feed=_feed("skypilot"), records=records, now=NOW)


def make_world(extra: int = 0) -> dict[str, Model]:
    """Two open models (8B, 70B), one closed API model, offers, H100/L4 cloud prices.

    `extra` adds that many more open 8B models each with an offer and a GPU price row, for
    query-count tests at two sizes. The provider registry is loaded: the sellers are
    reviewed (a plan leaves out unreviewed providers by default)."""
    accelerators_load()
    providers_load()
    small = make_hub_model("meta-llama/Llama-3.1-8B-Instruct", quality=50, downloads=9_000_000)
    large = make_hub_model("meta-llama/Llama-3.1-70B-Instruct", quality=65, **LLAMA_70B)
    records = [
        token_offer("openai", "gpt-4o-mini", "0.15", "0.60", organization_hint="openai"),
        token_offer(
            "together", "meta-llama/Llama-3.1-8B-Instruct-Turbo", "0.20", "0.20",
            hub_repo_id=small.repo_id, open_weights=True,
        ),
        token_offer(
            "together", "meta-llama/Llama-3.1-70B-Instruct-Turbo", "0.90", "0.90",
            hub_repo_id=large.repo_id, open_weights=True,
        ),
    ]  # fmt: skip
    gpus = [
        ("lambda", "us-tx-1", "gpu_1x_h100_sxm5", "H100", 1, "2.99"),
        ("aws", "us-east-1", "p5.48xlarge", "H100", 8, "98.32"),
        ("aws", "us-west-2", "p5.48xlarge", "H100", 8, "99.00"),
        ("gcp", "us-central1", "g2-standard-8", "L4", 1, "0.85"),
    ]
    for i in range(extra):
        m = make_hub_model(f"extra/model-{i}", quality=30 + i % 20, downloads=100 + i)
        records.append(
            token_offer("together", f"extra/model-{i}", "0.30", "0.30", hub_repo_id=m.repo_id,
                        open_weights=True)
        )  # fmt: skip
        gpus.append(("gcp", f"region-{i}", "g2-standard-8", "L4", 1, f"{1 + i / 100:.2f}"))
    load_offers(records)
    load_gpu_prices(gpus)
    mini = Model.objects.get(offers__model_name="gpt-4o-mini")
    quality_set(mini, 70)
    return {"small": small, "large": large, "mini": mini}
