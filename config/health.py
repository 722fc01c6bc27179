"""Probes for a process manager or load balancer.

- /healthz: the process is up and answering (no I/O). Always 200.
- /readyz: ready to serve: the database answers, the broker answers (when
  CELERY_BROKER_URL is set), every migration is applied, no feed run is stuck
  "running" past its limit (a killed worker: FEED_RUN_STALE_AFTER_S, the Hub's
  HUB_RUN_STALE_AFTER_S); also reports each enabled feed's last good run, its last run's
  status, and the feeds whose last run was refused as a likely wipe (information, not a
  failure: the last good prices stay current and the site serves them).
  200 when every check passes, else 503 naming the failing ones.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

BROKER_TIMEOUT_S = 2.0


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def _check_migrations() -> dict[str, Any]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    pending = [f"{m.app_label}.{m.name}" for m, _backwards in plan]
    return {"ok": not pending, "pending": pending}


def _check_broker() -> dict[str, Any]:
    from kombu import Connection

    with Connection(settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT_S) as conn:
        conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_S)
    return {"ok": True}


def _feed_ages() -> dict[str, Any]:
    from django.db.models import OuterRef, Subquery

    from catalog.models import FeedRun
    from catalog.selectors import feed_list

    now = timezone.now()
    feeds: dict[str, Any] = {}
    last = FeedRun.objects.filter(feed=OuterRef("pk")).order_by("-started_at", "-id")
    rows = (
        feed_list().filter(enabled=True).annotate(last_status=Subquery(last.values("status")[:1]))
    )
    refused = []
    for feed in rows:
        run = feed.last_good_run
        finished = run.finished_at if run is not None else None
        feeds[feed.slug] = {
            "last_good_run_at": finished.isoformat() if finished else None,
            "age_s": round((now - finished).total_seconds(), 1) if finished else None,
            "last_run_status": feed.last_status,
        }
        if feed.last_status == FeedRun.Status.REFUSED:
            refused.append(feed.slug)
    return {"ok": True, "feeds": feeds, "refused": refused}


def _feed_runs() -> dict[str, Any]:
    """Runs stuck "running" past their limit: a worker died mid-run (failing: the feed
    is not being refreshed until its next sync clears the run)."""
    from catalog.selectors import feed_runs_stuck

    stuck = [
        {
            "feed": run.feed,
            "run_id": run.run_id,
            "started_at": run.started_at.isoformat(),
            "idle_s": run.idle_s,
            "limit_s": run.limit_s,
        }
        for run in feed_runs_stuck()
    ]
    return {"ok": not stuck, "stuck": stuck}


def _run(check: Any) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        result = check()
    except Exception as exc:  # a probe reports failures, it never raises them
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:500]}
    result["duration_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, dict[str, Any]] = {"database": _run(_check_database)}
    if checks["database"]["ok"]:
        checks["migrations"] = _run(_check_migrations)
    if settings.CELERY_BROKER_URL:
        checks["broker"] = _run(_check_broker)
    if checks["database"]["ok"] and checks.get("migrations", {}).get("ok"):
        checks["feeds"] = _run(_feed_ages)
        checks["feed_runs"] = _run(_feed_runs)
    failing = [name for name, result in checks.items() if not result["ok"]]
    if "migrations" not in checks:
        failing.append("migrations")
    body = {"status": "ok" if not failing else "unavailable", "failing": failing, **checks}
    return JsonResponse(body, status=200 if not failing else 503)
