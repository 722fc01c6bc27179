"""aliases_resolve links feed names to catalog models and stores each link once."""

from __future__ import annotations

import pytest

from catalog.models import AliasReview, Model, ModelAlias, Organization
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
