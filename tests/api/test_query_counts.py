"""Every list endpoint runs the same number of queries for 1 and 100 rows."""

from __future__ import annotations

import pytest

from catalog.models import Organization, Task
from tests.api.builders import make_feed_with_runs, make_models

pytestmark = pytest.mark.django_db


def grow(kind: str, n: int, start: int) -> None:
    numbers = range(start, start + n)
    if kind == "models":
        make_models(n, start=start)
    elif kind == "tasks":
        Task.objects.bulk_create(Task(slug=f"task-{i}", name=f"Task {i}") for i in numbers)
        for i in numbers:
            make_models(1, start=i, task=f"task-{i}")
    elif kind == "organizations":
        Organization.objects.bulk_create(
            Organization(slug=f"o-{i}", name=f"O {i}") for i in numbers
        )
    elif kind == "feeds":
        for i in numbers:
            make_feed_with_runs(f"feed-{i}", runs=1)


# (url, queries): models = 1 (page joined to organization and task; keyset, no COUNT);
# page-number lists = 2 (COUNT, page); feed runs = 3 (feed by slug, COUNT, page).
@pytest.mark.parametrize(
    ("kind", "url", "queries"),
    [
        ("models", "/api/models/?page_size=200", 1),
        (
            "models",
            "/api/models/?ordering=-downloads&task=text-generation&q=model&page_size=200",
            1,
        ),
        ("tasks", "/api/tasks/?page_size=200", 2),
        ("organizations", "/api/organizations/?page_size=200", 2),
        ("feeds", "/api/feeds/?page_size=200", 2),
    ],
)
def test_list_query_count_does_not_grow_with_rows(
    client, django_assert_num_queries, kind, url, queries
) -> None:
    grow(kind, 1, 0)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    grow(kind, 99, 1)
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert len(response.json()["results"]) >= 100


def test_feed_runs_query_count_does_not_grow_with_rows(client, django_assert_num_queries) -> None:
    make_feed_with_runs("one", runs=1)
    make_feed_with_runs("many", runs=100)
    with django_assert_num_queries(3):
        client.get("/api/feeds/one/runs/")
    with django_assert_num_queries(3):
        assert len(client.get("/api/feeds/many/runs/?page_size=200").json()["results"]) == 100


def test_model_detail_query_count_does_not_grow_with_aliases(
    client, django_assert_num_queries
) -> None:
    from tests.api.builders import make_alias, make_model

    one = make_model("a/one")
    many = make_model("a/many")
    make_alias(one)
    for i in range(100):
        make_alias(many, alias=f"alias-{i}")
    # 1: model joined to organization, task, base model; 2: its aliases
    with django_assert_num_queries(2):
        client.get("/api/models/a/one/")
    with django_assert_num_queries(2):
        assert len(client.get("/api/models/a/many/").json()["aliases"]) == 100
