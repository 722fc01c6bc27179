"""One score per model, metric and category: settings folded into variants."""

from __future__ import annotations

import pytest

from quality.feeds import ScoreRecord
from quality.feeds.variants import fold_variants
from quality.models import Score
from quality.services import leaderboard_sync
from tests.quality.builders import ASR_HEADER, T0, T1, make_hub_model


def rec(name: str, value: float, *, metric: str = "m", category: str = "", setting: str = ""):
    settings = (("effort", setting),) if setting else ()
    return ScoreRecord(
        board="b", source_name=name, metric=metric, value=value, category=category,
        settings=settings,
    )  # fmt: skip


def test_the_best_headline_run_is_kept_with_its_categories_and_the_rest_are_variants() -> None:
    records = [
        (rec("x-low", 60.0, setting="low"), 1),
        (rec("x-low", 90.0, category="coding", setting="low"), 1),
        (rec("x-high", 70.0, setting="high"), 1),
        (rec("x-high", 50.0, category="coding", setting="high"), 1),
        (rec("y", 65.0), 2),
    ]
    kept = fold_variants(records, headline_metric="m", higher_is_better=True)
    by_key = {(k.model_id, k.record.category): k for k in kept}
    assert len(kept) == 3
    # model 1: "x-high" is best on the headline, so its coding row is kept too (50, not 90)
    assert by_key[(1, "")].record.value == 70.0
    assert by_key[(1, "coding")].record.value == 50.0
    assert [v["value"] for v in by_key[(1, "")].variants] == [60.0]
    assert [v["source_name"] for v in by_key[(1, "coding")].variants] == ["x-low"]
    assert by_key[(2, "")].variants == ()


def test_lower_is_better_boards_keep_the_lowest_run() -> None:
    records = [(rec("a", 9.0), 1), (rec("a-v2", 7.0), 1)]
    (kept,) = fold_variants(records, headline_metric="m", higher_is_better=False)
    assert (kept.record.source_name, [v["value"] for v in kept.variants]) == ("a-v2", [9.0])


def test_a_category_the_chosen_run_lacks_keeps_the_first_other_run() -> None:
    records = [
        (rec("a", 1.0), 1),
        (rec("b", 2.0, category="c"), 1),
        (rec("c", 3.0, category="c"), 1),
    ]
    kept = {k.record.category: k for k in fold_variants(records, headline_metric="m",
                                                        higher_is_better=True)}  # fmt: skip
    assert kept["c"].record.source_name == "b"
    assert [v["source_name"] for v in kept["c"].variants] == ["c"]


@pytest.mark.django_db
def test_two_names_of_one_model_give_one_row_and_a_late_link_joins_as_a_variant(tmp_path) -> None:
    whisper = make_hub_model("openai/whisper-large-v3")
    rows = "openai/whisper-large-v3,7.44,145,1.5,Open,1,1,1,1,1,1,1,1\n"
    late = "openai/whisper-late,6.00,145,1.5,Open,1,1,1,1,1,1,1,1\n"
    (tmp_path / "en_shortform.csv").write_text(ASR_HEADER + rows + late)
    leaderboard_sync(source="open_asr", file=tmp_path, now=T0)
    assert Score.objects.filter(model=whisper, metric="wer", category="").count() == 1
    # the second name is linked to the same model by hand, then the same file is reloaded
    from catalog.models import ModelAlias

    ModelAlias.objects.create(
        model=whisper, source="open_asr", alias="openai/whisper-late", rule="manual"
    )
    run = leaderboard_sync(source="open_asr", file=tmp_path, now=T1)
    avg = Score.objects.get(model=whisper, metric="wer", category="")
    assert avg.value == 7.44  # the stored value is never overwritten
    assert [(v["source_name"], v["value"]) for v in avg.variants] == [("openai/whisper-late", 6.0)]
    assert run.created == 10  # avg, 8 sets and RTFx of the late name, each folded as a variant
