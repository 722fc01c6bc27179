"""sync_prices command, the Celery task and the beat schedule."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from catalog.models import FeedRun
from pricing.schedule import BEAT_SCHEDULE
from pricing.services.feeds import FEEDS
from pricing.tasks import feed_sync_task
from tests.pricing.builders import FIXTURES

pytestmark = pytest.mark.django_db


def test_sync_prices_prints_a_one_line_summary() -> None:
    out = io.StringIO()
    call_command(
        "sync_prices",
        "--feed",
        "litellm",
        "--file",
        str(FIXTURES / "litellm.json"),
        "--no-progress",
        stdout=out,
    )
    assert out.getvalue().strip() == (
        "litellm: success created=6 changed=0 unchanged=0 closed=0 rejected=0"
    )


def test_sync_prices_fails_with_a_non_zero_exit_on_a_bad_file(tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("nope")
    out = io.StringIO()
    with pytest.raises(CommandError, match="failed feeds: litellm"):
        call_command(
            "sync_prices", "--feed", "litellm", "--file", str(bad), stdout=out, stderr=io.StringIO()
        )
    assert "error=litellm: not valid JSON" in out.getvalue()


def test_sync_prices_needs_a_feed_for_a_file() -> None:
    with pytest.raises(CommandError, match="need --feed"):
        call_command("sync_prices", "--file", "x.json")


def test_feed_sync_task_fetches_over_http_and_returns_the_run_id(fake_server, settings) -> None:
    fake_server.route("/api/v1/models", body=(FIXTURES / "openrouter.json").read_bytes())
    from catalog.models import Feed

    Feed.objects.create(
        slug="openrouter",
        name="OpenRouter",
        kind=Feed.Kind.PRICING,
        url=fake_server.url("/api/v1/models"),
    )
    run_id = feed_sync_task.delay("openrouter").get()
    assert FeedRun.objects.get(pk=run_id).created == 3


def test_beat_schedule_names_known_feeds_hourly_for_apis_daily_for_gpus() -> None:
    feed_entries = [v for k, v in BEAT_SCHEDULE.items() if k.startswith("pricing-sync-")]
    assert len(feed_entries) == len(BEAT_SCHEDULE) - 1  # + pricing-model-prices-refresh
    for entry in feed_entries:
        (slug,) = entry["args"]
        spec = FEEDS[slug]
        assert entry["task"] == "pricing.tasks.feed_sync_task"
        hourly = str(entry["schedule"]).startswith("<crontab: 17 * ")
        assert hourly == (spec.schedule == "hourly"), slug


def test_transient_fetch_errors_are_recorded_then_raised_for_the_task_retry(fake_server) -> None:
    from pricing.services.feeds import feed_sync
    from pricing.services.fetch import FeedTransientError

    fake_server.route("/down", status=503, body=b"maintenance")
    with pytest.raises(FeedTransientError, match="HTTP 503"):
        feed_sync(feed_slug="litellm", url=fake_server.url("/down"), raise_transient=True)
    run = FeedRun.objects.get(feed__slug="litellm")
    assert run.status == FeedRun.Status.FAILED
    assert "HTTP 503" in run.errors[0]


def test_parse_errors_are_permanent_and_not_raised(fake_server) -> None:
    from pricing.services.feeds import feed_sync

    fake_server.route("/bad", body=b"not json")
    run = feed_sync(feed_slug="litellm", url=fake_server.url("/bad"), raise_transient=True)
    assert run.status == FeedRun.Status.FAILED
