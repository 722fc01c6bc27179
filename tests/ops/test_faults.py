"""Faults against the real services: PostgreSQL, Redis, a Celery worker, a slow upstream.

Each test counts the rows before and after, so "nothing lost, nothing doubled" is
checked. These exercise the harness on generic loads and probe tasks; the same faults
against the real Hub sync and price feed runs are in test_sync_faults.py.
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import OperationalError, close_old_connections, connection, transaction

from catalog.models import Feed, FeedRun, Model, Organization
from catalog.services.aliases import FeedName, aliases_resolve
from catalog.services.runs import (
    FeedAlreadyRunning,
    RunCounts,
    feed_ensure,
    feed_run_finish,
    feed_run_start,
)
from tests.ops.harness import (
    client_app,
    redis_kill_clients,
    route_drop,
    route_slow,
    table_counts,
    terminate_backend_after,
)


def _seed_models(n: int, *, prefix: str = "org") -> None:
    org = Organization.objects.create(slug=f"{prefix}-org", name=f"{prefix} org")
    Model.objects.bulk_create(
        Model(repo_id=f"{prefix}/model-{i}", name=f"model-{i}", organization=org, num_layers=i)
        for i in range(n)
    )


def _load_recorded(*, feed: Feed, load: Callable[[], RunCounts]) -> FeedRun:
    """The ingestion shape (start run, one durable transaction, finish run) around a load.

    A load that loses its connection is rolled back by PostgreSQL; the run is then
    recorded failed on a fresh connection."""
    run = feed_run_start(feed=feed)
    try:
        with transaction.atomic(durable=True):
            counts = load()
    except OperationalError as exc:
        connection.close()  # the broken connection; the next query opens a new one
        return feed_run_finish(run=run, counts=RunCounts(), failed_reason=f"load failed: {exc}")
    return feed_run_finish(run=run, counts=counts)


def _alias_load(n: int) -> Callable[[], RunCounts]:
    """A catalog bulk load on this branch: n feed names, each creating an API-only model
    (Organization, Model and ModelAlias inserts in one transaction)."""
    names = [FeedName(name=f"acme/api-model-{i}", organization_hint="acme") for i in range(n)]

    def load() -> RunCounts:
        result = aliases_resolve(source="fault-feed", names=names, create_missing=True)
        return RunCounts(created=result.created_models, unchanged=n - result.created_models)

    return load


# --- (3) PostgreSQL connection terminated mid-load -------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_connection_terminated_mid_load_rolls_back_and_rerun_completes() -> None:
    _seed_models(25)
    feed = feed_ensure(slug="fault-feed", name="Fault feed", kind="pricing")
    before = table_counts()

    # Organization, Model, then ModelAlias inserts: die at the third, models written.
    with terminate_backend_after(3, match="INSERT INTO") as killed:
        run = _load_recorded(feed=feed, load=_alias_load(300))

    assert killed["killed_pid"], "the backend was never terminated: the load took another path"
    assert run.status == FeedRun.Status.FAILED
    assert "load failed" in run.errors[0]
    # Rolled back: only the run record itself is new.
    assert table_counts() == {**before, "catalog.feedrun": before["catalog.feedrun"] + 1}

    rerun = _load_recorded(feed=feed, load=_alias_load(300))
    assert rerun.status == FeedRun.Status.SUCCESS
    assert rerun.created == 300
    assert table_counts() == {
        **before,
        "catalog.organization": before["catalog.organization"] + 1,
        "catalog.model": before["catalog.model"] + 300,
        "catalog.modelalias": before["catalog.modelalias"] + 300,
        "catalog.feedrun": before["catalog.feedrun"] + 2,
    }
    # A third run changes nothing (idempotent).
    again = _load_recorded(feed=feed, load=_alias_load(300))
    assert again.created == 0
    assert table_counts()["catalog.model"] == before["catalog.model"] + 300


# --- (4) the same feed started twice at once -------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_same_feed_started_twice_at_once_refuses_the_second() -> None:
    feed = feed_ensure(slug="litellm", name="LiteLLM", kind="pricing")
    before = table_counts()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def start() -> None:
        try:
            barrier.wait(5)
            feed_run_start(feed=feed)
            result = "started"
        except FeedAlreadyRunning:
            result = "refused"
        finally:
            close_old_connections()
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=start) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert sorted(outcomes) == ["refused", "started"]
    assert FeedRun.objects.filter(feed=feed, status=FeedRun.Status.RUNNING).count() == 1
    assert table_counts() == {**before, "catalog.feedrun": before["catalog.feedrun"] + 1}


@pytest.mark.django_db
def test_second_start_of_a_running_feed_is_refused_with_409() -> None:
    feed = feed_ensure(slug="openrouter", name="OpenRouter", kind="pricing")
    feed_run_start(feed=feed)
    with pytest.raises(FeedAlreadyRunning) as info:
        feed_run_start(feed=feed)
    assert info.value.status == 409
    assert info.value.code == "feed_already_running"


# --- (1) worker killed mid-task: acks_late redelivers -----------------------------------
@pytest.mark.redis
@pytest.mark.slow
@pytest.mark.django_db
def test_worker_killed_mid_task_the_task_is_delivered_again(start_worker, tmp_path: Path) -> None:
    marks = tmp_path / "marks.txt"
    before = table_counts()
    first = start_worker(visibility_timeout_s=2)
    app = client_app()
    result = app.send_task("tests.ops.mark_slowly", kwargs={"path": str(marks), "seconds": 3})
    deadline = time.monotonic() + 60
    while not (marks.exists() and "started" in marks.read_text()):
        assert time.monotonic() < deadline, first.output()
        time.sleep(0.1)
    first.kill()
    assert marks.read_text().splitlines() == ["started"]

    time.sleep(2.5)  # past the visibility timeout: the unacked message is restored
    start_worker(visibility_timeout_s=2)
    assert result.get(timeout=90) == "done"
    lines = marks.read_text().splitlines()
    assert lines == ["started", "started", "done"], lines
    assert table_counts() == before


# --- (2) Redis connections killed: clients reconnect ------------------------------------
@pytest.mark.redis
@pytest.mark.slow
@pytest.mark.django_db
def test_redis_clients_killed_worker_and_producer_reconnect(start_worker) -> None:
    before = table_counts()
    worker = start_worker()
    app = client_app()
    assert app.send_task("tests.ops.ping").get(timeout=60) == "pong"

    killed = redis_kill_clients()
    assert killed >= 1, "no client was connected to our Redis DB"

    result = app.send_task("tests.ops.ping")
    assert result.get(timeout=60) == "pong", worker.output()
    assert table_counts() == before


# --- (5) a slow or dropping upstream -----------------------------------------------------
def test_slow_upstream_times_out_within_the_limit(fake_server) -> None:
    route_slow(fake_server, "/api/models", delay_s=3)
    started = time.monotonic()
    with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
        urllib.request.urlopen(fake_server.url("/api/models"), timeout=0.5)
    assert time.monotonic() - started < 2


def test_dropped_connection_fails_then_the_retry_succeeds(fake_server) -> None:
    route_drop(fake_server, "/api/models", times=1, body=b"[]")
    with pytest.raises((ConnectionError, urllib.error.URLError, OSError)):
        urllib.request.urlopen(fake_server.url("/api/models"), timeout=2)
    with urllib.request.urlopen(fake_server.url("/api/models"), timeout=2) as resp:
        assert resp.read() == b"[]"
    assert len(fake_server.requests) == 2
