"""One full ingest per format from ../shared (skipped when absent), with sensible totals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.models import FeedRun
from pricing.models import InstancePrice, Offer, OfferPrice
from pricing.services.feeds import feed_sync
from tests.pricing.builders import T0, T1, make_accelerator

pytestmark = [pytest.mark.django_db, pytest.mark.shared, pytest.mark.slow]


def _sync(slug: str, path, now=T0, allow_mass_close: bool = False) -> FeedRun:
    if not path.exists():
        pytest.skip(f"{path} is absent")
    return feed_sync(feed_slug=slug, file=path, now=now, allow_mass_close=allow_mass_close)


def test_full_litellm_copy(shared_dir) -> None:
    run = _sync("litellm", shared_dir / "feeds/litellm/model_prices_and_context_window.json")
    # issue 15: prices the price model cannot hold are listed, one error per key (PARTIAL)
    assert run.status == FeedRun.Status.PARTIAL
    assert run.errors
    assert all("cannot be held by the price model" in e for e in run.errors)
    assert 4000 < run.created < 6000
    assert OfferPrice.objects.count() > 15000  # every price the feed states, by dimension
    sonnet = OfferPrice.objects.filter(offer__model_name="claude-sonnet-4-5", offer__valid_to=None)
    assert sonnet.filter(component="cache_write", cache_ttl="1h").exists()
    gpt = Offer.objects.get(provider__slug="openai", model_name="gpt-4o")
    assert gpt.usd_per_mtok_input == Decimal("2.5")
    assert Offer.objects.filter(unit="image").count() > 100
    assert Offer.objects.exclude(tiers=[]).count() > 100


def test_full_openrouter_copy_reloads_unchanged(shared_dir) -> None:
    path = shared_dir / "feeds/openrouter/api-v1-models.all-modalities.2026-08-18.json"
    run = _sync("openrouter", path)
    assert run.created > 500
    assert all(": pricing." in e and "negative" in e for e in run.errors)  # router pseudo-models
    assert Offer.objects.exclude(hub_repo_id="").count() > 100
    again = _sync("openrouter", path, now=T1)
    assert (again.created, again.updated, again.closed) == (0, 0, 0)


def test_models_dev_snapshot_then_head_gives_price_history(shared_dir) -> None:
    old = _sync("models-dev", shared_dir / "feeds/models.dev/api.snapshot-2025-11-18.json")
    assert old.created > 1000
    head = shared_dir / "feeds/models.dev/api.derived-from-HEAD-f3fc692.json"
    # eight months later 41% of the old offers are gone: held as a likely wipe (issue 15 §6)
    held = _sync("models-dev", head, now=T1)
    assert held.status == FeedRun.Status.REFUSED
    new = _sync("models-dev", head, now=T1, allow_mass_close=True)  # as the demo build does
    # issue 15: cost keys the price model cannot hold (citation, per image...) are listed
    assert new.status == FeedRun.Status.PARTIAL
    assert all("cannot be held" in e for e in new.errors)
    assert new.created > 3000
    assert new.updated > 10
    assert new.closed > 0
    assert (
        Offer.objects.filter(feed__slug="models-dev", valid_to=T1).count()
        == new.updated + new.closed
    )


def test_full_genai_prices_copy(shared_dir) -> None:
    run = _sync("genai-prices", shared_dir / "feeds/genai-prices/data.json")
    # issue 15: output_citation_mtok cannot be held by the price model: listed, PARTIAL
    assert run.status == FeedRun.Status.PARTIAL
    assert all("cannot be held" in e for e in run.errors)
    assert run.created > 1000
    assert Offer.objects.filter(feed__slug="genai-prices", valid_to__isnull=False).count() >= 3


@pytest.mark.parametrize("cloud", ["gcp", "azure", "lambda", "vast", "nebius", "hyperbolic"])
def test_full_skypilot_catalog(shared_dir, cloud) -> None:
    make_accelerator("h100-sxm", "NVIDIA H100 SXM 80GB", aliases=["H100", "H100-SXM"])
    run = _sync(f"skypilot-{cloud}", shared_dir / f"hardware/skypilot-catalog/{cloud}/vms.csv")
    assert run.status == FeedRun.Status.SUCCESS, run.errors[:3]
    assert run.created > 0
    assert InstancePrice.objects.filter(usd_per_hour_on_demand__lt=0).count() == 0
    if cloud not in ("vast", "hyperbolic"):  # Hyperbolic does not say SXM or PCIe: unknown
        assert InstancePrice.objects.filter(accelerator__slug="h100-sxm").exists()
    if cloud == "hyperbolic":
        assert not InstancePrice.objects.filter(accelerator__isnull=False).exists()


def test_full_aws_gpu_instances(shared_dir) -> None:
    run = _sync(
        "aws-gpu-instances", shared_dir / "hardware/aws-gpu-instances/aws_gpu_instances.json"
    )
    assert run.status == FeedRun.Status.SUCCESS
    assert run.created > 500
    assert InstancePrice.objects.filter(instance_type="p5.48xlarge").exists()
