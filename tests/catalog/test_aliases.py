"""aliases_resolve links feed names to catalog models and stores each link once."""

from __future__ import annotations

import pytest

from catalog.models import AliasReview, LinkChange, Model, ModelAlias, Organization
from catalog.services.aliases import FeedName, alias_review_resolve, aliases_resolve

pytestmark = pytest.mark.django_db


def _make(repo_id: str, *, base: str = "") -> Model:
    org, _ = Organization.objects.get_or_create(
        slug=repo_id.split("/")[0].lower(), defaults={"name": repo_id.split("/")[0]}
    )
    return Model.objects.create(
        repo_id=repo_id, name=repo_id.split("/")[1], organization=org, base_model_repo_id=base
    )


def test_links_are_stored_with_their_rule_and_reused() -> None:
    llama = _make("meta-llama/Llama-3.1-8B-Instruct")
    names = [FeedName("together_ai/meta-llama/Llama-3.1-8B-Instruct-Turbo")]
    first = aliases_resolve(source="litellm", names=names)
    assert first.linked == {names[0].name: llama.id}
    alias = ModelAlias.objects.get()
    assert alias.rule == "normalized"
    again = aliases_resolve(source="litellm", names=names)
    assert again.linked == first.linked
    assert ModelAlias.objects.count() == 1


def test_ambiguous_names_go_to_the_review_list_and_a_person_resolves_them() -> None:
    a = _make("someone/Qwen2.5-7B-Instruct", base="Qwen/Qwen2.5-7B")
    _make("other/Qwen2.5-7B-Instruct", base="Qwen/Qwen2.5-7B")
    result = aliases_resolve(source="openrouter", names=[FeedName("qwen2.5-7b-instruct")])
    assert result.ambiguous == ["qwen2.5-7b-instruct"]
    review = AliasReview.objects.get()
    assert review.candidates.count() == 2
    alias_review_resolve(review_id=review.id, model_id=a.id)
    again = aliases_resolve(source="openrouter", names=[FeedName("qwen2.5-7b-instruct")])
    assert again.linked == {"qwen2.5-7b-instruct": a.id}


def test_unmatched_names_become_closed_api_models_when_asked() -> None:
    result = aliases_resolve(
        source="litellm",
        names=[FeedName("openai/gpt-4o", organization_hint="openai", display_name="GPT-4o")],
        create_missing=True,
    )
    model = Model.objects.get(repo_id="openai/gpt-4o")
    assert result.linked == {"openai/gpt-4o": model.id}
    assert (model.open_weights, model.source) == (False, "feed")
    aliases_resolve(
        source="models-dev",
        names=[FeedName("gpt-4o", organization_hint="openai")],
        create_missing=True,
    )
    assert Model.objects.filter(repo_id="openai/gpt-4o").count() == 1


def test_resolving_many_names_takes_a_fixed_number_of_queries(
    django_assert_max_num_queries,
) -> None:
    for i in range(20):
        _make(f"org{i}/model-{i}b")
    names = [FeedName(f"org{i}/model-{i}b") for i in range(20)]
    with django_assert_max_num_queries(6):
        aliases_resolve(source="x", names=names)


def _hub(repo_id: str) -> Model:
    model = _make(repo_id)
    model.source = Model.Source.HUB
    model.save(update_fields=["source"])
    return model


def test_a_hub_id_another_feed_states_links_the_same_name_and_its_other_spellings() -> None:
    # OpenRouter states Ministral-3-3B-Instruct-2512 for "mistralai/ministral-3b-2512";
    # models.dev's router rows name the same id without one, llmgateway without the org.
    ministral = _hub("mistralai/Ministral-3-3B-Instruct-2512")
    ModelAlias.objects.create(
        source="openrouter", alias="mistralai/ministral-3b-2512", model=ministral, rule="hub_repo"
    )
    names = [
        FeedName("mistralai/ministral-3b-2512", open_weights=True),
        FeedName("ministral-3b-2512", open_weights=True),
        FeedName("ministral-8b-2512", open_weights=True),  # a near miss: 8B is not 3B
    ]
    result = aliases_resolve(source="models-dev", names=names, create_missing=True)
    assert result.linked["mistralai/ministral-3b-2512"] == ministral.id
    assert result.linked["ministral-3b-2512"] == ministral.id
    assert result.linked["ministral-8b-2512"] != ministral.id


def test_the_reviewed_table_creates_the_model_under_its_real_hub_repo() -> None:
    result = aliases_resolve(
        source="models-dev",
        names=[FeedName("cohere-command-r-plus-08-2024", open_weights=True)],
        create_missing=True,
    )
    model = Model.objects.get(pk=result.linked["cohere-command-r-plus-08-2024"])
    assert model.repo_id == "CohereLabs/c4ai-command-r-plus-08-2024"
    assert model.source == Model.Source.HUB


def test_a_stand_in_whose_aliases_moved_in_earlier_passes_is_retired() -> None:
    # An earlier pass moved the stand-in's last alias (with its LinkChange) but could not
    # retire it then; the next pass that moves anything retires it, towards that target.
    first = aliases_resolve(
        source="litellm", names=[FeedName("vendorx/model-9b")], create_missing=True
    )
    standin = Model.objects.get(pk=first.linked["vendorx/model-9b"])
    assert standin.source == Model.Source.FEED
    target = _hub("vendorx/Model-9B")
    ModelAlias.objects.filter(model=standin).update(model=target)
    LinkChange.objects.create(
        source="litellm",
        alias="vendorx/model-9b",
        old_model=standin,
        old_repo_id=standin.repo_id,
        new_model=target,
        reason="moved by an earlier pass",
    )
    other = aliases_resolve(
        source="litellm", names=[FeedName("vendory/thing-3b")], create_missing=True
    )
    _hub("vendory/Thing-3B")
    aliases_resolve(source="litellm", names=[FeedName("vendory/thing-3b")])  # moves one
    assert not Model.objects.filter(pk=standin.pk).exists()
    assert not Model.objects.filter(pk=other.linked["vendory/thing-3b"]).exists()


def test_an_open_models_display_name_is_read_when_its_id_matches_nothing() -> None:
    ministral = _hub("mistralai/Ministral-3-14B-Instruct-2512")
    gemma = _hub("google/gemma-3-27b-it")
    names = [
        # DigitalOcean's id, and models.dev's name for it
        FeedName("mistral-3-14B", display_name="Ministral 3 14B Instruct", open_weights=True),
        # a near miss: "Gemma 3 27B" does not say which of base and instruct it is
        FeedName("gemma-3-27b", display_name="Gemma 3 27B", open_weights=True),
        # closed names are not read by their display name
        FeedName("some-api-model", display_name="Ministral 3 14B Instruct"),
    ]
    result = aliases_resolve(
        source="models-dev",
        names=names,
        create_missing=True,
        closed=lambda n: not n.open_weights,
    )
    assert result.linked["mistral-3-14B"] == ministral.id
    assert result.linked["gemma-3-27b"] != gemma.id
    assert result.linked["some-api-model"] != ministral.id


def test_a_chat_served_name_links_to_the_instruct_sibling_unless_it_states_a_hub_id() -> None:
    """catalog.chat_served: also for a name the feed calls closed (models.dev marks
    Vercel's "meta/llama-3.1-8b", "Llama 3.1 8B Instruct", not open weights)."""
    base = _make("meta-llama/Llama-3.1-8B")
    instruct = _make("meta-llama/Llama-3.1-8B-Instruct")
    names = [
        FeedName("meta/llama-3.1-8b", chat_served=True),
        FeedName("llama3.1-8b", chat_served=False),
        FeedName("x/llama-3.1-8b", hub_repo_id="meta-llama/Llama-3.1-8B", chat_served=True),
    ]
    result = aliases_resolve(source="models-dev", names=names, closed=lambda n: n is names[0])
    assert result.linked == {
        "meta/llama-3.1-8b": instruct.pk,
        "llama3.1-8b": base.pk,
        "x/llama-3.1-8b": base.pk,
    }
