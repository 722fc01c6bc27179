"""/api/tasks/, /api/organizations/, /api/feeds/ and /api/feeds/{slug}/runs/."""

from __future__ import annotations

import pytest

from tests.api.builders import make_feed_with_runs, make_models, make_org

pytestmark = pytest.mark.django_db


def test_task_list_counts_models_per_task(client) -> None:
    make_models(3)
    make_models(1, start=10, task="text-to-image")
    body = client.get("/api/tasks/").json()
    assert body["count"] == 2
    assert {r["slug"]: r["model_count"] for r in body["results"]} == {
        "text-generation": 3,
        "text-to-image": 1,
    }


def test_task_detail_by_slug_with_etag(client) -> None:
    make_models(1)
    response = client.get("/api/tasks/text-generation/")
    assert response.json()["model_count"] == 1
    assert (
        client.get("/api/tasks/text-generation/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code
        == 304
    )


def test_organization_list_and_detail(client) -> None:
    make_org("meta-llama")
    make_org("qwen")
    assert [r["slug"] for r in client.get("/api/organizations/").json()["results"]] == [
        "meta-llama",
        "qwen",
    ]
    assert client.get("/api/organizations/qwen/").json()["slug"] == "qwen"
    assert client.get("/api/organizations/none/").status_code == 404


def test_page_number_lists_cap_page_size_at_200(client) -> None:
    for i in range(3):
        make_org(f"org-{i}")
    body = client.get("/api/organizations/?page_size=2").json()
    assert (body["count"], len(body["results"])) == (3, 2)
    assert body["next"].endswith("page=2&page_size=2")


def test_feed_list_and_runs_newest_first(client) -> None:
    make_feed_with_runs("litellm", runs=3)
    feeds = client.get("/api/feeds/").json()["results"]
    assert [f["slug"] for f in feeds] == ["litellm"]
    runs = client.get("/api/feeds/litellm/runs/").json()
    assert runs["count"] == 3
    assert [r["created"] for r in runs["results"]] == [2, 1, 0]
    assert runs["results"][0]["duration_s"] == 60.0


def test_runs_of_an_unknown_feed_are_a_404(client) -> None:
    response = client.get("/api/feeds/nope/runs/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
