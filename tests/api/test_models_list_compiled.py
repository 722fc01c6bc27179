"""The unfiltered model list runs its page SQL compiled once per shape
(config.api.CompiledValuesQuery): every page, forwards and backwards, equals what the
ORM path (the same order asked through the FilterSet) returns, and later pages reuse
the compiled SQL with their own cursor values."""

from __future__ import annotations

from typing import Any

import pytest

from config import api as config_api
from tests.api.builders import make_model, make_models

pytestmark = pytest.mark.django_db


def walk(client: Any, url: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every result following `next` links, then every result following `previous`
    links back from the last page (in page order)."""
    forward, page = [], client.get(url).json()
    forward.extend(page["results"])
    while page["next"]:
        page = client.get(page["next"]).json()
        forward.extend(page["results"])
    backward = list(page["results"])
    while page["previous"]:
        page = client.get(page["previous"]).json()
        backward = page["results"] + backward
    return forward, backward


def test_compiled_pages_equal_the_orm_pages(client) -> None:
    make_models(11)
    make_model("zz-org/no-task-model", tags=["a", "b"], hub_modified_at=None)
    config_api._COMPILED.clear()

    fast, fast_back = walk(client, "/api/models/?page_size=3")
    orm, orm_back = walk(client, "/api/models/?ordering=repo_id&page_size=3")

    assert len(fast) == 12
    assert fast == orm == fast_back == orm_back
    assert [row["repo_id"] for row in fast] == sorted(row["repo_id"] for row in fast)
    shapes = {key[5] for key in config_api._COMPILED if key[0] == "models"}
    assert shapes == {False, True}  # the first page and the cursor pages, compiled once each


def test_compiled_page_sees_new_rows_and_rejects_a_bad_cursor(client) -> None:
    make_models(2)
    assert len(client.get("/api/models/").json()["results"]) == 2
    make_models(3, start=2)
    assert len(client.get("/api/models/").json()["results"]) == 5
    response = client.get("/api/models/?cursor=eyJ2IjogMX0=")  # {"v": 1}: no key
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"cursor": ["Invalid cursor."]}
