"""Any Hub model on demand (catalog.services.hub_fetch) against the fake Hub."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from catalog.models import Model
from catalog.services.hub_fetch import (
    HubFetchThrottled,
    ModelNotOnHub,
    is_repo_id,
    model_get_or_fetch,
)
from tests.fakes.hub import FakeHub

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _info_requests(hub: FakeHub, repo_id: str) -> int:
    return sum(1 for r in hub.server.requests if r.path == f"/api/models/{repo_id}")


def test_a_repo_the_catalog_lacks_is_fetched_with_its_facts(fake_hub: FakeHub) -> None:
    model = model_get_or_fetch(repo_id="Qwen/Qwen3-30B-A3B")
    assert model.repo_id == "Qwen/Qwen3-30B-A3B"
    assert (model.num_experts, model.params_total, model.params_active) == (
        128,
        30_532_122_624,
        3_353_032_704,
    )
    assert (model.params_source, model.dims_source) == ("safetensors", "config")
    assert model.task.slug == "text-generation"
    # Second call: from the catalog, no Hub request.
    model_get_or_fetch(repo_id="Qwen/Qwen3-30B-A3B")
    assert _info_requests(fake_hub, "Qwen/Qwen3-30B-A3B") == 1


def test_the_base_model_is_fetched_too(fake_hub: FakeHub) -> None:
    model = model_get_or_fetch(repo_id="bartowski/Meta-Llama-3.1-8B-Instruct-GGUF")
    model.refresh_from_db()
    assert model.base_model.repo_id == "meta-llama/Llama-3.1-8B-Instruct"
    assert (model.params_total, model.params_source) == (8_030_261_248, "base_model")


def test_a_repo_the_hub_does_not_have_is_a_404_naming_it_and_is_cached(
    fake_hub: FakeHub,
) -> None:
    with pytest.raises(ModelNotOnHub, match="nobody/nothing") as error:
        model_get_or_fetch(repo_id="nobody/nothing")
    assert error.value.status == 404
    with pytest.raises(ModelNotOnHub):
        model_get_or_fetch(repo_id="nobody/nothing")
    assert _info_requests(fake_hub, "nobody/nothing") == 1  # the negative answer is cached
    assert not Model.objects.filter(repo_id="nobody/nothing").exists()


@pytest.mark.parametrize(
    "name", ["gpt-4o", "a/b/c", "../etc/passwd", "org/na..me", "org/-x", "org/x-", " a/b", "a b/c"]
)
def test_names_that_are_not_repo_ids_are_never_looked_up(fake_hub: FakeHub, name: str) -> None:
    assert not is_repo_id(name)
    with pytest.raises(ModelNotOnHub):
        model_get_or_fetch(repo_id=name)
    assert not any(r.path.startswith("/api/models/") for r in fake_hub.server.requests)


def test_fetches_are_throttled(fake_hub: FakeHub, settings) -> None:
    settings.HUB_FETCH_PER_MINUTE = 2
    for repo_id in ("nobody/a", "nobody/b"):
        with pytest.raises(ModelNotOnHub):
            model_get_or_fetch(repo_id=repo_id)
    with pytest.raises(HubFetchThrottled) as error:
        model_get_or_fetch(repo_id="nobody/c")
    assert error.value.status == 429
    assert _info_requests(fake_hub, "nobody/c") == 0
    # Models already in the catalog are never throttled.
    Model.objects.create(repo_id="org/known", name="known")
    assert model_get_or_fetch(repo_id="org/known").repo_id == "org/known"


def test_api_detail_and_page_fetch_on_demand(fake_hub: FakeHub, client) -> None:
    response = client.get("/api/models/mistralai/Mixtral-8x7B-v0.1/")
    assert response.status_code == 200
    body = response.json()
    assert (body["params_total"], body["params_source"]) == (46_702_792_704, "safetensors")
    assert body["facts_provenance"]["dims"]["source"] == "config"
    assert body["layer_kinds"] == ["full"] * 32
    page = client.get("/models/google/gemma-2-9b/")
    assert page.status_code == 200
    assert b"(safetensors)" in page.content
    assert b"sliding window" in page.content
    missing = client.get("/api/models/nobody/nothing/")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert "nobody/nothing" in missing.json()["error"]["message"]
    assert client.get("/models/nobody/nothing/").status_code == 404


def test_requirements_request_fetches_on_demand(fake_hub: FakeHub, client) -> None:
    response = client.get("/api/models/meta-llama/Llama-3.1-8B/requirements/")
    assert response.status_code == 200, response.content
    assert Model.objects.filter(repo_id="meta-llama/Llama-3.1-8B").exists()
