"""Quality API and pages: shapes, errors, query counts at two sizes."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string

from catalog.models import FeedRun, Model
from quality import selectors
from quality.models import QualityIndex, Score
from quality.services import leaderboard_sync, quality_index_refresh
from quality.web_context import boards_with_categories
from tests.quality.builders import ASR_HEADER, FIX, T0, asr_rows, make_hub_model

pytestmark = pytest.mark.django_db


def _load_asr(tmp_path: Path, n: int) -> None:
    (tmp_path / "en_shortform.csv").write_text(ASR_HEADER + asr_rows(n))
    for i in range(n):
        make_hub_model(f"org/asr-{i}")
    leaderboard_sync(source="open_asr", file=tmp_path, now=T0)
    quality_index_refresh(now=T0)


@pytest.mark.parametrize("n", [3, 30])
def test_leaderboard_scores_api_query_count_does_not_grow(
    client, tmp_path: Path, n: int, django_assert_num_queries
) -> None:
    _load_asr(tmp_path, n)
    # board (with latest-date annotations); newest snapshot; COUNT; page of scores + joins
    with django_assert_num_queries(4):
        response = client.get("/api/leaderboards/open-asr-en/scores/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == n
    first = body["results"][0]
    assert first["model"] == "org/asr-0"  # lowest WER first: lower is better
    assert first["metric"] == "wer"


@pytest.mark.parametrize("n", [3, 30])
def test_leaderboard_list_and_model_scores_query_counts(
    client, tmp_path: Path, n: int, django_assert_num_queries
) -> None:
    _load_asr(tmp_path, n)
    # COUNT + page of boards with annotations
    with django_assert_num_queries(2):
        boards = client.get("/api/leaderboards/").json()
    assert [b["slug"] for b in boards["results"]] == ["open-asr-en"]
    assert boards["results"][0]["licence"] == "Apache-2.0"
    # model id; COUNT; page of scores joined to snapshot and board
    with django_assert_num_queries(3):
        response = client.get("/api/models/org/asr-1/scores/")
    assert response.status_code == 200
    assert response.json()["count"] == 10


def test_model_scores_api_answers_404_and_400_in_the_error_shape(client) -> None:
    make_hub_model("org/m")
    missing = client.get("/api/models/org/nope/scores/")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    bad = client.get("/api/models/org/m/scores/?as_of=yesterday")
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"] == {"as_of": ["yesterday"]}


@pytest.mark.parametrize("n", [3, 30])
def test_leaderboard_pages_render_with_constant_queries(
    client, tmp_path: Path, n: int, django_assert_num_queries
) -> None:
    _load_asr(tmp_path, n)
    with django_assert_num_queries(1):
        page = client.get("/leaderboards/")
    assert b"Open ASR (English short-form)" in page.content
    # board; newest snapshot; COUNT; page of scores with models
    with django_assert_num_queries(4):
        detail = client.get("/leaderboards/open-asr-en/")
    assert detail.status_code == 200
    assert b"org/asr-0" in detail.content
    assert client.get("/leaderboards/nope/").status_code == 404


def test_model_scores_partial_shows_scores_and_index_with_sources(tmp_path: Path) -> None:
    _load_asr(tmp_path, 2)
    # a model of no task we keep a scale for, without a score
    html = render_to_string("quality/partials/model_scores.html", {"quality_tasks": []})
    assert "Quality unknown" in html
    asr = Model.objects.select_related("task").get(repo_id="org/asr-0")
    scores = list(selectors.score_list_current_for_model(model_id=asr.id))
    html = render_to_string(
        "quality/partials/model_scores.html",
        {  # as quality.web_context builds it: each board's headline, categories apart
            "score_boards": boards_with_categories(scores),
            "quality_tasks": selectors.model_quality(model=asr),
        },
    )
    assert "speech-to-text" in html
    assert "open-asr-en" in html
    assert "Open ASR (English short-form)" in html


def test_quality_index_rows_selector_gives_model_task_value() -> None:
    make_hub_model("BAAI/bge-small-en-v1.5")
    leaderboard_sync(source="mteb", file=FIX / "mteb", now=T0)
    quality_index_refresh(now=T0)
    rows = list(selectors.quality_index_rows(task="embeddings"))
    values = sorted(v for _, _, v in rows)
    assert values == [0.0, 100.0]  # the task's scale: lowest and highest measured model
    assert all(task == "embeddings" for _, task, _ in rows)


def test_sync_quality_command_prints_a_summary_and_fails_on_a_failed_run(tmp_path: Path) -> None:
    out = StringIO()
    call_command("sync_quality", "--source", "mteb", "--file", str(FIX / "mteb"), stdout=out)
    assert "mteb: success created=" in out.getvalue()
    assert "quality index:" in out.getvalue()
    with pytest.raises(CommandError, match="failed: mteb"):
        call_command(
            "sync_quality", "--source", "mteb", "--file", str(tmp_path / "x"), stdout=StringIO()
        )


def test_sync_task_runs_the_service_and_beat_schedules_it_weekly() -> None:
    from config.celery import beat_schedule
    from quality.tasks import leaderboard_sync_task

    run_id = leaderboard_sync_task.delay("mteb", str(FIX / "mteb")).get()
    assert FeedRun.objects.get(pk=run_id).status == FeedRun.Status.SUCCESS
    entry = beat_schedule()["quality-leaderboards-weekly"]
    assert entry["task"] == "quality.tasks.leaderboards_sync_all_task"


def test_index_refresh_drops_rows_whose_scores_are_gone(tmp_path: Path) -> None:
    _load_asr(tmp_path, 2)
    assert QualityIndex.objects.count() == 2
    Score.objects.filter(model__repo_id="org/asr-1").delete()
    assert quality_index_refresh() == 1
    assert list(QualityIndex.objects.values_list("model__repo_id", flat=True)) == ["org/asr-0"]
