"""Name linking on feed loads (issue 14 section 3): never a feed model when the name
resolves to a catalog model, open-weights models under their real Hub repo, stand-ins
re-linked with a trace, bad ids rejected by row, and O(1) queries per page on an
unchanged re-sync."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import LinkChange, Model, ModelAlias, Organization
from pricing.models import Offer
from pricing.services import offers as offers_service
from pricing.services.feeds import feed_sync
from tests.fakes.hub import FakeHub
from tests.pricing.builders import T0, T1, write_json

pytestmark = pytest.mark.django_db


def _entry(provider: str, **extra) -> dict:
    return {
        "litellm_provider": provider,
        "mode": "chat",
        "input_cost_per_token": 1e-06,
        "output_cost_per_token": 2e-06,
        **extra,
    }


def _hub_model(repo_id: str) -> Model:
    org, _ = Organization.objects.get_or_create(
        slug=repo_id.split("/")[0].lower(), defaults={"name": repo_id.split("/")[0]}
    )
    return Model.objects.create(repo_id=repo_id, name=repo_id.split("/")[1], organization=org)


def test_feed_ids_link_to_the_catalog_model_never_to_a_new_feed_model(tmp_path) -> None:
    llama = _hub_model("meta-llama/Llama-3.1-8B-Instruct")
    doc = {
        "meta.llama3-1-8b-instruct-v1:0": _entry("bedrock"),
        "us.meta.llama3-1-8b-instruct-v1:0": _entry("bedrock"),
        "together_ai/meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo": _entry("together_ai"),
        "fireworks_ai/accounts/fireworks/models/llama-v3p1-8b-instruct": _entry("fireworks_ai"),
        "cloudflare/@cf/meta/llama-3.1-8b-instruct-fp8": _entry("cloudflare"),
        "fireworks_ai/accounts/fireworks/models/llama-v3-8b-instruct": _entry("fireworks_ai"),
    }
    feed_sync(feed_slug="litellm", file=write_json(tmp_path, "a.json", doc), now=T0)
    linked = dict(Offer.objects.values_list("model_name", "model__repo_id"))
    assert {n for n, repo in linked.items() if repo == llama.repo_id} == set(doc) - {
        "fireworks_ai/accounts/fireworks/models/llama-v3-8b-instruct"
    }
    # Llama 3 is not 3.1: it gets its own model, under Meta's identity, not Fireworks'
    assert linked["fireworks_ai/accounts/fireworks/models/llama-v3-8b-instruct"] == (
        "meta-llama/llama-3-8b-instruct"
    )
    assert not Model.objects.filter(repo_id__startswith="fireworks").exists()


def test_closed_models_get_one_vendor_identity(tmp_path) -> None:
    doc = {
        "gemini/gemini-2.5-flash": _entry("gemini"),
        "vertex_ai/gemini-2.5-flash": _entry("vertex_ai-language-models"),
        "anthropic.claude-opus-4-7": _entry("bedrock"),
        "claude-opus-4-7": _entry("anthropic"),
        "claude-opus-4-7@default": _entry("vertex_ai-anthropic_models"),
        "gpt-4o-2024-08-06": _entry("openai"),
    }
    feed_sync(feed_slug="litellm", file=write_json(tmp_path, "a.json", doc), now=T0)
    repos = set(Offer.objects.values_list("model__repo_id", flat=True))
    assert repos == {"google/gemini-2.5-flash", "anthropic/claude-opus-4-7", "openai/gpt-4o"}


def test_an_open_weights_model_is_fetched_under_its_hub_repo(tmp_path, fake_server, settings):
    FakeHub(
        fake_server,
        models=[
            {
                "id": "Qwen/Qwen3-8B",
                "author": "Qwen",
                "sha": "a" * 40,
                "pipeline_tag": "text-generation",
                "tags": ["license:apache-2.0"],
                "createdAt": "2025-04-28T00:00:00.000Z",
                "safetensors": {"parameters": {"BF16": 8_190_735_360}, "total": 8_190_735_360},
            }
        ],
    )
    settings.HF_ENDPOINT = fake_server.base_url
    doc = {"deepinfra/Qwen/Qwen3-8B": _entry("deepinfra"), "nano-gpt/qwen3-8b": _entry("x")}
    feed_sync(feed_slug="litellm", file=write_json(tmp_path, "a.json", doc), now=T0)
    qwen = Model.objects.get(repo_id="Qwen/Qwen3-8B")
    assert qwen.source == Model.Source.HUB
    assert qwen.params_total == 8_190_735_360
    assert set(Offer.objects.values_list("model_id", flat=True)) == {qwen.pk}
    assert ModelAlias.objects.get(alias="deepinfra/Qwen/Qwen3-8B").rule == "hub_repo"


def test_a_stand_in_moves_to_the_better_target_with_a_trace(tmp_path) -> None:
    doc = {"nano-gpt/meta-llama-3-1-8b-instruct-fp8": _entry("nano-gpt")}
    path = write_json(tmp_path, "a.json", doc)
    feed_sync(feed_slug="litellm", file=path, now=T0)
    stand_in = Offer.objects.get().model
    assert stand_in.source == Model.Source.FEED
    assert stand_in.repo_id == "meta-llama/meta-llama-3-1-8b-instruct"  # Meta's, not nano-gpt's
    llama = _hub_model("meta-llama/Llama-3.1-8B-Instruct")
    feed_sync(feed_slug="litellm", file=path, now=T1)
    assert Offer.objects.get().model_id == llama.pk
    change = LinkChange.objects.get(alias="nano-gpt/meta-llama-3-1-8b-instruct-fp8")
    assert (change.old_repo_id, change.new_model_id) == (stand_in.repo_id, llama.pk)
    assert "better target meta-llama/Llama-3.1-8B-Instruct" in change.reason
    assert not Model.objects.filter(pk=stand_in.pk).exists()  # retired, traced
    assert LinkChange.objects.filter(reason__startswith="stand-in feed model retired").exists()


def test_a_chat_only_providers_bare_name_links_to_the_instruct_model(tmp_path) -> None:
    """Issue 14: Cerebras' "llama3.1-8b" is the instruct model; Together's base name in
    completion mode, and a completion-mode offer of any provider, stay on the base."""
    base = _hub_model("meta-llama/Llama-3.1-8B")
    instruct = _hub_model("meta-llama/Llama-3.1-8B-Instruct")
    doc = {
        "cerebras/llama3.1-8b": _entry("cerebras"),
        "snowflake/llama3.1-8b": _entry("snowflake"),
        "vercel_ai_gateway/meta/llama-3.1-8b": _entry("vercel_ai_gateway"),
        "together_ai/meta-llama/Meta-Llama-3.1-8B": _entry("together_ai", mode="completion"),
        "cerebras/llama-3.1-8b": _entry("cerebras", mode="completion"),
    }
    feed_sync(feed_slug="litellm", file=write_json(tmp_path, "a.json", doc), now=T0)
    linked = dict(Offer.objects.values_list("model_name", "model_id"))
    assert linked == {
        "cerebras/llama3.1-8b": instruct.pk,
        "snowflake/llama3.1-8b": instruct.pk,
        "vercel_ai_gateway/meta/llama-3.1-8b": instruct.pk,
        "together_ai/meta-llama/Meta-Llama-3.1-8B": base.pk,
        "cerebras/llama-3.1-8b": base.pk,
    }


def test_a_bare_chat_name_moves_to_the_instruct_model_when_it_appears(tmp_path) -> None:
    base = _hub_model("meta-llama/Llama-3.1-8B")
    path = write_json(tmp_path, "a.json", {"cerebras/llama3.1-8b": _entry("cerebras")})
    feed_sync(feed_slug="litellm", file=path, now=T0)
    assert Offer.objects.get().model_id == base.pk  # no instruct repo yet: the base
    instruct = _hub_model("meta-llama/Llama-3.1-8B-Instruct")
    feed_sync(feed_slug="litellm", file=path, now=T1)
    assert Offer.objects.get().model_id == instruct.pk
    change = LinkChange.objects.get(alias="cerebras/llama3.1-8b")
    assert (change.old_model_id, change.new_model_id) == (base.pk, instruct.pk)
    assert "chat-only provider serves the instruct model" in change.reason
    assert Model.objects.filter(pk=base.pk).exists()  # a Hub repo is never retired
    feed_sync(feed_slug="litellm", file=path, now=T1 + timedelta(hours=1))
    assert LinkChange.objects.count() == 1  # settled: no move back and forth


def test_rows_with_an_empty_id_or_one_that_normalizes_to_nothing_are_rejected(tmp_path) -> None:
    doc = {"@cf/": _entry("cloudflare"), ":free": _entry("openrouter"), "gpt-4o": _entry("openai")}
    run = feed_sync(feed_slug="litellm", file=write_json(tmp_path, "a.json", doc), now=T0)
    assert run.rejected == 2
    assert any("'cloudflare/@cf/'" in e and "normalizes to nothing" in e for e in run.errors)
    assert any("':free'" in e or "openrouter/:free" in e for e in run.errors)
    assert list(Offer.objects.values_list("model_name", flat=True)) == ["gpt-4o"]


def _doc(n: int) -> dict:
    """n names of each kind: closed, open with a Hub-shaped id, a reseller's stand-in."""
    doc = {}
    for i in range(n):
        doc[f"gpt-test-{i}"] = _entry("openai")
        doc[f"deepinfra/meta-llama/Llama-9.{i}-8B-Instruct"] = _entry("deepinfra")
        doc[f"nano-gpt/qwen-test-{i}-7b-fp8"] = _entry("nano-gpt")
    return doc


def _unchanged_resync_queries(tmp_path, n: int) -> int:
    path = write_json(tmp_path, f"doc{n}.json", _doc(n))
    feed_sync(feed_slug="litellm", file=path, now=T0)
    with CaptureQueriesContext(connection) as ctx:
        run = feed_sync(feed_slug="litellm", file=path, now=T0 + timedelta(days=1))
    assert (run.created, run.updated, run.unchanged) == (0, 0, 3 * n)
    return len(ctx.captured_queries)


def test_an_unchanged_resync_costs_o1_queries_per_page(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(offers_service, "PAGE_SIZE", 30)
    small = _unchanged_resync_queries(tmp_path, 20)  # 60 offers: 2 pages
    Offer.objects.all().delete()
    ModelAlias.objects.all().delete()
    large = _unchanged_resync_queries(tmp_path, 60)  # 180 offers: 6 pages
    # linking reads a fixed number of queries whatever the names; the loader's pages
    # cost nothing more when nothing changed
    assert large == small, (small, large)
