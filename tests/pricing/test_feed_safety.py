"""Issue 15 §6: feeds that cannot wipe prices. A document that looks like a wipe is
refused (recorded with its numbers, prices untouched) unless --allow-mass-close; a crash
ends the run as failed; a run left "running" by a killed process never locks a feed."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from catalog.models import Feed, FeedRun
from catalog.services.runs import FeedAlreadyRunning, feed_ensure, feed_run_start
from pricing.models import InstancePrice, Offer
from pricing.services import feeds as feeds_service
from pricing.services.feeds import feed_sync
from pricing.tasks import feed_sync_task
from tests.pricing.builders import T0, T1, T2, litellm_doc, write_json

pytestmark = pytest.mark.django_db
N = 50  # offers in the good document


def _current() -> dict[str, tuple]:
    return {
        o.model_name: (o.usd_per_mtok_input, o.valid_from)
        for o in Offer.objects.current().filter(feed__slug="litellm")
    }


@pytest.fixture
def good(tmp_path: Path) -> dict[str, tuple]:
    path = write_json(tmp_path, "good.json", litellm_doc(N))
    run = feed_sync(feed_slug="litellm", file=path, now=T0)
    assert run.status == FeedRun.Status.SUCCESS
    assert run.params["records"] == N
    return _current()


def _refused(run: FeedRun, good: dict, *, starts: str) -> None:
    assert run.status == FeedRun.Status.REFUSED, run.errors
    assert run.errors[0].startswith(starts), run.errors
    assert "prices untouched (sync_prices --allow-mass-close loads it anyway)" in run.errors[0]
    assert (run.created, run.updated, run.closed) == (0, 0, 0)
    assert _current() == good
    run.feed.refresh_from_db()
    assert run.feed.last_good_run_id != run.pk


@pytest.mark.parametrize("data", [b"", b"  \n ", b"{}", b"[]", b'{"data": []}', b"{ }\n"], ids=repr)
def test_an_empty_document_is_refused_and_prices_stay(good, tmp_path, data) -> None:
    path = tmp_path / "empty.json"
    path.write_bytes(data)
    run = feed_sync(feed_slug="litellm", file=path, now=T1)
    _refused(run, good, starts="refused: the document is empty")


def test_a_document_with_no_priced_records_is_refused(good, tmp_path) -> None:
    doc = {"gpt-x-latest": {"mode": "chat"}}  # an alias entry: no provider, no price
    run = feed_sync(feed_slug="litellm", file=write_json(tmp_path, "d.json", doc), now=T1)
    _refused(run, good, starts="refused: the document (")


def test_a_document_a_tenth_of_the_last_good_ones_size_is_refused(good, tmp_path) -> None:
    run = feed_sync(
        feed_slug="litellm", file=write_json(tmp_path, "d.json", litellm_doc(N // 10)), now=T1
    )
    _refused(run, good, starts="refused: the document has ")
    assert "10% of the last good run's" in run.errors[0]


def test_closing_more_than_a_fifth_of_current_offers_is_refused(good, tmp_path) -> None:
    doc = litellm_doc(35)  # 70% of the size: closes 15 of 50 offers (30%)
    run = feed_sync(feed_slug="litellm", file=write_json(tmp_path, "d.json", doc), now=T1)
    _refused(run, good, starts="refused: the document would close 15 of the feed's 50 current")
    assert "(30% > 20%)" in run.errors[0]


def test_the_share_is_a_setting(good, tmp_path, settings) -> None:
    settings.FEED_MAX_CLOSE_SHARE = 0.5
    run = feed_sync(
        feed_slug="litellm", file=write_json(tmp_path, "d.json", litellm_doc(35)), now=T1
    )
    assert (run.status, run.closed) == (FeedRun.Status.SUCCESS, 15)


def test_allow_mass_close_loads_a_refused_document(good, tmp_path) -> None:
    path = write_json(tmp_path, "d.json", litellm_doc(5))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="failed feeds: litellm"):
        call_command(
            "sync_prices", "--feed", "litellm", "--file", str(path), "--no-progress",
            stdout=out, stderr=err,
        )  # fmt: skip
    assert "litellm: refused created=0" in out.getvalue()
    assert _current() == good
    call_command(
        "sync_prices", "--feed", "litellm", "--file", str(path), "--no-progress",
        "--allow-mass-close", stdout=out, stderr=err,
    )  # fmt: skip
    assert "litellm: success created=0 changed=0 unchanged=5 closed=45" in out.getvalue()
    assert len(_current()) == 5


def test_a_small_withdrawal_is_not_a_wipe(good, tmp_path) -> None:
    run = feed_sync(
        feed_slug="litellm", file=write_json(tmp_path, "d.json", litellm_doc(N - 2)), now=T1
    )
    assert (run.status, run.closed) == (FeedRun.Status.SUCCESS, 2)


def test_gpu_instance_feeds_are_guarded_too(tmp_path, settings) -> None:
    settings.FEED_MASS_CLOSE_MIN_ROWS = 0
    header = "InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,Price,Region\n"
    rows = [f"a2-{i},A100,1,12,85,3.{i:02d},us-{i}\n" for i in range(20)]
    path = tmp_path / "vms.csv"
    path.write_text(header + "".join(rows))
    assert feed_sync(feed_slug="skypilot-gcp", file=path, now=T0).created == 20
    path.write_text(header + "".join(rows[:14]))
    run = feed_sync(feed_slug="skypilot-gcp", file=path, now=T1)
    assert run.status == FeedRun.Status.REFUSED
    assert "would close 6 of the feed's 20 current instance prices (30% > 20%)" in run.errors[0]
    assert InstancePrice.objects.current().count() == 20
    path.write_text(header)
    run = feed_sync(feed_slug="skypilot-gcp", file=path, now=T2)
    assert run.status == FeedRun.Status.REFUSED
    assert InstancePrice.objects.current().count() == 20


def test_readyz_and_the_feed_status_page_say_a_run_was_refused(good, tmp_path, client) -> None:
    path = tmp_path / "empty.json"
    path.write_bytes(b"{}")
    feed_sync(feed_slug="litellm", file=path, now=T1)
    response = client.get("/readyz")
    assert response.status_code == 200  # the last good prices still serve
    feeds = response.json()["feeds"]
    assert feeds["refused"] == ["litellm"]
    assert feeds["feeds"]["litellm"]["last_run_status"] == "refused"
    admin = get_user_model().objects.create_superuser("admin", "a@example.com", "pw")
    client.force_login(admin)  # django-axes guards the password login itself
    page = client.get("/admin/pricing/pricingfeed/").content.decode()
    assert "refused" in page
    assert "refused: the document is empty" in page


# --- a crash inside a run ---------------------------------------------------------------
def _boom(data: bytes):
    raise ZeroDivisionError("a parser bug")


def test_a_crash_inside_a_run_ends_it_as_failed(tmp_path, monkeypatch) -> None:
    spec = feeds_service.FEEDS["litellm"]
    monkeypatch.setitem(feeds_service.FEEDS, "litellm", replace(spec, parse=_boom))
    path = write_json(tmp_path, "d.json", litellm_doc(3))
    run = feed_sync(feed_slug="litellm", file=path, now=T0)
    assert run.status == FeedRun.Status.FAILED
    assert run.errors == ["crashed: ZeroDivisionError('a parser bug')"]
    monkeypatch.setitem(feeds_service.FEEDS, "litellm", spec)
    assert feed_sync(feed_slug="litellm", file=path, now=T1).status == FeedRun.Status.SUCCESS


def _interrupt(data: bytes):
    raise KeyboardInterrupt


def test_an_interrupt_ends_the_run_as_failed_and_propagates(tmp_path, monkeypatch) -> None:
    spec = feeds_service.FEEDS["litellm"]
    monkeypatch.setitem(feeds_service.FEEDS, "litellm", replace(spec, parse=_interrupt))
    with pytest.raises(KeyboardInterrupt):
        feed_sync(feed_slug="litellm", file=write_json(tmp_path, "d.json", litellm_doc(1)))
    run = FeedRun.objects.get()
    assert run.status == FeedRun.Status.FAILED
    assert run.errors[0] == "crashed: KeyboardInterrupt()"


# --- runs left "running" by a killed process ----------------------------------------------
def _age(run: FeedRun, seconds: float) -> None:
    FeedRun.objects.filter(pk=run.pk).update(updated_at=timezone.now() - timedelta(seconds=seconds))


@pytest.mark.parametrize(
    ("slug", "kind"),
    [
        ("litellm", Feed.Kind.PRICING),
        ("skypilot-gcp", Feed.Kind.GPU_PRICING),
        ("lmarena", Feed.Kind.QUALITY),
        ("hub", Feed.Kind.HUB),
        ("llmfit", Feed.Kind.BENCHMARK),
    ],
)
def test_every_feed_kind_fails_a_stale_running_run_before_starting(slug, kind, settings) -> None:
    settings.FEED_RUN_STALE_AFTER_S = 60
    settings.HUB_RUN_STALE_AFTER_S = 30
    feed = feed_ensure(slug=slug, name=slug, kind=kind)
    killed = feed_run_start(feed=feed)
    with pytest.raises(FeedAlreadyRunning):  # still fresh: it may be alive
        feed_run_start(feed=feed)
    _age(killed, 61)
    fresh = feed_run_start(feed=feed)
    killed.refresh_from_db()
    assert killed.status == FeedRun.Status.FAILED
    assert killed.errors[0].startswith("abandoned: still running after 6")
    assert fresh.status == FeedRun.Status.RUNNING


def test_a_price_sync_after_a_killed_one_completes(tmp_path, settings) -> None:
    settings.FEED_RUN_STALE_AFTER_S = 60
    path = write_json(tmp_path, "d.json", litellm_doc(3))
    feed = feed_ensure(slug="litellm", name="LiteLLM", kind=Feed.Kind.PRICING)
    killed = feed_run_start(feed=feed)
    with pytest.raises(FeedAlreadyRunning):
        feed_sync(feed_slug="litellm", file=path)
    _age(killed, 3600)
    run = feed_sync(feed_slug="litellm", file=path)
    assert (run.status, run.created) == (FeedRun.Status.SUCCESS, 3)


def test_the_task_retries_while_a_live_run_holds_the_feed() -> None:
    assert FeedAlreadyRunning in feed_sync_task.autoretry_for


def test_readyz_is_503_and_metrics_show_a_run_stuck_past_its_limit(client, settings) -> None:
    settings.FEED_RUN_STALE_AFTER_S = 60
    feed = feed_ensure(slug="litellm", name="LiteLLM", kind=Feed.Kind.PRICING)
    run = feed_run_start(feed=feed)
    assert client.get("/readyz").status_code == 200
    assert "atlas_feed_run_stuck_seconds{" not in client.get("/metrics").content.decode()
    _age(run, 600)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["feed_runs"]
    (stuck,) = body["feed_runs"]["stuck"]
    assert (stuck["feed"], stuck["run_id"], stuck["limit_s"]) == ("litellm", run.pk, 60)
    assert 590 < stuck["idle_s"] < 700
    metrics = client.get("/metrics").content.decode()
    assert 'atlas_feed_run_stuck_seconds{feed="litellm"} 6' in metrics
