"""sync_hub command, the Celery task (eager here) and the beat entry run the same service."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalog.models import FeedRun, Model
from catalog.schedule import BEAT_SCHEDULE
from catalog.services.hub import hub_feed
from catalog.services.runs import feed_run_start
from catalog.tasks import hub_sync_task
from config.celery import beat_schedule
from tests.fakes.hub import FakeHub
from tests.fakes.server import Response

pytestmark = pytest.mark.django_db


def test_sync_hub_command_prints_one_summary_line(fake_hub: FakeHub) -> None:
    out, err = StringIO(), StringIO()
    call_command("sync_hub", "--task", "text-generation", "--limit", "500", stdout=out, stderr=err)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    assert "created=7 updated=0 unchanged=0 failed=0" in lines[0]
    assert Model.objects.count() == 7


def test_sync_hub_command_lists_error_lines(fake_hub: FakeHub) -> None:
    fake_hub.refused["google/gemma-2-9b"] = 403
    out, err = StringIO(), StringIO()
    call_command("sync_hub", "--limit", "100", "--author", "google", stdout=out, stderr=err)
    assert "partial" in out.getvalue()
    assert "google/gemma-2-9b: config.json: gated repo (403)" in err.getvalue()


def test_sync_hub_command_fails_when_a_run_is_in_progress(fake_hub: FakeHub) -> None:
    feed_run_start(feed=hub_feed())
    with pytest.raises(CommandError, match="already has a running run"):
        call_command("sync_hub", "--limit", "5", stdout=StringIO(), stderr=StringIO())


def test_sync_hub_command_exits_non_zero_on_a_failed_run(fake_hub: FakeHub) -> None:
    fake_hub.faults["page:0"] = [Response(404, b"{}")]
    with pytest.raises(CommandError, match="failed"):
        call_command("sync_hub", "--limit", "5", stdout=StringIO(), stderr=StringIO())


def test_hub_sync_task_returns_the_run_id(fake_hub: FakeHub) -> None:
    run_id = hub_sync_task.delay(search="qwen", limit=10).get()
    run = FeedRun.objects.get(pk=run_id)
    assert (run.status, run.created) == (FeedRun.Status.SUCCESS, 2)


def test_beat_schedule_runs_the_hub_sync_daily() -> None:
    entry = BEAT_SCHEDULE["catalog-hub-sync-daily"]
    assert entry["task"] == "catalog.tasks.hub_sync_task"
    assert beat_schedule()["catalog-hub-sync-daily"] is entry
    assert hub_sync_task.acks_late is True
