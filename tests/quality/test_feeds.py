"""Pure parsers: small fixtures, bad rows, documents of another source (no database)."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from quality.feeds import FeedFormatError
from quality.feeds.aider import command_model_id, parse_aider, wilson_interval_pct
from quality.feeds.intervals import interval, mean_se, residual_sd
from quality.feeds.livebench import (
    parse_livebench,
    parse_livebench_categories,
    parse_livebench_links,
    split_settings,
)
from quality.feeds.lmarena import parse_lmarena, parse_lmarena_metadata
from quality.feeds.mteb import parse_mteb, parse_mteb_task_types
from quality.feeds.open_asr import parse_open_asr
from quality.fetch import source_read

FIX = Path(__file__).parent / "fixtures"


def _lb_categories() -> dict[str, list[str]]:
    return parse_livebench_categories((FIX / "livebench/categories_2026_01_08.json").read_bytes())


def test_lmarena_reads_overall_and_categories_with_intervals_and_hub_links() -> None:
    meta = parse_lmarena_metadata((FIX / "lmarena/leaderboard_table_20250511.csv").read_bytes())
    records, errors = parse_lmarena(
        (FIX / "lmarena/leaderboard-text-style-control.json").read_bytes(),
        board="lmarena-text-style-control",
        metadata=meta,
    )
    assert errors == []
    assert len(records) == 5
    llama = next(r for r in records if r.source_name.startswith("llama") and r.category == "")
    assert (llama.value, llama.ci_low, llama.ci_high) == (1250.0, 1244.0, 1256.0)
    assert llama.hub_repo_id == "meta-llama/Llama-3.1-405B-Instruct"
    assert llama.open_weights is True
    gpt = next(r for r in records if r.source_name == "gpt-4o-2024-08-06" and r.category)
    assert (gpt.category, gpt.organization_hint, gpt.open_weights) == ("coding", "OpenAI", False)


def test_livebench_computes_category_and_global_averages_and_splits_settings() -> None:
    links = parse_livebench_links((FIX / "livebench/model_links.json").read_bytes())
    records, errors = parse_livebench(
        (FIX / "livebench/table_2026_01_08.csv").read_bytes(),
        categories=_lb_categories(),
        links=links,
        release=date(2026, 1, 8),
    )
    assert errors == []
    by = {(r.source_name, r.category): r for r in records}
    # Coding = (70 + 50) / 2 = 60; Mathematics = (40 + 20) / 2 = 30; global = 45
    assert by[("gpt-4o-2024-08-06", "Coding")].value == 60.0
    assert by[("gpt-4o-2024-08-06", "")].value == 45.0
    high = by[("gpt-4o-2024-08-06-high", "")]
    assert (high.link_name, high.setting, high.value) == (
        "gpt-4o-2024-08-06",
        "reasoning_effort=high",
        60.0,  # Coding 70, Mathematics 50
    )
    # an empty task cell is "not run": the category mean uses the tasks present
    assert by[("llama-3.1-405b-instruct", "Coding")].value == 40.0
    assert by[("llama-3.1-405b-instruct", "")].hub_repo_id == "meta-llama/Llama-3.1-405B-Instruct"
    assert all(r.data_date == date(2026, 1, 8) for r in records)


@pytest.mark.parametrize(
    ("key", "name", "expected"),
    [
        ("gpt-5-mini-high", "gpt-5-mini", {"reasoning_effort": "high"}),
        (
            "claude-opus-4-5-20251101-thinking-64k-high-effort",
            "claude-opus-4-5-20251101",
            {"reasoning_effort": "high", "thinking": "64k"},
        ),
        ("claude-4-1-opus-20250805-base", "claude-4-1-opus-20250805", {"thinking": "off"}),
        ("gemini-2.5-pro-06-05-highthinking", "gemini-2.5-pro-06-05", {"thinking": "high"}),
        ("kimi-k2-thinking", "kimi-k2-thinking", {}),
        ("grok-4-1-fast-reasoning", "grok-4-1-fast-reasoning", {}),
    ],
)
def test_livebench_setting_suffixes_are_split_but_product_names_kept(
    key: str, name: str, expected: dict
) -> None:
    assert split_settings(key) == (name, expected)


def test_aider_reads_pass_rates_cost_settings_and_command_model_id() -> None:
    records, errors = parse_aider((FIX / "aider/polyglot_leaderboard.yml").read_bytes())
    assert errors == []
    headline = [r for r in records if r.metric == "pass_rate_2"]
    assert len(headline) == 3
    first = headline[0]
    assert first.total_cost_usd == Decimal("7.0286")
    assert (first.samples, first.setting) == (225, "edit_format=diff")
    llama = headline[1]
    assert llama.total_cost_usd is None  # 0 means unknown, not free
    assert llama.link_name == "openrouter/meta-llama/llama-3.1-405b-instruct"
    assert llama.organization_hint == "meta-llama"
    assert headline[2].setting == "edit_format=whole;reasoning_effort=high"
    assert command_model_id("aider --model xai/grok-3-mini-beta --reasoning-effort high") == (
        "xai/grok-3-mini-beta"
    )


@pytest.mark.parametrize(
    ("rate", "n", "expected"),
    [
        # Wilson 95% bounds, hand-checked: p=0.5, n=225: 0.5 ± 1.92712·0.033617
        (50.0, 225, (43.52, 56.48)),
        (0.0, 225, (0.0, 1.68)),  # upper bound z²/(n+z²) = 0.016787
        (100.0, 225, (98.32, 100.0)),
        (18.2, 225, (13.7, 23.77)),
    ],
)
def test_aider_pass_rates_carry_a_wilson_interval_over_the_test_cases(
    rate: float, n: int, expected: tuple
) -> None:
    assert wilson_interval_pct(rate, n) == expected


def test_aider_records_store_the_interval_of_their_test_cases() -> None:
    records, _ = parse_aider((FIX / "aider/polyglot_leaderboard.yml").read_bytes())
    first = next(r for r in records if r.metric == "pass_rate_2")
    assert (first.value, first.ci_low, first.ci_high) == (18.2, 13.7, 23.77)


def test_mteb_reads_means_per_type_and_task_with_task_count() -> None:
    types = parse_mteb_task_types((FIX / "mteb/mteb_eng_v2_task_types.json").read_bytes())
    records, errors = parse_mteb(
        (FIX / "mteb/mteb_eng_v2_summary.csv").read_bytes(), task_types=types
    )
    assert errors == []
    by = {(r.source_name, r.metric, r.category): r for r in records}
    bge = by[("BAAI/bge-small-en-v1.5", "mean_task", "")]
    assert (bge.value, bge.samples, bge.hub_repo_id) == (62.5, 41, "BAAI/bge-small-en-v1.5")
    assert by[("BAAI/bge-small-en-v1.5", "mean_task", "STS")].value == 75.0
    assert by[("BAAI/bge-small-en-v1.5", "main_score", "Retrieval/ArguAna")].value == 50.0
    api = by[("openai/text-embedding-3-small", "mean_task", "")]
    assert (api.hub_repo_id, api.organization_hint, api.open_weights) == ("", "openai", False)


def test_open_asr_reads_wer_per_set_and_rtfx_only_when_measured() -> None:
    records, errors = parse_open_asr((FIX / "open_asr/en_shortform.csv").read_bytes())
    assert errors == []
    by = {(r.source_name, r.metric, r.category): r.value for r in records}
    assert by[("openai/whisper-large-v3", "wer", "")] == 7.44
    assert by[("openai/whisper-large-v3", "wer", "LS Clean")] == 2.01
    assert by[("openai/whisper-large-v3", "rtfx", "")] == 145.51
    assert ("elevenlabs/scribe_v1", "rtfx", "") not in by  # -1 = not measured


# --- bad input: one clear line per rejected record ------------------------------------

ASR_HEADER = (
    "model,Avg. WER,RTFx,Model size (B),License,AMI WER,Earnings22 WER,Gigaspeech WER,"
    "LS Clean WER,LS Other WER,SPGISpeech WER,Tedlium WER,Voxpopuli WER\n"
)
ASR_ROW = (
    "openai/whisper-large-v3,7.44,145.51,1.55,Open,15.95,11.29,10.02,2.01,3.91,2.94,3.86,9.54\n"
)


@pytest.mark.parametrize(
    ("row", "line"),
    [
        (
            ",7.0,1,1,Open,1,1,1,1,1,1,1,1\n",
            "open_asr line 3: model name is missing; row rejected",
        ),
        (
            "a/b,-3.0,1,1,Open,1,1,1,1,1,1,1,1\n",
            "open_asr line 3 model 'a/b': Avg. WER -3 is below 0; row rejected",
        ),
        (
            "a/b,n/a,1,1,Open,1,1,1,1,1,1,1,1\n",
            "open_asr line 3 model 'a/b': Avg. WER 'n/a' is not a number; row rejected",
        ),
        (
            ASR_ROW,
            "open_asr line 3 model 'openai/whisper-large-v3': duplicate row for this model; "
            "the first row was kept",
        ),
        ("a/b,7.0,1\n", "open_asr line 3: wrong number of cells (truncated?); row rejected"),
    ],
)
def test_open_asr_rejects_bad_rows_with_a_clear_line(row: str, line: str) -> None:
    records, errors = parse_open_asr((ASR_HEADER + ASR_ROW + row).encode())
    assert errors == [line]
    assert {r.source_name for r in records} == {"openai/whisper-large-v3"}


def test_aider_rejects_pass_rate_above_100_and_duplicate_settings() -> None:
    doc = (
        "- {model: a, pass_rate_2: 101.5, command: aider --model a}\n"
        "- {model: b, pass_rate_2: 50, edit_format: diff}\n"
        "- {model: b, pass_rate_2: 55, edit_format: diff}\n"
        "- {model: b, pass_rate_2: 56, edit_format: whole}\n"
    )
    records, errors = parse_aider(doc.encode())
    assert errors == [
        "aider row 1: pass_rate_2 101.5 is above 100; row rejected",
        "aider row 3: duplicate row for model 'b' setting 'edit_format=diff' metric "
        "'pass_rate_2'; the first row was kept",
    ]
    assert [(r.source_name, r.value) for r in records] == [("b", 50.0), ("b", 56.0)]


def test_lmarena_rejects_interval_not_containing_the_score_and_duplicate_keys() -> None:
    doc = (
        b'{"full": {"m1": {"rating": 1300, "rating_q025": 1310, "rating_q975": 1320},'
        b' "m2": {"rating": 1200, "rating_q025": 1190, "rating_q975": 1210},'
        b' "m2": {"rating": 1250, "rating_q025": 1240, "rating_q975": 1260}}}'
    )
    records, errors = parse_lmarena(doc, board="lmarena-text")
    assert errors == [
        "lmarena lmarena-text: duplicate row for model 'm2'; the first row was kept",
        "lmarena lmarena-text category 'full' model 'm1': interval [1310, 1320] does not "
        "contain the score 1300; row rejected",
    ]
    assert [(r.source_name, r.value) for r in records] == [("m2", 1200.0)]


def test_livebench_rejects_out_of_range_and_truncated_rows() -> None:
    table = (
        "model,AMPS_Hard,code_completion,code_generation,math_comp\n"
        "good,1,2,3,4\n"
        "over,1,2,300,4\n"
        "short,1,2\n"
    )
    records, errors = parse_livebench(table.encode(), categories=_lb_categories())
    assert errors == [
        "livebench line 3 model 'over': task code_generation 300 is above 100; row rejected",
        "livebench line 4 model 'short': 3 cells for 5 columns (truncated?); row rejected",
    ]
    assert {r.source_name for r in records} == {"good"}


@pytest.mark.parametrize(
    ("parse", "data", "message"),
    [
        (lambda d: parse_lmarena(d, board="lmarena-text"), b"[1, 2]", "lmarena: expected"),
        (lambda d: parse_lmarena(d, board="lmarena-text"), b'{"full": {"m": {', "invalid JSON"),
        (parse_aider, ASR_HEADER.encode(), "aider: expected a YAML list"),
        (parse_mteb, ASR_HEADER.encode(), "not an MTEB summary"),
        (parse_open_asr, b"model,mean_task\nx,1\n", "not an Open ASR leaderboard"),
        (
            lambda d: parse_livebench(d, categories={"C": ["t"]}),
            ASR_HEADER.encode(),
            "livebench: no column is a task of the categories file",
        ),
        (parse_aider, b"- {model: x, score: 1}\n", "no row has 'pass_rate_2'"),
        (
            lambda d: parse_livebench(d, categories={"C": ["t"]}),
            b"name,t\nx,1\n",
            "livebench: the first column must be 'model'",
        ),
    ],
)
def test_a_document_of_another_shape_or_source_raises_feed_format_error(
    parse, data: bytes, message: str
) -> None:
    with pytest.raises(FeedFormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(data)


# --- the full reference copies -------------------------------------------------------


@pytest.mark.shared
@pytest.mark.parametrize(
    ("source", "minimum"),
    [("lmarena", 15000), ("livebench", 3800), ("aider", 130), ("mteb", 2600), ("open_asr", 850)],
)
def test_full_shared_copy_parses(shared_dir: Path, source: str, minimum: int) -> None:
    read = source_read(source=source, path=shared_dir / "quality" / source)
    assert len(read.records) >= minimum
    # The only rejected row upstream: LiveBench's nemotron-3-super row has 21 of 24 cells.
    assert len(read.errors) == (1 if source == "livebench" else 0)


def test_item_residual_sd_removes_item_difficulty_and_model_level() -> None:
    crossed = {"a": {"t1": 10.0, "t2": 20.0}, "b": {"t1": 20.0, "t2": 10.0}}
    # mu = 15 for both items; residuals ±5 per model, 2 degrees of freedom: sqrt(100 / 2)
    assert residual_sd(crossed) == pytest.approx(math.sqrt(50.0))
    assert mean_se(residual_sd(crossed), [0.5, 0.5]) == pytest.approx(5.0)
    additive = {"a": {"t1": 10.0, "t2": 20.0}, "b": {"t1": 15.0, "t2": 25.0}}
    assert residual_sd(additive) == 0.0  # b is 5 points better on every item: no noise
    assert residual_sd({"a": {"t1": 1.0}}) is None


def test_interval_is_value_plus_minus_1_96_se_rounded_outwards() -> None:
    assert interval(15.0, 5.0) == {"ci_low": 5.2001, "ci_high": 24.7999}
    assert interval(15.0, None) == {}


def test_livebench_means_carry_an_interval_and_task_rows_do_not() -> None:
    records, _ = parse_livebench(
        (FIX / "livebench/table_2026_01_08.csv").read_bytes(),
        categories=parse_livebench_categories(
            (FIX / "livebench/categories_2026_01_08.json").read_bytes()
        ),
    )
    overall = [r for r in records if r.category == ""]
    tasks = [r for r in records if "/" in r.category]
    assert overall
    assert all(r.ci_low < r.value < r.ci_high for r in overall)
    assert all(r.ci_low is None for r in tasks)
