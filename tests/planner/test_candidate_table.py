"""CandidateTable (the candidate models as columns) and the rank's model checks on it."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from catalog.models import Model
from planner.engine import DEFAULT_ASSUMPTIONS, CandidateTable, SelfHostTable, _passing, rank
from planner.engine.candidates import quality_scores, quality_scores_columns
from planner.records import Assumptions, Budget, Constraints, HardwareChoice
from planner.selectors import TASKS, commercial_ok, plan_candidates
from planner.selectors.catalog import _board_names
from planner.selectors.catalog import _catalog_rows as catalog_rows
from tests.planner.builders import TASK, make_model
from tests.planner.db import make_world
from tests.planner.test_engine_reference import _random_case


def _varied_models() -> list:
    return [
        make_model(1),
        make_model(
            2,
            open_weights=False,
            license="",
            commercial_ok=None,
            context_tokens=None,
            languages=(),
            params_total=None,
            params_active=None,
            downloads=0,
            likes=0,
            quality_index=None,
            quality_sources=(),
        ),
        make_model(3, commercial_ok=False, languages=("en", "de"), quality_index=71.25),
        make_model(4, task="text-to-image", params_active=3_000_000_000, downloads=10**12),
        make_model(5, quality_index=0.0, quality_sources=("a", "b"), context_tokens=0),
    ]


def test_table_round_trips_records() -> None:
    models = _varied_models()
    table = CandidateTable.from_models(models)
    assert len(table) == 5
    assert list(table) == models
    assert [table[i] for i in range(5)] == models
    assert table[-1] == models[-1]
    assert table[1:4] == models[1:4]
    with pytest.raises(IndexError):
        table[5]
    assert table[1].commercial_ok is None
    assert table[1].context_tokens is None
    assert table[1].quality_index is None
    assert table[1].params_total is None
    assert isinstance(table[0].context_tokens, int)
    assert isinstance(table[0].downloads, int)
    assert table.commercial_ok.tolist() == [1, -1, 0, 1, 1]
    assert np.isnan(table.quality_index[1])
    assert table.quality_index[2] == 71.25
    assert CandidateTable.from_models(table) is table
    assert list(CandidateTable.from_models(iter(models))) == models
    assert list(table.take(np.array([4, 0]))) == [models[4], models[0]]
    assert list(table.take(table.open_weights)) == [m for m in models if m.open_weights]
    empty = CandidateTable.from_models([])
    assert len(empty) == 0
    assert list(empty) == []
    assert empty.id.dtype == np.int64


@pytest.mark.parametrize("seed", range(5))
def test_quality_scores_columns_equal_the_records_ones(seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    models = [
        make_model(
            i,
            quality_index=rng.choice([None, None, 0.0, 33.3, 87.125]),
            downloads=rng.choice([0, 1, 7, 999, 123_457, 10**7, 10**9, -5]),
            likes=rng.choice([0, 3, 50, 9_999, 10**5]),
            params_total=rng.choice([None, 0, 1_000_000, 7_615_616_512, 10**13]),
        )
        for i in range(400)
    ]
    table = CandidateTable.from_models(models)
    for a in (DEFAULT_ASSUMPTIONS, Assumptions(proxy_ceiling=73.1, proxy_likes_full=17.0)):
        columns = quality_scores_columns(
            table.quality_index, table.downloads, table.likes, table.params_total, a
        )
        assert columns.tolist() == quality_scores(models, a)  # the same floats


def _random_models(rng: random.Random, base: list) -> list:
    """`base` with the checked fields varied: task, weights, licence, languages, quality,
    context; some ids listed twice."""
    out = []
    for m in base:
        model = make_model(
            m.id, task=rng.choice([TASK] * 6 + ["text-to-image"]),
            open_weights=rng.random() < 0.7, commercial_ok=rng.choice([True, False, None]),
            languages=rng.choice([(), ("en",), ("en", "de"), ("fr",)]),
            quality_index=rng.choice([None, 40.0, 55.0, 70.0]),
            context_tokens=rng.choice([None, 4096, 32768, 131072]),
            downloads=m.downloads, likes=rng.randint(0, 500),
            params_total=rng.choice([None, 8_000_000_000, 70_000_000_000]),
        )  # fmt: skip
        out.append(model)
        if rng.random() < 0.15:  # the same id again, other fields
            out.insert(rng.randint(0, len(out)), make_model(m.id, open_weights=False))
    return out


def _random_constraints(rng: random.Random) -> Constraints:
    return Constraints(
        open_weights_only=rng.random() < 0.3,
        commercial_only=rng.random() < 0.3,
        languages=rng.choice([(), (), ("en",), ("de",), ("en", "fr")]),
        quality_floor=rng.choice([None, None, 50.0, 60.0]),
        min_context_tokens=rng.choice([None, 8192, 65536]),
    )


@pytest.mark.parametrize("seed", range(40))
def test_passing_on_table_equals_passing_on_records(seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    models = _random_models(rng, _random_case(seed)[0])
    workload = _random_case(seed)[3]
    constraints = _random_constraints(rng)
    excluded_records: dict[str, int] = {}
    excluded_table: dict[str, int] = {}
    args = (workload, constraints)
    passing, ms = _passing(*args, models, DEFAULT_ASSUMPTIONS, excluded_records)
    table = CandidateTable.from_models(models)
    passing_t, ms_t = _passing(*args, table, DEFAULT_ASSUMPTIONS, excluded_table)
    assert excluded_table == excluded_records
    assert dict(passing_t) == dict(passing)
    assert len(passing_t) == len(passing)
    assert set(passing_t) == set(passing)
    assert all(model_id in passing_t for model_id in passing)
    assert -1 not in passing_t
    for name in ("ids", "score", "hostable", "ctx_ok", "open_weights"):
        assert getattr(ms_t, name).tolist() == getattr(ms, name).tolist(), name


@pytest.mark.parametrize("seed", range(40))
def test_rank_on_table_equals_rank_on_records(seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    base, offers, options, workload, budget = _random_case(seed)
    models = _random_models(rng, base)
    hardware = rng.choice(
        [HardwareChoice(), HardwareChoice(owned=(("rtx-4090", 4),)), HardwareChoice(modes=("api",))]
    )
    constraints = _random_constraints(rng)
    table = CandidateTable.from_models(models)
    args = (workload, budget, hardware, constraints)
    kw = {"limit": rng.choice([1, 5, 50]), "per_model": rng.choice([0, 2])}
    for opts in (options, SelfHostTable.from_options(options)):
        expected = rank(*args, models, offers, opts, **kw)
        assert rank(*args, table, offers, opts, **kw) == expected


def test_random_cases_meet_every_model_reason() -> None:
    seen: dict[str, int] = {}
    for seed in range(40):
        rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
        models = _random_models(rng, _random_case(seed)[0])
        constraints = _random_constraints(rng)
        _passing(_random_case(seed)[3], constraints, models, DEFAULT_ASSUMPTIONS, seen)
    assert set(seen) == {
        "model: weights not open", "model: license not known to allow commercial use",
        "model: language not supported", "model: no quality index to check the floor",
        "model: below the quality floor",
    }  # fmt: skip


def test_rank_on_an_empty_table_or_no_model_of_the_task() -> None:
    _, offers, options, workload, _ = _random_case(1)
    args = (workload, Budget(monthly_usd=100.0), HardwareChoice(), Constraints())
    for models in ([], [make_model(1, task="text-to-image")]):
        table = CandidateTable.from_models(models)
        assert rank(*args, table, offers, options) == rank(*args, models, offers, options)
        assert rank(*args, table, offers, options).candidates == 0


def _reference_models(task_slug: str, found: list) -> list:
    """The records as _catalog_rows built them row by row (before the table)."""
    out = []
    for m in found:
        text = m.languages_text
        languages = () if not text or text == "[]" else tuple(json.loads(text))
        sources = _board_names(json.loads(m.qi_sources_text or "[]"))
        out.append(
            make_model(
                m.id,
                repo_id=m.repo_id,
                name=m.name or m.repo_id,
                task=task_slug,
                open_weights=m.open_weights,
                license=m.license or "",
                commercial_ok=commercial_ok(license=m.license, open_weights=m.open_weights),
                context_tokens=m.context_tokens,
                languages=languages,
                params_total=m.params_total,
                params_active=m.params_active,
                downloads=m.downloads or 0,
                likes=m.likes or 0,
                quality_index=m.qi_value,
                quality_sources=sources,
            )
        )
    return out


@pytest.mark.django_db
@pytest.mark.parametrize("max_models", [1, 300])
def test_catalog_rows_table_holds_the_row_by_row_records(max_models: int) -> None:
    world = make_world(extra=4)
    Model.objects.filter(pk=world["small"].pk).update(languages=["en", "de"], license="mit")
    Model.objects.filter(pk=world["large"].pk).update(license="cc-by-nc-4.0", context_tokens=None)
    task = TASKS["chat"]
    rows = catalog_rows(task=task, max_models=max_models, focus=None)
    assert isinstance(rows.models, CandidateTable)
    found, _ = plan_candidates(task=task, max_models=max_models)
    expected = _reference_models(task.slug, found)
    assert list(rows.models) == expected
    assert [rows.models[i] for i in range(len(expected))] == expected
    assert {m.commercial_ok for m in expected} >= {True, False}
