"""/healthz, /readyz and /metrics."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import FeedRun
from catalog.services.runs import RunCounts, feed_ensure, feed_run_finish, feed_run_start
from config.celery import app as celery_app
from config.metrics import FeedRunCollector
from tests.ops.harness import redis_available


def test_healthz_answers_without_the_database(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ready_with_database_and_migrations(client) -> None:
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["database"]["ok"]
    assert body["migrations"]["ok"]
    assert body["migrations"]["pending"] == []
    assert "broker" not in body  # no CELERY_BROKER_URL: tasks run eagerly


@pytest.mark.django_db
def test_readyz_reports_age_of_last_good_run_per_feed(client) -> None:
    feed = feed_ensure(slug="litellm", name="LiteLLM", kind="pricing")
    feed_ensure(slug="never-ran", name="Never", kind="pricing")
    then = timezone.now() - timedelta(hours=2)
    run = feed_run_start(feed=feed, now=then)
    feed_run_finish(run=run, counts=RunCounts(created=3), now=then)
    feeds = client.get("/readyz").json()["feeds"]["feeds"]
    assert 7100 < feeds["litellm"]["age_s"] < 7300
    assert feeds["never-ran"] == {
        "last_good_run_at": None,
        "age_s": None,
        "last_run_status": None,
    }


@pytest.mark.django_db
def test_readyz_is_503_naming_the_broker_when_unreachable(client, settings) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["broker"]
    assert body["broker"]["ok"] is False
    assert body["broker"]["error"]


@pytest.mark.redis
@pytest.mark.django_db
def test_readyz_checks_a_reachable_broker(client, settings) -> None:
    assert redis_available()
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/2"
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["broker"]["ok"] is True


@pytest.mark.django_db(transaction=True)
def test_readyz_is_503_when_migrations_are_pending(client) -> None:
    from django.core.management import call_command

    call_command("migrate", "benchmarks", "zero", verbosity=0)
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        body = response.json()
        assert "migrations" in body["failing"]
        assert "benchmarks.0001_add_accelerator" in body["migrations"]["pending"]
    finally:
        call_command("migrate", verbosity=0)
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_metrics_has_request_latency_by_view(client) -> None:
    client.get("/models/")
    client.get("/no-such-page/")
    text = client.get("/metrics").content.decode()
    assert 'atlas_http_request_duration_seconds_count{method="GET",view="catalog:model-list"}' in (
        text
    )
    assert 'view="<unresolved>"' in text
    assert "no-such-page" not in text  # raw paths never become labels


@pytest.mark.django_db
def test_metrics_has_feed_runs_and_rows_from_one_query(client, django_assert_num_queries) -> None:
    feed = feed_ensure(slug="litellm", name="LiteLLM", kind="pricing")
    for created in (5, 7):
        run = feed_run_start(feed=feed)
        feed_run_finish(run=run, counts=RunCounts(created=created, updated=1))
    run = feed_run_start(feed=feed)
    feed_run_finish(run=run, counts=RunCounts(), failed_reason="upstream 500")

    with django_assert_num_queries(1):
        families = {m.name: m for m in FeedRunCollector().collect()}
    runs = {(s.labels["status"]): s.value for s in families["atlas_feed_runs"].samples}
    assert runs == {"success": 2, "failed": 1}
    rows = {s.labels["outcome"]: s.value for s in families["atlas_feed_rows"].samples}
    assert rows["created"] == 12
    assert rows["updated"] == 2
    assert FeedRun.objects.count() == 3

    text = client.get("/metrics").content.decode()
    assert 'atlas_feed_runs_total{feed="litellm",status="success"} 2.0' in text
    assert 'atlas_feed_rows_total{feed="litellm",outcome="created"} 12.0' in text
    assert 'atlas_feed_last_good_run_timestamp_seconds{feed="litellm"}' in text


@celery_app.task(name="tests.ops.metrics_ok")
def _ok_task() -> int:
    return 1


@celery_app.task(name="tests.ops.metrics_boom")
def _boom_task() -> int:
    raise RuntimeError("boom")


@pytest.mark.django_db
def test_metrics_has_celery_task_durations_and_failures(client) -> None:
    # apply() runs the worker's tracer in-process: the same signals fire as in a worker.
    assert _ok_task.apply().get() == 1
    assert _boom_task.apply(throw=False).failed()
    text = client.get("/metrics").content.decode()
    assert (
        'atlas_celery_task_duration_seconds_count{state="SUCCESS",task="tests.ops.metrics_ok"}'
        in text
    )
    assert (
        'atlas_celery_task_failures_total{exception="RuntimeError",task="tests.ops.metrics_boom"}'
        in text
    )


@pytest.mark.slow
def test_multiprocess_mode_sums_every_process(tmp_path) -> None:
    """gunicorn workers and Celery children each write their own files; /metrics sums them."""
    import os
    import subprocess
    import sys

    from prometheus_client import CollectorRegistry, generate_latest, multiprocess

    code = (
        "from config.metrics import REQUEST_LATENCY, TASK_FAILURES; "
        "REQUEST_LATENCY.labels('home', 'GET').observe(0.01); "
        "TASK_FAILURES.labels('t', 'E').inc()"
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(tmp_path))
    text = generate_latest(registry).decode()
    assert 'atlas_http_request_duration_seconds_count{method="GET",view="home"} 2.0' in text
    assert 'atlas_celery_task_failures_total{exception="E",task="t"} 2.0' in text


@pytest.mark.django_db
def test_readyz_is_503_and_metrics_show_a_run_stuck_past_its_limit(client, settings) -> None:
    """A sync killed mid-run leaves its run "running": past its limit /readyz fails on
    `feed_runs` and /metrics shows it (issue 16 §5); a run within its limit is fine."""
    settings.FEED_RUN_STALE_AFTER_S = 3600
    settings.HUB_RUN_STALE_AFTER_S = 1800
    prices = feed_ensure(slug="litellm", name="LiteLLM", kind="pricing")
    hub = feed_ensure(slug="hub", name="Hub", kind="hub")
    feed_run_start(feed=hub, now=timezone.now() - timedelta(minutes=5))
    fresh = client.get("/readyz")
    assert fresh.status_code == 200, fresh.json()
    assert fresh.json()["feed_runs"] == {
        "ok": True,
        "stuck": [],
        "duration_ms": fresh.json()["feed_runs"]["duration_ms"],
    }

    two_hours_ago = timezone.now() - timedelta(hours=2)
    stuck = feed_run_start(feed=prices, now=two_hours_ago)
    FeedRun.objects.filter(pk=stuck.pk).update(updated_at=two_hours_ago)  # no write since
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 503
    assert body["failing"] == ["feed_runs"]
    stuck_runs = body["feed_runs"]["stuck"]
    assert [(r["feed"], r["run_id"]) for r in stuck_runs] == [("litellm", stuck.pk)]
    assert 7100 < stuck_runs[0]["idle_s"] < 7300
    text = client.get("/metrics").content.decode()
    assert 'atlas_feed_runs_stuck{feed="litellm"} 1.0' in text
    assert 'atlas_feed_runs_stuck{feed="hub"}' not in text

    # a Hub run is stuck once no page moved it for HUB_RUN_STALE_AFTER_S
    FeedRun.objects.filter(feed=hub).update(updated_at=timezone.now() - timedelta(hours=1))
    feeds = {r["feed"] for r in client.get("/readyz").json()["feed_runs"]["stuck"]}
    assert feeds == {"litellm", "hub"}
