"""leaderboard_sync and quality_index_refresh, built with the real services."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from catalog.models import AliasReview, FeedRun, Model, ModelAlias
from quality.models import LeaderboardSnapshot, QualityIndex, Score
from quality.services import leaderboard_sync, quality_index_refresh
from tests.quality.builders import (
    ASR_HEADER,
    FIX,
    T0,
    T1,
    asr_rows,
    make_hub_model,
    source_copy,
)

pytestmark = pytest.mark.django_db
QUERIES_UNCHANGED_RELOAD = 13


def test_lmarena_sync_links_hub_ids_creates_closed_api_models_and_lists_the_rest() -> None:
    llama = make_hub_model("meta-llama/Llama-3.1-405B-Instruct")
    run = leaderboard_sync(source="lmarena", file=FIX / "lmarena", now=T0)
    assert run.status == FeedRun.Status.SUCCESS
    assert run.feed.kind == "quality"
    llama_scores = Score.objects.filter(model=llama)
    assert {(s.snapshot.leaderboard.slug, s.category) for s in llama_scores} == {
        ("lmarena-text-style-control", ""),
        ("lmarena-text-style-control", "coding"),
    }
    assert ModelAlias.objects.get(source="lmarena", alias="llama-3.1-405b-instruct-bf16").rule == (
        "exact_repo"
    )
    # A closed model with a known maker becomes the API-only model pricing feeds also key.
    # A dated snapshot is a snapshot of the vendor model (issue 14): "openai/gpt-4o".
    gpt = Model.objects.get(repo_id="openai/gpt-4o")
    assert (gpt.open_weights, gpt.source) == (False, Model.Source.FEED)
    # No maker, no Hub link: not created, kept on the snapshot's unlinked list.
    snap = LeaderboardSnapshot.objects.get(leaderboard__slug="lmarena-text-style-control")
    assert snap.unlinked == ["mystery-model"]
    assert snap.data_date == T0.date()
    score = Score.objects.get(model=gpt, category="", snapshot=snap)
    assert (score.value, score.ci_low, score.ci_high) == (1300.0, 1295.0, 1305.0)


def test_reloading_the_same_file_changes_nothing() -> None:
    make_hub_model("meta-llama/Llama-3.1-405B-Instruct")
    first = leaderboard_sync(source="lmarena", file=FIX / "lmarena", now=T0)
    rows = Score.objects.count()
    second = leaderboard_sync(source="lmarena", file=FIX / "lmarena", now=T1)
    # 8 records in the two fixture boards: 5 linked, 3 unlinked (mystery-model, flux x2)
    assert first.created == rows == 5
    assert (second.created, second.unchanged, second.rejected) == (0, 8, 0)
    assert Score.objects.count() == rows
    assert LeaderboardSnapshot.objects.count() == 2  # text + image, no new snapshot


def test_a_name_linked_later_gets_its_scores_on_reload() -> None:
    make_hub_model("meta-llama/Llama-3.1-405B-Instruct")
    leaderboard_sync(source="lmarena", file=FIX / "lmarena", now=T0)
    mystery = make_hub_model("someorg/mystery-model")
    run = leaderboard_sync(source="lmarena", file=FIX / "lmarena", now=T1)
    assert run.created == 1
    assert Score.objects.filter(model=mystery).count() == 1
    snap = LeaderboardSnapshot.objects.get(leaderboard__slug="lmarena-text-style-control")
    assert snap.unlinked == []


@pytest.mark.parametrize("n", [3, 60])
def test_unchanged_reload_query_count_does_not_grow_with_rows(
    tmp_path: Path, n: int, django_assert_num_queries
) -> None:
    (tmp_path / "en_shortform.csv").write_text(ASR_HEADER + asr_rows(n))
    for i in range(n - 1):  # the last name stays unlinked, so the retry path runs too
        make_hub_model(f"org/asr-{i}")
    leaderboard_sync(source="open_asr", file=tmp_path, now=T0)
    # feed get; run savepoint + insert + release; load savepoint; board upsert + select;
    # snapshots; retry of the unlinked name (its Hub id in the catalog? a stored alias?);
    # release; run finish; feed last_good_run
    with django_assert_num_queries(QUERIES_UNCHANGED_RELOAD):
        run = leaderboard_sync(source="open_asr", file=tmp_path, now=T1)
    assert (run.created, run.unchanged) == (0, n * 10)  # avg + 8 sets + RTFx


def test_a_new_data_date_adds_a_snapshot_and_as_of_queries_see_the_old_one(
    tmp_path: Path,
) -> None:
    whisper = make_hub_model("openai/whisper-large-v3")
    folder = source_copy(tmp_path, "open_asr")
    leaderboard_sync(source="open_asr", file=folder, now=T0)
    csv = folder / "en_shortform.csv"
    csv.write_text(csv.read_text().replace("7.44,145.51", "7.00,145.51"))
    run = leaderboard_sync(source="open_asr", file=folder, now=T1)
    assert run.status == FeedRun.Status.SUCCESS
    avg = Score.objects.filter(model=whisper, metric="wer", category="")
    assert sorted(avg.values_list("value", flat=True)) == [7.0, 7.44]
    assert avg.as_of(date(2026, 1, 31)).get().value == 7.44


def test_different_scores_under_an_already_loaded_date_are_rejected(tmp_path: Path) -> None:
    make_hub_model("openai/whisper-large-v3")
    folder = source_copy(tmp_path, "open_asr")
    leaderboard_sync(source="open_asr", file=folder, now=T0)
    csv = folder / "en_shortform.csv"
    csv.write_text(csv.read_text().replace("7.44,145.51", "7.00,145.51"))
    run = leaderboard_sync(source="open_asr", file=folder, now=T0)
    assert "a snapshot dated 2026-01-10 already holds different scores" in run.errors[0]
    assert Score.objects.filter(metric="wer", category="", value=7.0).count() == 0


# --- bad input: a clear line, the last good snapshot stays current --------------------

BAD_INPUTS = [
    # (source, file name, content, expected error line (substring), run status)
    ("lmarena", "leaderboard-text-style-control.json", b"[1, 2, 3]", "lmarena: expected", "failed"),
    (
        "lmarena",
        "leaderboard-text-style-control.json",
        (FIX / "lmarena/leaderboard-text-style-control.json").read_bytes()[:150],
        "lmarena: invalid JSON",
        "failed",
    ),
    (
        "lmarena",
        "leaderboard-text-style-control.json",
        b'{"full": {"gpt-4o-2024-08-06": {"rating": 1300, "rating_q025": 1301,'
        b' "rating_q975": 1310}}}',
        "interval [1301, 1310] does not contain the score 1300; row rejected",
        "partial",  # the folder's image board still loads (unchanged)
    ),
    (
        "open_asr",
        "en_shortform.csv",
        (ASR_HEADER + ",7.0,1,1,Open,1,1,1,1,1,1,1,1\n").encode(),
        "open_asr line 2: model name is missing; row rejected",
        "failed",
    ),
    (
        "open_asr",
        "en_shortform.csv",
        (ASR_HEADER + "openai/whisper-large-v3,-1.5,1,1,Open,1,1,1,1,1,1,1,1\n").encode(),
        "Avg. WER -1.5 is below 0; row rejected",
        "failed",
    ),
    (
        "open_asr",
        "en_shortform.csv",
        (ASR_HEADER + "openai/whisper-large-v3,seven,1,1,Open,1,1,1,1,1,1,1,1\n").encode(),
        "Avg. WER 'seven' is not a number; row rejected",
        "failed",
    ),
    (
        "open_asr",
        "en_shortform.csv",
        (FIX / "open_asr/en_shortform.csv").read_bytes()
        + b"openai/whisper-large-v3,9.0,1,1,Open,1,1,1,1,1,1,1,1\n",
        "model 'openai/whisper-large-v3': duplicate row for this model; the first row was kept",
        "partial",
    ),
    (
        "open_asr",
        "en_shortform.csv",
        (FIX / "mteb/mteb_eng_v2_summary.csv").read_bytes(),
        "not an Open ASR leaderboard",
        "failed",
    ),
    (
        "aider",
        "polyglot_leaderboard.yml",
        b"- {model: gpt-4o-2024-08-06, pass_rate_2: 180.0, command: aider --model gpt-4o}\n",
        "pass_rate_2 180 is above 100; row rejected",
        "failed",
    ),
    (
        "aider",
        "polyglot_leaderboard.yml",
        b"- {model: gpt-4o-2024-08-06, pass_rate_2: lots}\n",
        "pass_rate_2 'lots' is not a number; row rejected",
        "failed",
    ),
    (
        "open_asr",
        "en_shortform.csv",
        (ASR_HEADER + "openai/whisper-large-v3,7.4\n").encode(),
        "wrong number of cells (truncated?); row rejected",
        "failed",
    ),
]


@pytest.mark.parametrize(("source", "name", "content", "line", "status"), BAD_INPUTS)
def test_bad_input_gives_a_clear_line_and_keeps_the_last_good_snapshot(
    tmp_path: Path, source: str, name: str, content: bytes, line: str, status: str
) -> None:
    make_hub_model("openai/whisper-large-v3")
    folder = source_copy(tmp_path, source)
    good = leaderboard_sync(source=source, file=folder, now=T0)
    assert good.status == FeedRun.Status.SUCCESS
    snapshots = list(LeaderboardSnapshot.objects.order_by("id").values_list("id", flat=True))
    scores = Score.objects.count()
    (folder / name).write_bytes(content)
    run = leaderboard_sync(source=source, file=folder, now=T1)
    assert run.status == status
    assert any(line in e for e in run.errors), run.errors
    assert list(LeaderboardSnapshot.objects.order_by("id").values_list("id", flat=True)) == (
        snapshots
    )
    assert Score.objects.count() == scores
    run.feed.refresh_from_db()
    assert run.feed.last_good_run_id == (run.id if status == "partial" else good.id)


def test_a_missing_path_fails_the_run(tmp_path: Path) -> None:
    run = leaderboard_sync(source="mteb", file=tmp_path / "nope", now=T0)
    assert run.status == FeedRun.Status.FAILED
    assert "no file or folder at" in run.errors[0]


# --- every source, then the index ---------------------------------------------------


def test_all_sources_load_and_the_index_is_materialized() -> None:
    make_hub_model("meta-llama/Llama-3.1-405B-Instruct")
    make_hub_model("BAAI/bge-small-en-v1.5")
    make_hub_model("openai/whisper-large-v3")
    make_hub_model("black-forest-labs/FLUX.1-dev")
    for source in ("lmarena", "livebench", "aider", "mteb", "open_asr"):
        run = leaderboard_sync(source=source, file=FIX / source, now=T0)
        assert run.status == FeedRun.Status.SUCCESS, run.errors
    # gpt-4o ran twice: one row per model, its best run, the other run kept as a variant
    aider = Score.objects.get(
        snapshot__leaderboard__slug="aider-polyglot",
        metric="pass_rate_2",
        model__repo_id="openai/gpt-4o",
    )
    assert (aider.value, aider.setting) == (20.0, "edit_format=whole;reasoning_effort=high")
    assert str(aider.total_cost_usd) == "9.5000"
    assert [(v["setting"], v["value"], v["total_cost_usd"]) for v in aider.variants] == [
        ("edit_format=diff", 18.2, "7.0286")
    ]
    assert aider.snapshot.data_date == date(2025, 1, 3)  # newest row date of the file
    assert quality_index_refresh(now=T0) == QualityIndex.objects.count()
    index = {
        (q.model.repo_id, q.task): q.value for q in QualityIndex.objects.select_related("model")
    }
    # each task's scale runs from its lowest (0) to its highest (100) measured model
    assert index[("openai/whisper-large-v3", "speech-to-text")] == 0.0  # WER 7.44 vs 6.88
    assert index[("elevenlabs/scribe_v1", "speech-to-text")] == 100.0
    assert index[("BAAI/bge-small-en-v1.5", "embeddings")] == 0.0  # 62.5 vs 64.0
    assert index[("black-forest-labs/FLUX.1-dev", "text-to-image")] == 100.0
    assert index[("openai/gpt-4o", "chat")] == 100.0  # ahead on both boards
    assert not QualityIndex.objects.filter(uncertainty__isnull=True).exists()
    assert not AliasReview.objects.exists()
