"""Quality index: hand-checked numbers, no database."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from quality.index import (
    IDENTITY,
    MINMAX,
    WER,
    Component,
    ScoreInput,
    combine,
    normalize,
    quality_indexes_compute,
)

D = date(2025, 12, 11)


@pytest.mark.parametrize(
    ("values", "scale", "expected"),
    [
        ([10.0, 55.5, 120.0, -3.0], IDENTITY, [10.0, 55.5, 100.0, 0.0]),
        ([1000.0, 1250.0, 1500.0], MINMAX, [0.0, 50.0, 100.0]),
        ([1200.0, math.nan, 1300.0], MINMAX, [0.0, math.nan, 100.0]),
        ([1234.0], MINMAX, [100.0]),  # a board of one model
        ([0.0, 7.5, 50.0, 80.0], WER, [100.0, 85.0, 0.0, 0.0]),  # 100 - 2 * WER, clipped
    ],
)
def test_normalize_maps_scores_to_0_100(values: list, scale: str, expected: list) -> None:
    got = normalize(np.array(values), scale)
    np.testing.assert_allclose(got, expected, equal_nan=True)


@pytest.mark.parametrize(
    ("row", "weights", "expected"),
    [
        ([80.0, 60.0], [1.0, 1.0], 70.0),
        ([80.0, math.nan], [1.0, 1.0], 80.0),  # missing component: mean of the others
        ([90.0, 30.0], [2.0, 1.0], 70.0),  # (2*90 + 30) / 3
        ([math.nan, math.nan], [1.0, 1.0], math.nan),  # nothing applies: missing
    ],
)
def test_combine_is_a_weighted_mean_over_present_components(
    row: list, weights: list, expected: float
) -> None:
    got = combine(np.array([row]), weights)[0]
    assert (math.isnan(got) and math.isnan(expected)) or got == pytest.approx(expected)


def test_chat_index_averages_normalized_arena_and_livebench_with_sources() -> None:
    scores = [
        ScoreInput(1, "lmarena-text-style-control", "arena_score", 1400.0, data_date=D),
        ScoreInput(2, "lmarena-text-style-control", "arena_score", 1200.0, data_date=D),
        ScoreInput(3, "lmarena-text-style-control", "arena_score", 1300.0, data_date=D),
        ScoreInput(1, "livebench", "score", 70.0, data_date=date(2026, 1, 8)),
        ScoreInput(1, "livebench", "score", 76.0, data_date=date(2026, 1, 8)),  # better setting
    ]
    values = {(v.model_id, v.task): v for v in quality_indexes_compute(scores)}
    # model 1: arena 100 (best), LiveBench best setting 76 -> (100 + 76) / 2 = 88
    assert values[(1, "chat")].value == 88.0
    assert values[(2, "chat")].value == 0.0
    assert values[(3, "chat")].value == 50.0
    src = [s.as_json() for s in values[(1, "chat")].sources]
    assert src == [
        {
            "board": "lmarena-text-style-control",
            "metric": "arena_score",
            "category": "",
            "date": "2025-12-11",
            "raw": 1400.0,
            "normalized": 100.0,
        },
        {
            "board": "livebench",
            "metric": "score",
            "category": "",
            "date": "2026-01-08",
            "raw": 76.0,
            "normalized": 76.0,
        },
    ]


def test_code_index_uses_arena_coding_aider_and_livebench_coding() -> None:
    scores = [
        ScoreInput(1, "lmarena-text-style-control", "arena_score", 1300.0, "coding"),
        ScoreInput(2, "lmarena-text-style-control", "arena_score", 1200.0, "coding"),
        ScoreInput(1, "aider-polyglot", "pass_rate_2", 60.0),
        ScoreInput(1, "livebench", "score", 50.0, "Coding"),
        ScoreInput(2, "livebench", "score", 99.0, "Mathematics"),  # not a code score
    ]
    values = {(v.model_id, v.task): v.value for v in quality_indexes_compute(scores)}
    assert values[(1, "code")] == 70.0  # (100 + 60 + 50) / 3
    assert values[(2, "code")] == 0.0
    assert (2, "chat") not in values


def test_speech_index_is_100_minus_scaled_wer_and_mteb_needs_every_task() -> None:
    scores = [
        ScoreInput(1, "open-asr-en", "wer", 7.5),
        ScoreInput(2, "mteb-eng-v2", "mean_task", 62.5, samples=41),
        ScoreInput(3, "mteb-eng-v2", "mean_task", 70.0, samples=27),  # incomplete: ignored
    ]
    values = {(v.model_id, v.task): v.value for v in quality_indexes_compute(scores)}
    assert values == {(1, "speech-to-text"): 85.0, (2, "embeddings"): 62.5}


def test_index_is_missing_when_no_score_applies() -> None:
    scores = [ScoreInput(1, "open-asr-en", "rtfx", 140.0)]  # speed is not quality
    assert quality_indexes_compute(scores) == []


def test_custom_components_and_weights() -> None:
    comps = {"x": (Component("a", "m", weight=3.0), Component("b", "m", weight=1.0))}
    scores = [ScoreInput(1, "a", "m", 40.0), ScoreInput(1, "b", "m", 80.0)]
    (value,) = quality_indexes_compute(scores, components=comps)
    assert value.value == 50.0  # (3*40 + 80) / 4
