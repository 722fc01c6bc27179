"""/api/models/: filters, ordering, keyset pagination, search, detail by repo id."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.api.builders import make_alias, make_model, make_models

pytestmark = pytest.mark.django_db


def repo_ids(response) -> list[str]:
    return [row["repo_id"] for row in response.json()["results"]]


def walk(client, url: str) -> list[str]:
    seen: list[str] = []
    while url:
        body = client.get(url).json()
        seen += [row["repo_id"] for row in body["results"]]
        url = body["next"]
    return seen


def test_model_list_is_ordered_by_repo_id_by_default(client) -> None:
    make_models(3)
    response = client.get("/api/models/")
    assert response.status_code == 200
    assert repo_ids(response) == ["acme/model-00000", "acme/model-00001", "acme/model-00002"]
    assert response.json()["next"] is None
    assert response.json()["previous"] is None


def test_model_list_rows_carry_organization_and_task_slugs(client) -> None:
    make_models(1)
    row = client.get("/api/models/").json()["results"][0]
    assert row["organization"] == "acme"
    assert row["task"] == "text-generation"
    assert row["params_total"] == 1_000_000


@pytest.mark.parametrize(
    "ordering",
    [
        "repo_id",
        "-repo_id",
        "-downloads",
        "likes",
        "-likes",
        "params_total",
        "-context_tokens",
        "-hub_modified_at",
    ],
)
def test_cursor_pages_walk_every_model_once_in_order(client, ordering) -> None:
    make_models(23)
    seen = walk(client, f"/api/models/?ordering={ordering}&page_size=5")
    assert len(seen) == 23
    assert len(set(seen)) == 23
    expected = client.get(f"/api/models/?ordering={ordering}&page_size=200")
    assert seen == repo_ids(expected)


def test_ties_break_on_id_so_pages_do_not_repeat_rows(client) -> None:
    make_models(12)
    seen = walk(client, "/api/models/?ordering=likes&page_size=2")  # likes = i % 7: ties
    assert sorted(seen) == sorted(set(seen))
    assert len(seen) == 12


def test_previous_link_returns_the_page_before(client) -> None:
    make_models(9)
    first = client.get("/api/models/?page_size=3").json()
    second = client.get(first["next"]).json()
    back = client.get(second["previous"]).json()
    assert [r["repo_id"] for r in back["results"]] == [r["repo_id"] for r in first["results"]]
    assert back["previous"] is None


def test_page_size_is_capped_at_200(client) -> None:
    make_models(205)
    assert len(client.get("/api/models/?page_size=1000").json()["results"]) == 200


@pytest.mark.parametrize(
    "query",
    [
        "page_size=0",
        "page_size=abc",
        "cursor=not-base64!",
        "ordering=price",
        "open_weights=maybe",
        "params_min=lots",
        "params_min=-5",
        "source=moon",
        "min_context_tokens=1.5e",
    ],
)
def test_invalid_query_values_are_a_400_with_the_error_body(client, query) -> None:
    make_models(2)
    response = client.get(f"/api/models/?{query}")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"]


def test_filters_combine(client) -> None:
    make_models(10)
    make_models(2, start=100, org="other", task="text-to-image")
    make_model("closed/api-model", open_weights=False, gated=True, source="feed")

    def ids(q: str) -> set[str]:
        return set(repo_ids(client.get(f"/api/models/?{q}&page_size=200")))

    assert ids("organization=other") == {"other/model-00100", "other/model-00101"}
    assert ids("task=text-to-image") == ids("organization=other")
    assert ids("open_weights=false") == {"closed/api-model"}
    assert ids("gated=true&source=feed") == {"closed/api-model"}
    assert ids("params_min=0.003&params_max=0.004") == {"acme/model-00002", "acme/model-00003"}
    assert ids("min_context_tokens=16384&organization=acme") == {
        "acme/model-00003",
        "acme/model-00007",
    }
    assert ids("license=mit&organization=acme") == {f"acme/model-0000{i}" for i in (1, 3, 5, 7, 9)}
    assert len(ids("library=transformers")) == 12


def test_ordering_by_a_nullable_key_lists_only_models_that_have_it(client) -> None:
    make_models(2)
    make_model("closed/no-params")
    assert "closed/no-params" not in repo_ids(client.get("/api/models/?ordering=-params_total"))
    assert "closed/no-params" in repo_ids(client.get("/api/models/"))


def test_search_matches_every_word_of_repo_id_name_or_tags(client) -> None:
    make_model("meta-llama/Llama-3.1-8B-Instruct", tags=["conversational"])
    make_model("Qwen/Qwen2.5-7B", tags=["chat"])
    make_model("meta-llama/Llama-2-7b")
    assert repo_ids(client.get("/api/models/?q=llama 3.1")) == ["meta-llama/Llama-3.1-8B-Instruct"]
    assert repo_ids(client.get("/api/models/?q=qwen")) == ["Qwen/Qwen2.5-7B"]
    assert repo_ids(client.get("/api/models/?q=conversational")) == [
        "meta-llama/Llama-3.1-8B-Instruct"
    ]
    assert len(repo_ids(client.get("/api/models/?q=Llama"))) == 2
    assert repo_ids(client.get("/api/models/?q=mistral")) == []


@pytest.mark.postgres
def test_search_on_postgres_uses_the_gin_index(client) -> None:
    from catalog.filters import model_search
    from catalog.models import Model

    make_models(5)
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        sql, params = model_search(Model.objects.all(), "model").query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "model_search" in plan


def test_model_detail_by_repo_id_with_a_slash(client) -> None:
    base = make_model(
        "meta-llama/Llama-3.1-8B",
        num_layers=32,
        num_kv_heads=8,
        params_by_dtype={"BF16": 8030261248},
    )
    model = make_model("acme/Llama-3.1-8B-ft", base_model=base, base_model_relation="finetune")
    make_alias(model, source="openrouter", alias="acme/llama-3.1-8b-ft")
    body = client.get("/api/models/acme/Llama-3.1-8B-ft/").json()
    assert body["base_model"] == "meta-llama/Llama-3.1-8B"
    assert body["aliases"] == [
        {"source": "openrouter", "alias": "acme/llama-3.1-8b-ft", "rule": "exact_repo"}
    ]
    base_body = client.get("/api/models/meta-llama/Llama-3.1-8B/").json()
    assert base_body["num_layers"] == 32
    assert base_body["params_by_dtype"] == {"BF16": 8030261248}


def test_unknown_model_is_a_404_with_the_error_body(client) -> None:
    response = client.get("/api/models/nobody/nothing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_detail_sends_etag_and_last_modified_and_answers_304(client) -> None:
    make_model("meta-llama/Llama-3.1-8B")
    url = "/api/models/meta-llama/Llama-3.1-8B/"
    response = client.get(url)
    etag, last_modified = response.headers["ETag"], response.headers["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_etag_changes_when_the_model_or_its_aliases_change(client) -> None:
    model = make_model("meta-llama/Llama-3.1-8B")
    url = "/api/models/meta-llama/Llama-3.1-8B/"
    first = client.get(url).headers["ETag"]
    make_alias(model)
    second = client.get(url).headers["ETag"]
    model.save()
    assert len({first, second, client.get(url).headers["ETag"]}) == 3


@pytest.mark.urls("tests.api.urls_extra")
def test_extra_routes_mounted_before_the_router_win_over_the_detail_route(client) -> None:
    make_model("meta-llama/Llama-3.1-8B")
    response = client.get("/api/models/meta-llama/Llama-3.1-8B/offers/")
    assert response.json() == {"offers_for": "meta-llama/Llama-3.1-8B"}
    assert client.get("/api/models/meta-llama/Llama-3.1-8B/").json()["repo_id"] == (
        "meta-llama/Llama-3.1-8B"
    )


def test_api_urls_mount_app_extra_paths_before_the_router() -> None:
    from config import api_urls

    extra = api_urls.extra_urlpatterns
    assert api_urls.urlpatterns[: len(extra)] == extra


def test_list_fast_path_renders_exactly_what_the_generic_serializer_renders() -> None:
    from rest_framework import serializers

    from catalog.api import ModelListOut
    from catalog.models import Model

    make_models(2)
    make_model("closed/bare")  # no org task, nulls everywhere
    for model in Model.objects.select_related("organization", "task"):
        fast = ModelListOut(model).data
        generic = serializers.ModelSerializer.to_representation(ModelListOut(), model)
        assert dict(fast) == dict(generic)


def test_list_pages_are_served_from_the_cache_when_enabled(
    client, settings, django_assert_num_queries
) -> None:
    from django.core.cache import cache

    settings.API_LIST_CACHE_SECONDS = 60
    cache.clear()
    make_models(3)
    first = client.get("/api/models/?page_size=2")
    make_models(1, start=50)
    with django_assert_num_queries(0):
        again = client.get("/api/models/?page_size=2")
    assert again.content == first.content
    assert len(client.get("/api/models/?page_size=10").json()["results"]) == 4
    cache.clear()


def test_modality_filters_and_fields(client) -> None:
    make_model("acme/vlm", input_modalities=["text", "image"], output_modalities=["text"])
    make_model("acme/tts", input_modalities=["text"], output_modalities=["audio"])
    make_model("acme/bare")

    def ids(query: str) -> set[str]:
        return set(repo_ids(client.get(f"/api/models/?{query}")))

    assert ids("input_modality=image") == {"acme/vlm"}
    assert ids("output_modality=audio") == {"acme/tts"}
    assert ids("input_modality=text&output_modality=text") == {"acme/vlm"}
    assert client.get("/api/models/?input_modality=smell").status_code == 400
    row = client.get("/api/models/acme/vlm/").json()
    assert (row["input_modalities"], row["output_modalities"]) == (["text", "image"], ["text"])
    listed = {r["repo_id"]: r for r in client.get("/api/models/").json()["results"]}
    assert listed["acme/tts"]["output_modalities"] == ["audio"]
