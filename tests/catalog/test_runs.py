"""The generic run record: one running run per feed, counts and last good run."""

from __future__ import annotations

import pytest

from catalog.models import FeedRun
from catalog.services.runs import (
    FeedAlreadyRunning,
    RunCounts,
    feed_ensure,
    feed_run_finish,
    feed_run_start,
)

pytestmark = pytest.mark.django_db


def test_a_second_run_of_the_same_feed_is_refused() -> None:
    feed = feed_ensure(slug="litellm", name="LiteLLM", kind="pricing")
    feed_run_start(feed=feed)
    with pytest.raises(FeedAlreadyRunning, match="already has a running run"):
        feed_run_start(feed=feed)
    assert FeedRun.objects.count() == 1


def test_finishing_records_counts_and_marks_the_last_good_run() -> None:
    feed = feed_ensure(slug="hub", name="Hub", kind="hub")
    run = feed_run_finish(run=feed_run_start(feed=feed), counts=RunCounts(created=3, unchanged=2))
    feed.refresh_from_db()
    assert (run.status, run.created, run.unchanged) == ("success", 3, 2)
    assert feed.last_good_run_id == run.id
    assert run.duration_s is not None


def test_a_failed_run_keeps_the_previous_last_good_run() -> None:
    feed = feed_ensure(slug="hub", name="Hub", kind="hub")
    good = feed_run_finish(run=feed_run_start(feed=feed), counts=RunCounts(created=1))
    bad = feed_run_finish(
        run=feed_run_start(feed=feed), counts=RunCounts(), failed_reason="fetch failed: HTTP 500"
    )
    feed.refresh_from_db()
    assert bad.status == "failed"
    assert bad.errors[0] == "fetch failed: HTTP 500"
    assert feed.last_good_run_id == good.id


def test_rejected_records_make_a_partial_run() -> None:
    feed = feed_ensure(slug="x", name="X", kind="pricing")
    run = feed_run_finish(
        run=feed_run_start(feed=feed),
        counts=RunCounts(created=1, rejected=1, errors=["row 2: negative"]),
    )
    assert run.status == "partial"
