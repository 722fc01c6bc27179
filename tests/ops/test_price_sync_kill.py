"""Issue 15 §6 / 16 §5: a real Celery worker SIGKILLed in the middle of a price sync.

The killed run stays "running" (nothing can record its end); the redelivered task (late
acknowledgement) fails it once it is stale (FEED_RUN_STALE_AFTER_S) and completes the
sync; no row is lost or doubled. Needs PostgreSQL (the worker is another process) and
Redis (ATLAS_TEST_REDIS_URL).
"""

from __future__ import annotations

import time

import pytest

from catalog.models import FeedRun
from pricing.models import Offer
from pricing.services.feeds import feed_sync
from tests.fakes.server import FakeServer
from tests.ops.harness import client_app, table_counts
from tests.ops.test_sync_faults import added, litellm_doc, litellm_feed, serve_feed, wait_for

N = 20


def _current() -> set[tuple[str, str]]:
    return {
        (name, format(price.normalize(), "f"))
        for name, price in Offer.objects.filter(valid_to__isnull=True).values_list(
            "model_name", "usd_per_mtok_input"
        )
    }


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_price_sync_the_next_sync_completes(
    start_worker, fake_server: FakeServer
) -> None:
    doc = litellm_doc(N)
    state = {"delay_s": 0.0}
    url = serve_feed(fake_server, doc, state)
    litellm_feed(url)
    assert feed_sync(feed_slug="litellm").status == FeedRun.Status.SUCCESS
    assert _current() == {(f"fault-model-{i}", "1") for i in range(N)}
    before = table_counts()

    # The new document doubles every input price; its server takes 4 s to answer.
    doc.update(litellm_doc(N, input_cost=2e-06))
    state["delay_s"] = 4.0
    env = {"FEED_RUN_STALE_AFTER_S": "2", "FEED_TIMEOUT_S": "10"}
    first = start_worker(visibility_timeout_s=2, env=env)
    result = client_app().send_task("pricing.tasks.feed_sync_task", args=["litellm"])
    wait_for(
        lambda: FeedRun.objects.filter(status=FeedRun.Status.RUNNING).exists(),
        timeout_s=60,
        what="the worker's run",
        log=first.output,
    )
    time.sleep(1.0)  # mid-fetch
    first.kill()  # SIGKILL, worker and pool child: nothing records the run's end
    killed = FeedRun.objects.get(status=FeedRun.Status.RUNNING)
    assert _current() == {(f"fault-model-{i}", "1") for i in range(N)}

    state["delay_s"] = 0.5
    time.sleep(2.5)  # past the visibility timeout: Redis hands the unacked task out again
    second = start_worker(visibility_timeout_s=2, env=env)
    run_id = result.get(timeout=120)
    wait_for(
        lambda: not FeedRun.objects.filter(status=FeedRun.Status.RUNNING).exists(),
        timeout_s=60,
        what="no running run",
        log=second.output,
    )

    killed.refresh_from_db()
    assert killed.status == FeedRun.Status.FAILED
    assert killed.errors[0].startswith("abandoned: still running after"), killed.errors
    done = FeedRun.objects.get(pk=run_id)
    assert done.status == FeedRun.Status.SUCCESS, (done.errors, second.output())
    assert (done.created, done.updated, done.closed) == (0, N, 0)
    # A second delivery (visibility timeout passed during the run) only re-reads.
    extra = FeedRun.objects.filter(feed__slug="litellm").exclude(pk__in=[killed.pk, run_id])
    extra = extra.filter(started_at__gt=killed.started_at)
    assert all(r.updated == 0 and r.unchanged == N for r in extra), [r.errors for r in extra]
    assert _current() == {(f"fault-model-{i}", "2") for i in range(N)}
    # every old price closed once, every new price inserted once with its two price rows
    # (input, output); nothing else moved
    assert table_counts() == added(
        before, catalog__feedrun=2 + extra.count(), pricing__offer=N, pricing__offerprice=2 * N
    )
