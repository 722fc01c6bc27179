"""The quality index in the API and on pages: value ± interval, unknown is not 0."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.template.loader import render_to_string

from catalog.models import Model, Organization, Task
from quality import selectors, web_context
from quality.services import leaderboard_sync, quality_index_refresh
from tests.quality.builders import FIX, T0, make_hub_model

pytestmark = pytest.mark.django_db

ARENA = "lmarena-text-style-control"


def _arena_file(tmp_path: Path, n: int) -> Path:
    """An LMArena style-control board of n open models named org/chat-<i>, with CIs."""
    rows = ", ".join(
        f'"chat-{i}": {{"rating": {1000 + 10 * i}, "rating_q025": {995 + 10 * i}, '
        f'"rating_q975": {1005 + 10 * i}}}'
        for i in range(n)
    )
    folder = tmp_path / "lmarena"
    folder.mkdir()
    (folder / "leaderboard-text-style-control.json").write_text(f'{{"full": {{{rows}}}}}')
    table = "key,Model,Organization,Link\n" + "".join(
        f"chat-{i},Chat {i},org,https://huggingface.co/org/chat-{i}\n" for i in range(n)
    )
    (folder / "leaderboard_table_20250511.csv").write_text(table)
    return folder


def _chat_models(tmp_path: Path, n: int) -> list[Model]:
    task, _ = Task.objects.get_or_create(slug="text-generation", defaults={"name": "Text"})
    models = [make_hub_model(f"org/chat-{i}") for i in range(n)]
    Model.objects.filter(pk__in=[m.pk for m in models]).update(task=task, open_weights=True)
    leaderboard_sync(source="lmarena", file=_arena_file(tmp_path, n), now=T0)
    quality_index_refresh(now=T0)
    return models


def _closed_chat_model() -> Model:
    org, _ = Organization.objects.get_or_create(slug="vendor", defaults={"name": "Vendor"})
    task, _ = Task.objects.get_or_create(slug="text-generation", defaults={"name": "Text"})
    return Model.objects.create(
        repo_id="vendor/closed-1", name="closed-1", organization=org, task=task,
        open_weights=False, source=Model.Source.FEED,
    )  # fmt: skip


def test_model_quality_api_gives_value_interval_and_unknown_tasks(client, tmp_path) -> None:
    _chat_models(tmp_path, 3)
    body = client.get("/api/models/org/chat-2/quality/").json()
    by_task = {row["task"]: row for row in body}
    chat = by_task["chat"]
    assert chat["status"] == "measured"
    assert chat["value"] == 100.0
    assert chat["uncertainty"] > 0
    assert chat["low"] == pytest.approx(100.0 - chat["uncertainty"])
    assert chat["high"] == pytest.approx(100.0 + chat["uncertainty"])  # may pass the top
    assert chat["sources"][0]["board"] == ARENA
    # a text-generation model has a code scale too; no code board scored it: unknown, not 0
    assert by_task["code"]["status"] == "unknown"
    assert by_task["code"]["value"] is None


def test_a_closed_model_without_a_board_says_its_quality_is_unknown(client) -> None:
    _closed_chat_model()
    body = client.get("/api/models/vendor/closed-1/quality/").json()
    assert {row["task"] for row in body} == {"chat", "code"}
    assert all(row["status"] == "unknown" and row["value"] is None for row in body)
    assert "Closed model" in body[0]["note"]
    missing = client.get("/api/models/vendor/nope/quality/")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("n", [3, 30])
def test_quality_index_api_lists_values_with_intervals_in_constant_queries(
    client, tmp_path: Path, n: int, django_assert_num_queries
) -> None:
    _chat_models(tmp_path, n)
    # COUNT; page of index rows joined to their models
    with django_assert_num_queries(2):
        body = client.get("/api/quality-index/?task=chat").json()
    assert body["count"] == n
    top = body["results"][0]
    assert (top["model"], top["task"], top["value"]) == (f"org/chat-{n - 1}", "chat", 100.0)
    assert top["low"] == pytest.approx(top["value"] - top["uncertainty"])


@pytest.mark.parametrize("n", [3, 30])
def test_index_page_shows_plus_minus_in_constant_queries(
    client, tmp_path: Path, n: int, django_assert_num_queries
) -> None:
    _chat_models(tmp_path, n)
    # tasks; COUNT; page of rows with models
    with django_assert_num_queries(3):
        page = client.get("/leaderboards/index/?task=chat")
    assert page.status_code == 200
    assert "100.0 ± " in page.content.decode()
    assert b"How the scale is built" in page.content


def test_model_page_section_says_unknown_for_a_closed_model_without_scores() -> None:
    model = Model.objects.select_related("task").get(pk=_closed_chat_model().pk)
    html = render_to_string(
        "quality/partials/model_scores.html", web_context.model_detail(model=model)
    )
    assert "unknown" in html
    assert "Closed model with no score on a public leaderboard" in html
    assert "0.0" not in html


def test_model_page_section_shows_value_plus_minus_and_other_runs(tmp_path) -> None:
    make_hub_model("openai/gpt-4o-2024-08-06")
    leaderboard_sync(source="aider", file=FIX / "aider", now=T0)
    quality_index_refresh(now=T0)
    model = Model.objects.select_related("task").get(repo_id="openai/gpt-4o-2024-08-06")
    context = web_context.model_detail(model=model)
    html = render_to_string("quality/partials/model_scores.html", context)
    assert " ± " in html
    assert "other runs: gpt-4o-2024-08-06 (edit_format=diff) 18.20" in html


def test_compare_cells_say_unknown_rather_than_zero(tmp_path) -> None:
    models = _chat_models(tmp_path, 3)
    closed = _closed_chat_model()
    (row,) = web_context.compare(models=[models[2], closed])["compare_quality_rows"]
    assert row["cells"][0].startswith("100.0 ± ")
    assert row["cells"][1] == "unknown"


def test_model_quality_selector_is_one_query(tmp_path, django_assert_num_queries) -> None:
    _chat_models(tmp_path, 3)
    model = Model.objects.select_related("task").get(repo_id="org/chat-0")
    with django_assert_num_queries(1):
        rows = selectors.model_quality(model=model, scored_boards={ARENA})
    assert [(r.task, r.status) for r in rows] == [("chat", "measured"), ("code", "unknown")]


def test_scores_that_do_not_enter_the_index_are_named_as_the_reason(tmp_path) -> None:
    task, _ = Task.objects.get_or_create(slug="feature-extraction", defaults={"name": "FE"})
    Model.objects.filter(pk=make_hub_model("someone/partial-embedder").pk).update(task=task)
    leaderboard_sync(source="mteb", file=FIX / "mteb", now=T0)  # 27 of 41 tasks
    quality_index_refresh(now=T0)
    partial = Model.objects.select_related("task").get(repo_id="someone/partial-embedder")
    (row,) = selectors.model_quality(model=partial)
    assert row.status == "unknown"
    assert row.note.startswith("Its scores on mteb-eng-v2 do not enter the embeddings index")
