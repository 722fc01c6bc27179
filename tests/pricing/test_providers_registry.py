"""The provider registry: the reviewed file, feed slugs resolving to one provider each,
unknown slugs parked as unreviewed providers, collisions rejected with a line."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command

from catalog.models import Feed
from pricing.feeds.genai_prices import parse_genai_prices
from pricing.feeds.litellm import parse_litellm
from pricing.feeds.modelsdev import parse_modelsdev
from pricing.feeds.openrouter import parse_openrouter
from pricing.models import InstancePrice, Offer, Provider, ProviderAlias
from pricing.provider_registry import (
    KINDS,
    RegistryError,
    parse_registry,
    resolve_key,
)
from pricing.services.feeds import feed_sync
from pricing.services.providers import DATA_FILE, providers_load, providers_resolve
from tests.pricing.builders import T0, write_json

ROWS = parse_registry(DATA_FILE.read_text())
INDEX = {(scope, key): row.slug for row in ROWS for scope, key, _ in row.aliases}
FEED_FILES = [
    ("litellm", "feeds/litellm/model_prices_and_context_window.json", parse_litellm),
    (
        "openrouter",
        "feeds/openrouter/api-v1-models.all-modalities.2026-08-18.json",
        parse_openrouter,
    ),
    ("openrouter", "feeds/openrouter/api-v1-models.2026-05-15.json", parse_openrouter),
    ("models-dev", "feeds/models.dev/api.snapshot-2025-11-18.json", parse_modelsdev),
    ("models-dev", "feeds/models.dev/api.derived-from-HEAD-f3fc692.json", parse_modelsdev),
    ("genai-prices", "feeds/genai-prices/data.json", parse_genai_prices),
]
pytestmark = pytest.mark.django_db
CLOUDS = ("gcp", "azure", "lambda", "vast", "nebius", "hyperbolic", "runpod")


def test_registry_rows_have_a_kind_and_a_source_for_every_field() -> None:
    assert len(ROWS) > 200
    assert {r.kind for r in ROWS} <= set(KINDS)
    for row in ROWS:
        assert row.sources["name"], row.slug
        assert row.sources["kind"], row.slug
        for f in ("homepage", "pricing_url", "docs_url", "upstream"):
            assert not getattr(row, f) or row.sources.get(f), (row.slug, f)
    assert {r.slug for r in ROWS} >= {"openai", "together", "openrouter", "github-models"}
    assert {c.value for c in Provider.Kind} == {*KINDS, "unknown"}


@pytest.mark.parametrize(
    ("feed", "slug", "name", "target"),
    [
        ("litellm", "together_ai", "", "together"),
        ("models-dev", "togetherai", "Together AI", "together"),
        ("genai-prices", "together", "Together AI", "together"),
        ("litellm", "novita", "", "novita"),
        ("models-dev", "novita-ai", "NovitaAI", "novita"),
        ("models-dev", "siliconflow", "SiliconFlow", "siliconflow"),
        ("models-dev", "siliconflow-cn", "SiliconFlow (China)", "siliconflow-cn"),
        ("litellm", "azure", "", "azure-openai"),
        ("litellm", "azure_ai", "", "azure-ai-foundry"),
        ("models-dev", "azure", "Azure", "azure-openai"),
        ("skypilot-azure", "azure", "Azure", "azure"),
        ("genai-prices", "aws", "AWS Bedrock", "amazon-bedrock"),
        ("aws-gpu-instances", "aws", "Aws", "aws"),
        ("litellm", "nebius", "", "nebius-token-factory"),
        ("skypilot-nebius", "nebius", "Nebius", "nebius"),
        ("litellm", "vertex_ai-anthropic_models", "", "google-vertex"),
        ("litellm", "gemini", "", "google"),
        ("genai-prices", "x-ai", "X AI", "xai"),
        ("genai-prices", "huggingface_novita", "HuggingFace (novita)", "hf-novita"),
        ("litellm", "fireworks_ai-embedding-models", "", "fireworks"),
        ("models-dev", "moonshotai-cn", "Moonshot AI (China)", "moonshot-cn"),
        ("models-dev", "zhipuai", "Zhipu AI", "zhipu"),
        ("models-dev", "zai", "Z.AI", "zai"),
    ],
)
def test_feed_slugs_resolve_to_the_reviewed_row(feed, slug, name, target) -> None:
    assert resolve_key(INDEX, feed=feed, slug=slug, name=name) == (target, "")


def test_slug_and_name_naming_two_rows_is_rejected_with_a_line() -> None:
    hit, reason = resolve_key(INDEX, feed="custom", slug="together", name="Fireworks AI")
    assert hit is None
    assert "'together'" in reason
    assert "'fireworks'" in reason
    assert "custom:together" in reason


def test_an_alias_claimed_by_two_rows_makes_the_file_invalid() -> None:
    text = (
        "- {slug: a, name: A, kind: router, source: s, aliases: [shared_slug]}\n"
        "- {slug: b, name: B, kind: router, source: s, aliases: [shared-slug]}\n"
        "- {slug: c, name: C, kind: nope, source: s}\n"
    )
    with pytest.raises(RegistryError) as exc:
        parse_registry(text)
    lines = "\n".join(exc.value.lines)
    assert "row 'b' collides with 'shared_slug' of row 'a'" in lines
    assert "row 3 (c): kind 'nope'" in lines


@pytest.mark.shared
def test_every_shared_feed_slug_resolves_to_exactly_one_provider(shared_dir: Path) -> None:
    slugs: Counter[tuple[str, str]] = Counter()
    names: dict[tuple[str, str], str] = {}
    for feed, rel, parse in FEED_FILES:
        path = shared_dir / rel
        if not path.exists():
            continue
        records, _ = parse(path.read_bytes())
        for r in records:
            slugs[(feed, r.provider)] += 1
            names[(feed, r.provider)] = r.provider_name
    slugs.update({(f"skypilot-{c}", c): 1 for c in CLOUDS})
    slugs[("aws-gpu-instances", "aws")] += 1
    assert len({s for _, s in slugs}) > 250  # 289 distinct slugs in the copies of 2026-11
    unresolved = {
        key: resolve_key(INDEX, feed=key[0], slug=key[1], name=names.get(key, "")) for key in slugs
    }
    assert {k: v for k, v in unresolved.items() if v[0] is None} == {}
    # one company, one provider: the slugs of the same service land on one row
    rows = Counter(v[0] for v in unresolved.values())
    assert rows["together"] >= 3
    assert rows["novita"] >= 3
    assert rows["fireworks"] >= 3


def test_providers_load_is_idempotent_and_marks_rows_reviewed() -> None:
    first = providers_load()
    assert first.created == len(ROWS)
    assert first.updated == 0
    again = providers_load()
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(ROWS))
    together = Provider.objects.get(slug="together")
    assert (together.kind, together.reviewed, together.name) == (
        "inference_host",
        True,
        "Together AI",
    )
    assert together.pricing_url == "https://www.together.ai/pricing"
    assert together.sources["homepage"].startswith("models.dev togetherai")
    assert ProviderAlias.objects.filter(provider=together, alias="togetherai").exists()


def test_unknown_feed_slug_creates_an_unreviewed_provider_never_a_merge() -> None:
    providers_load()
    res = providers_resolve(feed="litellm", names={"brand_new_host": "", "together_ai": ""})
    new = Provider.objects.get(id=res.ids["brand_new_host"])
    assert (new.slug, new.kind, new.reviewed) == ("brand-new-host", "unknown", False)
    assert res.ids["together_ai"] == Provider.objects.get(slug="together").id
    again = providers_resolve(feed="models-dev", names={"brand-new-host": "Brand New"})
    assert again.ids["brand-new-host"] == new.id
    assert again.created == []


def test_offers_of_alias_slugs_land_on_one_provider(tmp_path) -> None:
    providers_load()
    doc = {
        "together_ai/meta-llama/Llama-3-8b": {
            "litellm_provider": "together_ai",
            "mode": "chat",
            "input_cost_per_token": 1e-07,
            "output_cost_per_token": 2e-07,
        },
        "nebius/Qwen/Qwen3-8B": {
            "litellm_provider": "nebius",
            "mode": "chat",
            "input_cost_per_token": 1e-07,
            "output_cost_per_token": 2e-07,
        },
        "mystery/x": {"litellm_provider": "mystery_ai", "mode": "chat", "input_cost_per_token": 0},
    }
    run = feed_sync(feed_slug="litellm", file=write_json(tmp_path, "l.json", doc), now=T0)
    assert run.status == "success"
    slugs = set(Offer.objects.values_list("provider__slug", flat=True))
    assert slugs == {"together", "nebius-token-factory", "mystery-ai"}
    assert not Provider.objects.get(slug="mystery-ai").reviewed


def test_registry_rehomes_rows_filed_under_pre_registry_slugs() -> None:
    """A database from before the registry: one provider per feed slug. Loading the
    registry moves each feed's rows to the provider its slug names, then drops the empty
    unreviewed rows."""
    litellm = Feed.objects.create(slug="litellm", name="LiteLLM", kind="pricing")
    genai = Feed.objects.create(slug="genai-prices", name="genai", kind="pricing")
    old_together = Provider.objects.create(slug="together_ai", name="together_ai")
    old_aws = Provider.objects.create(slug="aws", name="aws", service="cloud")
    keep = Provider.objects.create(slug="someone-new", name="Someone new")
    for feed, prov, name in [
        (litellm, old_together, "together_ai/x"),
        (genai, old_aws, "meta.llama3-8b"),
        (litellm, keep, "someone/x"),
    ]:
        Offer.objects.create(
            feed=feed, provider=prov, model_name=name, unit="token", valid_from=T0, fingerprint="f"
        )
    out = providers_load()
    assert out.moved == 2
    assert out.errors == []
    homes = dict(Offer.objects.values_list("model_name", "provider__slug"))
    assert homes == {
        "together_ai/x": "together",
        "meta.llama3-8b": "amazon-bedrock",
        "someone/x": "someone-new",
    }
    assert not Provider.objects.filter(slug="together_ai").exists()
    assert Provider.objects.get(slug="aws").reviewed  # the registry's EC2 row, kept
    assert ProviderAlias.objects.filter(provider=keep, alias="someonenew").exists()
    assert InstancePrice.objects.count() == 0
    assert providers_load().moved == 0


def test_management_command_lists_unreviewed(capsys) -> None:
    Provider.objects.create(slug="odd-one", name="Odd One")
    call_command("providers_load", "--review")
    out = capsys.readouterr().out
    assert "unreviewed: odd-one (Odd One)" in out
    assert f"created={len(ROWS)}" in out


def test_instance_feed_slug_resolves_to_cloud_row(tmp_path) -> None:
    providers_load()
    res = providers_resolve(feed="skypilot-azure", names={"azure": "Azure"}, service="cloud")
    assert Provider.objects.get(id=res.ids["azure"]).slug == "azure"
    res = providers_resolve(feed="litellm", names={"azure": ""})
    assert Provider.objects.get(id=res.ids["azure"]).slug == "azure-openai"


def test_feed_rows_whose_slug_and_name_name_two_rows_are_rejected(tmp_path) -> None:
    providers_load()
    res = providers_resolve(feed="custom", names={"together": "Fireworks AI", "groq": "Groq"})
    assert "together" not in res.ids
    assert "'together'" in res.rejected["together"]
    assert "'fireworks'" in res.rejected["together"]
    assert Provider.objects.get(id=res.ids["groq"]).slug == "groq"


@pytest.mark.shared
def test_openrouter_vendor_parts_name_one_seller_or_only_an_author(shared_dir: Path) -> None:
    """The vendor part of an OpenRouter id ("qwen/qwen3-8b") is the model's author. Authors
    that sell their own models resolve to that first-party row (or the cloud selling
    them); the rest (nousresearch, thedrummer...) are catalog organizations, not sellers."""
    import json

    path = shared_dir / FEED_FILES[1][1]
    if not path.exists():
        pytest.skip(f"{path} is absent")
    parts = {m["id"].split("/")[0] for m in json.loads(path.read_text())["data"]}
    hits = {v: resolve_key(INDEX, feed="openrouter-vendor", slug=v) for v in parts}
    assert {v: r for v, (_, r) in hits.items() if r not in ("", "no alias")} == {}
    sellers = {v: h for v, (h, _) in hits.items() if h}
    kinds = {r.slug: r.kind for r in ROWS}
    allowed = {"first_party", "hyperscaler", "free_tier", "router"}  # openrouter/auto
    assert {kinds[h] for h in sellers.values()} <= allowed
    expected = {"openai": "openai", "anthropic": "anthropic", "x-ai": "xai", "qwen": "alibaba",
                "meta-llama": "meta-llama-api", "mistralai": "mistral", "google": "google",
                "deepseek": "deepseek", "moonshotai": "moonshot", "z-ai": "zai"}  # fmt: skip
    assert {v: sellers.get(v) for v in expected} == expected
