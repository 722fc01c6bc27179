"""hub_load: the PostgreSQL COPY path writes what the bulk_create reference path writes."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from django.db import connection

from catalog.hub import HubClient
from catalog.hub_parse import parse_config, parse_model
from catalog.models import FeedRun, Model
from catalog.sanitize import sanitize_html
from catalog.services.hub import hub_sync
from catalog.services.hub_facts import WRITTEN_FIELDS
from catalog.services.hub_load import (
    COPY_COLUMNS,
    DIMS_FIELDS,
    LISTING_FIELDS,
    HubRow,
    models_upsert,
    text_array,
)
from tests.catalog.conftest import FIXTURES, listing_fixture, synthetic_models
from tests.fakes.hub import FakeHub
from tests.fakes.server import Response

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the COPY path is PostgreSQL only"
)
METHODS = ["bulk", pytest.param("copy", marks=postgres_only)]

# Every field a sync writes (FKs by natural key, so ids of two runs compare equal).
SYNCED = [
    "repo_id",
    "organization__slug",
    "task__slug",
    "base_model__repo_id",
    "family",
    "description",
    *[f for f in LISTING_FIELDS if f not in ("organization", "task", "updated_at")],
    *DIMS_FIELDS,
    # resolved after the upsert (catalog.services.hub_facts), the same on both paths
    *[f for f in WRITTEN_FIELDS if f not in DIMS_FIELDS],
]
HOSTILE = '<p onclick="steal()">Card <script>alert(1)</script><a href="javascript:x">x</a></p>'


def _rows_page_1() -> list[HubRow]:
    """The fixture listing, dims from the fixture configs, one card with hostile HTML."""
    configs = json.loads((FIXTURES / "configs.json").read_text())
    rows = []
    for entry in listing_fixture():
        record = parse_model(entry)
        if record.repo_id == "meta-llama/Llama-3.1-8B":
            record = replace(record, description=HOSTILE)
        config = configs.get(record.repo_id)
        rows.append(HubRow(record=record, dims=parse_config(config) if config else None))
    return rows


def _rows_page_2(page_1: list[HubRow]) -> list[HubRow]:
    """Updates of page 1 (changed counts, dims dropped or kept, card text emptied) + new."""
    rows = []
    for index, row in enumerate(page_1):
        record = replace(row.record, downloads=row.record.downloads + 7, description="")
        if index == 1:
            record = replace(record, description="<b>new card</b>")
        rows.append(HubRow(record=record, dims=row.dims if index % 2 else None))
    child = parse_model(
        {
            "id": "someone/llama-child",
            "tags": ["base_model:finetune:meta-llama/Llama-3.1-8B", "license:mit"],
            "sha": "c" * 40,
        }
    )
    orphan = parse_model({"id": "someone/orphan", "tags": ["base_model:nobody/none"]})
    return [*rows, HubRow(record=child, dims=None), HubRow(record=orphan, dims=None)]


def _state() -> list[tuple]:
    return list(Model.objects.order_by("repo_id").values_list(*SYNCED))


def _known() -> dict[str, int]:
    return dict(Model.objects.values_list("repo_id", "id"))


def _sync_twice(method: str, *, pass_known: bool = False) -> tuple[list[tuple], list[tuple]]:
    Model.objects.all().delete()
    page_1 = _rows_page_1()
    models_upsert(page_1, method=method, known=_known() if pass_known else None)
    first = _state()
    models_upsert(_rows_page_2(page_1), method=method, known=_known() if pass_known else None)
    return first, _state()


@postgres_only
def test_copy_and_bulk_paths_write_identical_rows() -> None:
    bulk_first, bulk_second = _sync_twice("bulk")
    known_first, known_second = _sync_twice("copy", pass_known=True)  # as hub_sync calls it
    copy_first, copy_second = _sync_twice("copy")
    assert copy_first == known_first == bulk_first
    assert copy_second == known_second == bulk_second
    # The comparison has teeth: links, dims and the update all happened.
    child = Model.objects.get(repo_id="meta-llama/Llama-3.1-8B-Instruct")
    assert child.base_model.repo_id == "meta-llama/Llama-3.1-8B"
    assert Model.objects.get(repo_id="someone/llama-child").base_model.repo_id == (
        "meta-llama/Llama-3.1-8B"
    )
    assert Model.objects.get(repo_id="someone/orphan").base_model is None
    assert Model.objects.get(repo_id="Qwen/Qwen3-30B-A3B").num_experts == 128
    assert len(copy_second) == len(listing_fixture()) + 2


@pytest.mark.parametrize("method", METHODS)
def test_update_keeps_created_at_and_sets_updated_at(method: str) -> None:
    page_1 = _rows_page_1()
    models_upsert(page_1, method=method)
    before = dict(Model.objects.values_list("repo_id", "created_at"))
    updated_before = dict(Model.objects.values_list("repo_id", "updated_at"))
    models_upsert(_rows_page_2(page_1), method=method)
    after = Model.objects.in_bulk(field_name="repo_id")
    for repo_id, created_at in before.items():
        assert after[repo_id].created_at == created_at
        assert after[repo_id].updated_at > updated_before[repo_id]
    # Listing-only rows keep the dims they had; rows with dims get them.
    llama = after["meta-llama/Llama-3.1-8B"]  # index 0: no dims on page 2
    assert (llama.num_layers, llama.config_sha) == (32, llama.sha)


@pytest.mark.parametrize("method", METHODS)
def test_card_html_is_sanitized_at_ingest_and_kept_when_the_listing_has_none(
    method: str,
) -> None:
    page_1 = _rows_page_1()
    models_upsert(page_1, method=method)
    stored = Model.objects.get(repo_id="meta-llama/Llama-3.1-8B").description
    assert stored == sanitize_html(HOSTILE)
    assert "Card" in stored
    for bad in ("<script", "onclick", "javascript:", "alert(1)"):
        assert bad not in stored
    models_upsert(_rows_page_2(page_1), method=method)  # page 2 has no card text for it
    assert Model.objects.get(repo_id="meta-llama/Llama-3.1-8B").description == stored
    second = Model.objects.get(repo_id=page_1[1].record.repo_id)
    assert second.description == "<b>new card</b>"


def test_hub_listing_leaves_description_empty(fake_hub: FakeHub) -> None:
    hub_sync(limit=100)
    assert not Model.objects.exclude(description="").exists()


def test_copy_columns_cover_every_model_column() -> None:
    columns = {
        f.column
        for f in Model._meta.concrete_fields
        if not f.primary_key
        and not getattr(f, "generated", False)  # db-computed columns
        and f.name not in Model.DERIVED_FIELDS  # written only by their refresh services
    }
    assert set(COPY_COLUMNS) == columns
    assert len(COPY_COLUMNS) == len(set(COPY_COLUMNS))
    assert list(COPY_COLUMNS[-len(DIMS_FIELDS) :]) == DIMS_FIELDS


def test_unchanged_pages_resume_from_the_last_saved_cursor(fake_hub: FakeHub) -> None:
    """A re-sync defers the save of all-unchanged pages; a failure later still leaves a
    cursor and counts that agree, and the resumed run ends with the right totals."""
    fake_hub.set_models(synthetic_models(15))
    hub_sync(limit=100, page_size=5)
    fake_hub.faults["page:2"] = [Response(502, b"bad gateway")] * 50  # third page, 0-based
    client = HubClient(endpoint=fake_hub.server.base_url, max_retries=0, sleep=lambda _s: None)
    failed = hub_sync(limit=100, page_size=5, client=client)
    assert failed.status == FeedRun.Status.FAILED
    failed.refresh_from_db()
    assert (failed.unchanged, failed.pages_done) == (10, 2)
    assert failed.cursor  # the third page's URL: fetched again on resume
    fake_hub.faults.clear()
    resumed = hub_sync(limit=100, page_size=5)
    assert resumed.pk == failed.pk
    assert (resumed.status, resumed.unchanged, resumed.created, resumed.pages_done) == (
        FeedRun.Status.SUCCESS,
        15,
        0,
        3,
    )


@postgres_only
@pytest.mark.parametrize(
    "values",
    [
        [],
        [""],
        ["only"],
        ["a/b", "", "c d", '{"x"}', "back\\slash", "NULL", "é"],
        ["has\x1fseparator", "plain"],
    ],
)
def test_text_array_round_trips_every_value(values: list[str]) -> None:
    sql, param = text_array(values)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", [param])
        assert cursor.fetchone()[0] == values
