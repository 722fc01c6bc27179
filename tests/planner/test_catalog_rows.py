"""planner.selectors.plan_catalog_rows: the candidate models and offers the planner reads
(quality index joined to the models, offers selected by the task's models, prices as
floats, estimator dims only for the self-host rows)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.models import Model, Task
from planner.selectors import TASKS, plan_catalog_rows
from pricing.feeds.base import OfferRecord
from quality.models import QualityIndex
from tests.planner.db import load_offers, make_hub_model, make_world, quality_set, token_offer

pytestmark = pytest.mark.django_db


def test_rows_carry_quality_sources_languages_and_float_prices() -> None:
    world = make_world()
    Model.objects.filter(pk=world["small"].pk).update(languages=["en", "de"])
    rows = plan_catalog_rows(task=TASKS["chat"])
    by_id = {m.id: m for m in rows.models}
    small = by_id[world["small"].id]
    assert small.quality_index == 50
    assert small.quality_sources == ("lmarena-text-style-control",)
    assert small.languages == ("en", "de")
    assert by_id[world["large"].id].languages == ()
    offer = next(o for o in rows.offers if o.model_id == world["small"].id)
    assert offer.usd_per_mtok_input == 0.2
    assert isinstance(offer.usd_per_mtok_input, float)
    assert offer.usd_per_mtok_cached_input is None
    assert [o.model_id for o in rows.offers] == sorted(o.model_id for o in rows.offers)


def test_offers_of_models_outside_the_candidates_are_not_read() -> None:
    make_world()
    image = Task.objects.create(slug="text-to-image", name="Text to image")
    painter = make_hub_model("art/painter")
    Model.objects.filter(pk=painter.pk).update(task=image)
    load_offers([token_offer("together", "art/painter", "0.1", "0.1", hub_repo_id="art/painter")])
    assert Model.objects.get(pk=painter.pk).offers.filter(valid_to__isnull=True).exists()
    rows = plan_catalog_rows(task=TASKS["chat"])
    assert painter.id not in {m.id for m in rows.models}
    assert painter.id not in {o.model_id for o in rows.offers}


def test_priced_models_beyond_the_top_are_api_candidates_without_dims() -> None:
    # issue 18 §4: a bound counts self-host candidates (sized open-weight models) only; the
    # closed API model (index 70) is an API candidate, never a self-host one
    world = make_world()
    rows = plan_catalog_rows(task=TASKS["chat"], max_models=1)
    ids = [m.id for m in rows.models]
    assert ids[0] == world["large"].id  # the best sized open model (65)
    assert set(ids) == {world["mini"].id, world["small"].id, world["large"].id}
    assert rows.selfhost_ids == [world["large"].id]
    assert set(rows.model_dims) == {world["large"].id}
    quality_set(world["small"], 99)
    rows = plan_catalog_rows(task=TASKS["chat"], max_models=1)
    assert rows.selfhost_ids == [world["small"].id]


def test_every_sized_open_model_is_a_self_host_candidate_by_default() -> None:
    world = make_world()
    unsized = make_hub_model("a/no-size", quality=90, params_total=None)
    rare = make_hub_model("a/rare", downloads=1)  # no index, hardly downloaded: still in
    rows = plan_catalog_rows(task=TASKS["chat"])
    assert set(rows.selfhost_ids) == {world["small"].id, world["large"].id, rare.id}
    assert unsized.id not in rows.selfhost_ids


def test_audio_second_prices_become_per_minute() -> None:
    task = Task.objects.create(slug="automatic-speech-recognition", name="ASR")
    whisper = make_hub_model("openai/whisper-large-v3")
    Model.objects.filter(pk=whisper.pk).update(task=task)
    load_offers([
        OfferRecord(
            provider="fal", model_name="whisper", unit="audio_second",
            mode="audio_transcription", hub_repo_id=whisper.repo_id,
            usd_per_audio_second=Decimal("0.0001"),
        )
    ])  # fmt: skip
    rows = plan_catalog_rows(task=TASKS["speech-to-text"])
    (offer,) = [o for o in rows.offers if o.model_id == whisper.id]
    assert offer.usd_per_audio_minute == pytest.approx(0.006)


def _expected_order(models: list[Model]) -> list[int]:
    """Quality index high first (none last), then downloads, then id."""
    index = dict(
        QualityIndex.objects.filter(task="chat").values_list("model_id", "value")
    )  # fmt: skip

    def key(m: Model) -> tuple:
        value = index.get(m.id)
        return (value is None, -(value or 0.0), -m.downloads, m.id)

    return [m.id for m in sorted(models, key=key)]


def test_top_models_are_ordered_by_index_then_downloads_across_both_reads() -> None:
    # ties on the index (broken by downloads, then id) and models without an index
    made = [
        make_hub_model("a/indexed-tie-low", quality=60, downloads=10),
        make_hub_model("a/indexed-tie-high", quality=60, downloads=500),
        make_hub_model("a/indexed-best", quality=80, downloads=1),
        make_hub_model("a/plain-popular", downloads=9_000),
        make_hub_model("a/plain-same-1", downloads=700),
        make_hub_model("a/plain-same-2", downloads=700),
        make_hub_model("a/plain-rare", downloads=3),
    ]
    expected = _expected_order(made)
    for bound in (1, 2, 3, 4, 5, len(made), len(made) + 3):
        rows = plan_catalog_rows(task=TASKS["chat"], max_models=bound)
        assert [m.id for m in rows.models] == expected[:bound], bound
        assert rows.selfhost_ids == expected[:bound]


def test_priced_models_beyond_the_bound_are_the_best_ones_with_their_offers_only(
    monkeypatch,
) -> None:
    made = [
        make_hub_model(f"p/model-{i}", quality=(40 + i if i % 2 else None), downloads=100 * i)
        for i in range(8)
    ]
    load_offers([
        token_offer("together", m.repo_id, "0.1", "0.2", hub_repo_id=m.repo_id) for m in made
    ])  # fmt: skip
    expected = _expected_order(made)
    rows = plan_catalog_rows(task=TASKS["chat"], max_models=1)
    assert [m.id for m in rows.models] == expected  # within the bound: every priced model
    monkeypatch.setattr("planner.selectors.catalog.MAX_OFFER_MODELS", 5)
    rows = plan_catalog_rows(task=TASKS["chat"], max_models=1)
    # the top model, then the best 5 priced (the top one counts against the bound)
    assert [m.id for m in rows.models] == expected[:5]
    assert {o.model_id for o in rows.offers} == set(expected[:5])
