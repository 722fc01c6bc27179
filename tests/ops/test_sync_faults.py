"""Faults against the real syncs: the Hub sync (`hub_sync` / `hub_sync_task`) and the
price feed load (`feed_sync` / `feed_sync_task`), with tests/ops/harness.py.

Every test counts the rows of every snapshot table before and after, so "nothing lost,
nothing doubled" is checked, not assumed. Worker and PostgreSQL tests need the real
servers (`postgres`: the worker is another process and must see committed rows).
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from celery.exceptions import TimeoutError as CeleryTimeoutError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, close_old_connections, connection

from catalog.hub import HubClient
from catalog.models import Feed, FeedRun, Model
from catalog.services.hub import hub_feed, hub_sync
from catalog.services.runs import FeedAlreadyRunning, feed_ensure, feed_run_start
from pricing.models import Offer
from pricing.services.feeds import FEEDS, feed_sync
from pricing.services.fetch import FeedTransientError
from pricing.tasks import feed_sync_task
from tests.fakes.hub import FakeHub
from tests.fakes.server import FakeServer, Request, Response
from tests.ops.harness import (
    client_app,
    redis_kill_clients,
    route_drop,
    table_counts,
    terminate_backend_after,
)

N_MODELS = 60
N_ORGS = 7
FEED_PATH = "/prices/litellm.json"


# --- builders ---------------------------------------------------------------------------
def hub_models(n: int, *, prefix: str = "fault") -> list[dict[str, Any]]:
    """n Hub listing entries of N_ORGS organizations `{prefix}-org-K` (no config: the
    sync makes one request per page)."""
    return [
        {
            "id": f"{prefix}-org-{i % N_ORGS}/model-{i:04d}",
            "author": f"{prefix}-org-{i % N_ORGS}",
            "sha": f"{i:040x}",
            "pipeline_tag": "text-generation",
            "library_name": "transformers",
            "tags": ["transformers", "license:mit"],
            "downloads": 100_000 - i,
            "likes": i,
            "createdAt": "2025-01-01T00:00:00.000Z",
            "lastModified": "2025-06-01T00:00:00.000Z",
            "safetensors": {"parameters": {"BF16": 1_000_000 + i}, "total": 1_000_000 + i},
        }
        for i in range(n)
    ]


def slow_hub(server: FakeServer, *, n: int, page_size: int, page_delay_s: float) -> FakeHub:
    """A fake Hub whose listing pages hold `page_size` models and take `page_delay_s`."""
    hub = FakeHub(server, models=hub_models(n))
    hub.max_page = page_size

    def listing(req: Request) -> Response:
        response = hub._listing(req)
        response.delay_s = page_delay_s
        return response

    server.route("/api/models", handler=listing)
    return hub


def litellm_doc(n: int, *, input_cost: float = 1e-06) -> dict[str, Any]:
    return {
        f"fault-model-{i}": {
            "litellm_provider": "openai",
            "mode": "chat",
            "input_cost_per_token": input_cost,
            "output_cost_per_token": 2e-06,
        }
        for i in range(n)
    }


def serve_feed(server: FakeServer, doc: dict[str, Any], state: dict[str, Any]) -> str:
    """Serve `doc` at FEED_PATH after `state['delay_s']` seconds; returns the URL."""

    def handler(_req: Request) -> Response:
        body = json.dumps(doc).encode()
        return Response(200, body, {"Content-Type": "application/json"}, state["delay_s"])

    server.route(FEED_PATH, handler=handler)
    return server.url(FEED_PATH)


def litellm_feed(url: str = "") -> Feed:
    spec = FEEDS["litellm"]
    return feed_ensure(slug=spec.slug, name=spec.name, kind=spec.kind, format=spec.format, url=url)


def current_prices() -> set[tuple[str, str]]:
    return {
        (name, str(price))
        for name, price in Offer.objects.filter(valid_to__isnull=True).values_list(
            "model_name", "usd_per_mtok_input"
        )
    }


def wait_for(predicate: Any, *, timeout_s: float, what: str, log: Any = None) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}" + (f"\n{log()}" if log else ""))
        time.sleep(0.1)


def added(before: dict[str, int], **more: int) -> dict[str, int]:
    after = dict(before)
    for label, n in more.items():
        key = label.replace("__", ".")
        after[key] = after[key] + n
    return after


# --- (1) a worker killed (SIGKILL) in the middle of a Hub sync ----------------------------
@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_hub_sync_the_task_is_redelivered_and_finishes(
    start_worker, fake_server: FakeServer, settings
) -> None:
    slow_hub(fake_server, n=N_MODELS, page_size=10, page_delay_s=0.4)
    settings.HF_ENDPOINT = fake_server.base_url
    hub_feed()
    before = table_counts()
    # A killed run goes stale after 2 s without a page commit (production: 30 min, and
    # the visibility timeout, 70 min, is longer, so a redelivery always finds it stale).
    env = {"HUB_RUN_STALE_AFTER_S": "2", "HUB_MAX_BACKOFF_S": "0.1"}
    first = start_worker(visibility_timeout_s=2, env=env)
    result = client_app().send_task("catalog.tasks.hub_sync_task", kwargs={"limit": N_MODELS})

    def pages_done() -> int:
        run = FeedRun.objects.filter(feed__slug="hub").first()
        return run.pages_done if run else 0

    wait_for(lambda: pages_done() >= 2, timeout_s=60, what="two pages", log=first.output)
    first.kill()
    killed = FeedRun.objects.get(feed__slug="hub")
    assert killed.status == FeedRun.Status.RUNNING
    assert 2 <= killed.pages_done < N_MODELS // 10, "the kill did not land mid-run"
    assert 20 <= Model.objects.count() < N_MODELS

    time.sleep(2.5)  # past the visibility timeout: Redis restores the unacked task
    second = start_worker(visibility_timeout_s=2, env=env)
    assert result.get(timeout=90) == killed.pk, second.output()

    def settled() -> bool:
        return not FeedRun.objects.filter(status=FeedRun.Status.RUNNING).exists()

    wait_for(settled, timeout_s=30, what="no running run", log=second.output)
    killed.refresh_from_db()
    # The redelivered task resumed the killed run from its cursor and finished it.
    assert killed.status == FeedRun.Status.SUCCESS, killed.errors
    assert (killed.created, killed.failed) == (N_MODELS, 0)
    assert killed.pages_done == N_MODELS // 10
    # A second delivery (visibility timeout passed during the resumed run) only re-reads.
    extra = FeedRun.objects.filter(feed__slug="hub").exclude(pk=killed.pk)
    assert all(r.created == 0 and r.unchanged == N_MODELS for r in extra)
    assert Model.objects.filter(repo_id__startswith="fault-org-").count() == N_MODELS
    assert table_counts() == added(
        before,
        catalog__model=N_MODELS,
        catalog__organization=N_ORGS,
        catalog__task=1,
        catalog__feedrun=1 + extra.count(),
    )


# --- (2) Redis connections killed during a price feed run by a worker ---------------------
@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_redis_connections_killed_during_a_worker_feed_run(
    start_worker, fake_server: FakeServer, tmp_path: Path
) -> None:
    doc = litellm_doc(5)
    state = {"delay_s": 0.0}
    url = serve_feed(fake_server, doc, state)
    litellm_feed(url)
    good = feed_sync(feed_slug="litellm")
    assert good.status == FeedRun.Status.SUCCESS
    prices = current_prices()
    assert len(prices) == 5
    before = table_counts()

    state["delay_s"] = 2.0  # the worker's run is mid-fetch when its connections die
    worker = start_worker(env={"FEED_TIMEOUT_S": "10"})
    app = client_app()
    app.send_task("pricing.tasks.feed_sync_task", args=["litellm"])
    wait_for(
        lambda: FeedRun.objects.filter(status=FeedRun.Status.RUNNING).exists(),
        timeout_s=60,
        what="the worker's run",
        log=worker.output,
    )
    assert redis_kill_clients() >= 1, "no client was connected to our Redis DB"

    def finished() -> bool:
        runs = FeedRun.objects.filter(feed__slug="litellm").exclude(pk=good.pk)
        return runs.exists() and not runs.filter(status=FeedRun.Status.RUNNING).exists()

    wait_for(finished, timeout_s=60, what="the run to finish", log=worker.output)
    # The worker reconnected: it still answers.
    try:
        pong = app.send_task("tests.ops.ping").get(timeout=60)
    except CeleryTimeoutError as err:  # show what the worker was doing
        raise AssertionError(f"no pong in 60 s; worker log:\n{worker.output()}") from err
    assert pong == "pong", worker.output()
    time.sleep(3.5)  # a redelivery (ack lost with the connection) would start by now
    wait_for(finished, timeout_s=30, what="a redelivered run", log=worker.output)

    runs = list(FeedRun.objects.filter(feed__slug="litellm").exclude(pk=good.pk))
    assert 1 <= len(runs) <= 2
    for run in runs:
        assert run.status in (FeedRun.Status.SUCCESS, FeedRun.Status.FAILED), run.errors
        if run.status == FeedRun.Status.SUCCESS:
            assert (run.created, run.updated, run.unchanged) == (0, 0, 5)
    # The last good prices stay current; nothing lost, nothing doubled.
    assert current_prices() == prices
    assert table_counts() == added(before, catalog__feedrun=len(runs))


# --- (3) PostgreSQL backend terminated mid-load ------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_backend_terminated_mid_price_load_rolls_back_and_rerun_completes(tmp_path: Path) -> None:
    first = tmp_path / "a.json"
    first.write_text(json.dumps(litellm_doc(5)))
    assert feed_sync(feed_slug="litellm", file=first).status == FeedRun.Status.SUCCESS
    prices = current_prices()
    before = table_counts()

    # New prices for 5 models and 20 new models: old rows closed, aliases written, then
    # the backend dies at the offers INSERT.
    changed = tmp_path / "b.json"
    changed.write_text(json.dumps({**litellm_doc(25, input_cost=3e-06)}))
    with terminate_backend_after(1, match='INSERT INTO "pricing_offer"') as killed:
        run = feed_sync(feed_slug="litellm", file=changed)

    assert killed["killed_pid"], "the backend was never terminated: the load took another path"
    run.refresh_from_db()  # recorded on a fresh connection
    assert run.status == FeedRun.Status.FAILED
    assert run.errors[0].startswith("load failed: OperationalError")
    assert current_prices() == prices  # rolled back: the closes and aliases too
    assert table_counts() == added(before, catalog__feedrun=1)

    rerun = feed_sync(feed_slug="litellm", file=changed)
    assert rerun.status == FeedRun.Status.SUCCESS
    assert (rerun.created, rerun.updated, rerun.unchanged) == (20, 5, 0)
    assert len(current_prices()) == 25
    assert Offer.objects.count() == before["pricing.offer"] + 25
    again = feed_sync(feed_slug="litellm", file=changed)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 25)
    assert Offer.objects.count() == before["pricing.offer"] + 25


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("match", "where"),
    [
        # PostgreSQL writes a page with COPY (catalog/services/hub_load.py), which runs on
        # psycopg's cursor: the kill lands on the page's organization upsert instead,
        # the first statement of the page's write transaction.
        ("INSERT INTO catalog_organization", "mid-page, inside the page transaction"),
        ("FROM catalog_model WHERE repo_id = ANY(", "at a page's first read, in autocommit"),
    ],
)
def test_backend_terminated_mid_hub_sync_fails_the_run_and_rerun_resumes(
    fake_server: FakeServer, settings, match: str, where: str
) -> None:
    slow_hub(fake_server, n=30, page_size=10, page_delay_s=0)
    settings.HF_ENDPOINT = fake_server.base_url
    hub_feed()
    before = table_counts()

    with pytest.raises(DatabaseError), terminate_backend_after(2, match=match) as killed:
        hub_sync(limit=30)  # page 2 dies; the error propagates after the run is recorded

    assert killed["killed_pid"], f"no statement matched {match!r}"
    run = FeedRun.objects.get(feed__slug="hub")  # a fresh connection
    assert run.status == FeedRun.Status.FAILED, where
    assert run.errors[0].startswith("sync stopped: OperationalError"), run.errors
    assert (run.pages_done, run.created) == (1, 10)
    assert run.cursor, "the run keeps its cursor to resume from"
    assert Model.objects.count() == before["catalog.model"] + 10  # page 2 rolled back

    rerun = hub_sync(limit=30)
    assert (rerun.pk, rerun.status) == (run.pk, FeedRun.Status.SUCCESS)
    assert (rerun.created, rerun.pages_done) == (30, 3)
    assert table_counts() == added(
        before, catalog__model=30, catalog__organization=N_ORGS, catalog__task=1, catalog__feedrun=1
    )


# --- (4) the same feed started twice at once ---------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_same_price_feed_started_twice_at_once_refuses_the_second(
    fake_server: FakeServer,
) -> None:
    state = {"delay_s": 1.0}
    url = serve_feed(fake_server, litellm_doc(5), state)
    litellm_feed(url)
    before = table_counts()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def sync() -> None:
        try:
            barrier.wait(5)
            outcome = str(feed_sync(feed_slug="litellm").status)
        except FeedAlreadyRunning as exc:
            outcome = f"refused {exc.status} {exc.code}"
        finally:
            close_old_connections()
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=sync) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert sorted(outcomes) == ["refused 409 feed_already_running", "success"]
    assert len(fake_server.requests) == 1  # the refused run fetched nothing
    assert table_counts() == added(
        before,
        catalog__feedrun=1,
        catalog__organization=1,
        catalog__model=5,
        catalog__modelalias=5,
        catalog__task=1,  # text-generation, from the feed's mode
        pricing__provider=1,
        pricing__provideralias=1,  # the unreviewed provider's feed slug
        pricing__offer=5,
        pricing__offerprice=10,  # input and output rows per offer
    )


@pytest.mark.django_db
def test_sync_commands_refuse_a_feed_that_is_already_running(tmp_path: Path) -> None:
    doc = tmp_path / "prices.json"
    doc.write_text(json.dumps(litellm_doc(2)))
    feed_run_start(feed=litellm_feed())
    feed_run_start(feed=hub_feed(), params={"limit": 1})
    before = table_counts()

    with pytest.raises(CommandError, match="failed feeds: litellm"):
        call_command("sync_prices", "--feed", "litellm", "--file", str(doc), "--no-progress")
    with pytest.raises(CommandError, match="already has a running run"):
        call_command("sync_hub", "--limit", "5")
    assert table_counts() == before


# --- (5) a slow, hanging or dropping upstream ---------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("fault", ["hang", "drop"])
def test_hub_upstream_hanging_or_dropping_ends_the_run_with_a_clear_error(
    fake_server: FakeServer, settings, fault: str
) -> None:
    if fault == "hang":
        slow_hub(fake_server, n=30, page_size=10, page_delay_s=5)  # beyond HUB_TIMEOUT_S
    else:
        FakeHub(fake_server, models=hub_models(30))
        route_drop(fake_server, "/api/models")
    hub_feed()
    before = table_counts()
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    client = HubClient(
        endpoint=fake_server.base_url, timeout_s=0.3, max_retries=2, max_backoff_s=5, sleep=sleep
    )
    started = time.monotonic()
    run = hub_sync(limit=30, client=client)
    elapsed = time.monotonic() - started

    assert waits == [0.5, 1.0]  # two retries, backing off exponentially
    # 3 attempts x 0.3 s timeout + 1.5 s of back-off, plus slack for a loaded machine
    assert elapsed < 4.5, elapsed
    assert run.status == FeedRun.Status.FAILED
    assert "network error" in run.errors[0], run.errors
    assert run.cursor  # resumable
    assert table_counts() == added(before, catalog__feedrun=1)


@pytest.mark.django_db
@pytest.mark.parametrize("fault", ["hang", "drop"])
def test_price_feed_upstream_hanging_or_dropping_fails_and_the_task_retries(
    fake_server: FakeServer, settings, fault: str
) -> None:
    settings.FEED_TIMEOUT_S = 0.3
    if fault == "hang":
        url = serve_feed(fake_server, litellm_doc(3), {"delay_s": 5.0})
    else:
        route_drop(fake_server, FEED_PATH)
        url = fake_server.url(FEED_PATH)
    litellm_feed(url)
    before = table_counts()

    started = time.monotonic()
    with pytest.raises(FeedTransientError, match=r"GET .* failed"):
        feed_sync(feed_slug="litellm", raise_transient=True)
    assert time.monotonic() - started < 2
    run = FeedRun.objects.get(feed__slug="litellm")
    assert run.status == FeedRun.Status.FAILED
    assert run.errors[0].startswith(f"GET {url} failed")

    # feed_sync_task retries that error with exponential back-off (1, 2, 4, 8, 16 s, with
    # jitter: Celery's countdowns), then fails with it: at most 6 x timeout + 31 s.
    assert FeedTransientError in feed_sync_task.autoretry_for
    assert (feed_sync_task.retry_backoff, feed_sync_task.max_retries) == (True, 5)
    assert table_counts() == added(before, catalog__feedrun=1)
