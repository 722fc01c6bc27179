"""Issue 15 §6: a price that falls to $0 (unless the feed marks the model free) or moves
more than 100x either way is held for review; the previous price stays current until
someone accepts the new one in the admin."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model

from catalog.models import FeedRun
from pricing.models import InstancePrice, Offer, PriceReview
from pricing.services.feeds import feed_sync
from pricing.services.reviews import ReviewNotApplicable, price_review_accept
from tests.pricing.builders import T0, T1, T2, litellm_doc, write_json

pytestmark = pytest.mark.django_db


def _input_prices() -> dict[str, D]:
    return dict(
        Offer.objects.current()
        .filter(feed__slug="litellm")
        .values_list("model_name", "usd_per_mtok_input")
    )


def _sync(tmp_path, doc, now) -> FeedRun:
    return feed_sync(feed_slug="litellm", file=write_json(tmp_path, f"{now:%j}.json", doc), now=now)


def _with_input(model: str, cost) -> dict:
    doc = litellm_doc(3)
    doc[model]["input_cost_per_token"] = cost
    return doc


@pytest.mark.parametrize(
    ("cost", "reason"),
    [
        (0, "usd_per_mtok_input fell from 1 to 0"),
        (2e-10, "usd_per_mtok_input fell from 1 to 0.0002 (5000x down, > 100x)"),
        (2e-03, "usd_per_mtok_input rose from 1 to 2000 (2000x, > 100x)"),
    ],
)
def test_a_zero_or_100x_move_is_held_and_the_old_price_stays(tmp_path, cost, reason) -> None:
    _sync(tmp_path, litellm_doc(3), T0)
    run = _sync(tmp_path, _with_input("acme-model-1", cost), T1)
    assert run.status == FeedRun.Status.PARTIAL
    assert run.rejected == 1
    assert run.errors == [
        f"openai/acme-model-1 (token): {reason}: held for review, previous price kept"
    ]
    assert _input_prices()["acme-model-1"] == D(1)
    review = PriceReview.objects.get()
    assert (review.status, review.reason) == (PriceReview.Status.PENDING, reason)
    assert review.offer.model_name == "acme-model-1"
    # the same document again: still one pending review, still the old price
    _sync(tmp_path, _with_input("acme-model-1", cost), T2)
    assert PriceReview.objects.filter(status=PriceReview.Status.PENDING).count() == 1
    assert _input_prices()["acme-model-1"] == D(1)


def test_accepting_makes_the_held_price_current_with_history(tmp_path) -> None:
    _sync(tmp_path, litellm_doc(3), T0)
    _sync(tmp_path, _with_input("acme-model-1", 0), T1)
    review = PriceReview.objects.get()
    new = price_review_accept(review=review, user="curator", now=T2)
    assert new.usd_per_mtok_input == D(0)
    rows = Offer.objects.filter(model_name="acme-model-1").order_by("valid_from")
    assert [(o.usd_per_mtok_input, o.valid_from, o.valid_to) for o in rows] == [
        (D(1), T0, T2),
        (D(0), T2, None),
    ]
    # the price rows by dimension follow the accepted price
    assert {(r.component, r.price) for r in new.price_rows.all()} >= {("input", "0")}
    review.refresh_from_db()
    assert (review.status, review.decided_by) == (PriceReview.Status.ACCEPTED, "curator")
    with pytest.raises(ReviewNotApplicable):
        price_review_accept(review=review, now=T2)
    # the feed still says 0: now unchanged, nothing held
    run = _sync(tmp_path, _with_input("acme-model-1", 0), T2.replace(hour=18))
    assert (run.status, run.unchanged) == (FeedRun.Status.SUCCESS, 3)


def test_a_review_the_feed_no_longer_proposes_is_superseded(tmp_path) -> None:
    _sync(tmp_path, litellm_doc(3), T0)
    _sync(tmp_path, _with_input("acme-model-1", 0), T1)
    run = _sync(tmp_path, litellm_doc(3), T2)  # back to the old price
    assert run.status == FeedRun.Status.SUCCESS
    assert PriceReview.objects.get().status == PriceReview.Status.SUPERSEDED


def test_moves_within_100x_and_free_models_falling_to_zero_load(tmp_path) -> None:
    doc = litellm_doc(3)
    doc["acme:free"] = dict(doc["acme-model-0"])
    _sync(tmp_path, doc, T0)
    doc = _with_input("acme-model-1", 5e-05)  # 50x up
    doc["acme:free"] = {**doc["acme-model-0"], "input_cost_per_token": 0}
    run = _sync(tmp_path, doc, T1)
    assert (run.status, run.updated) == (FeedRun.Status.SUCCESS, 2), run.errors
    assert _input_prices()["acme-model-1"] == D(50)
    assert _input_prices()["acme:free"] == D(0)
    assert not PriceReview.objects.exists()


def test_a_gpu_hour_price_falling_to_zero_is_held_then_accepted(tmp_path) -> None:
    path = tmp_path / "vms.csv"
    header = "InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,Price,Region\n"
    path.write_text(header + "a2-highgpu-1g,A100,1,12,85,3.67,us-central1\n")
    feed_sync(feed_slug="skypilot-gcp", file=path, now=T0)
    path.write_text(header + "a2-highgpu-1g,A100,1,12,85,0,us-central1\n")
    run = feed_sync(feed_slug="skypilot-gcp", file=path, now=T1)
    assert "usd_per_hour_on_demand fell from 3.67 to 0: held for review" in run.errors[0]
    assert InstancePrice.objects.current().get().usd_per_hour_on_demand == D("3.67")
    price_review_accept(review=PriceReview.objects.get(), now=T2)
    assert InstancePrice.objects.current().get().usd_per_hour_on_demand == D(0)
    assert InstancePrice.objects.count() == 2


def test_the_admin_lists_held_prices_and_accepts_them(tmp_path, client) -> None:
    _sync(tmp_path, litellm_doc(3), T0)
    _sync(tmp_path, _with_input("acme-model-1", 2e-03), T1)
    admin = get_user_model().objects.create_superuser("admin", "a@example.com", "pw")
    client.force_login(admin)  # django-axes guards the password login itself
    page = client.get("/admin/pricing/pricereview/?status__exact=pending").content.decode()
    assert "usd_per_mtok_input rose from 1 to 2000" in page
    review = PriceReview.objects.get()
    assert client.get(f"/admin/pricing/pricereview/{review.pk}/change/").status_code == 200
    response = client.post(
        "/admin/pricing/pricereview/",
        {"action": "accept", "_selected_action": [review.pk]},
        follow=True,
    )
    assert "1 price(s) accepted" in response.content.decode()
    assert _input_prices()["acme-model-1"] == D(2000)
