"""Prometheus metrics at /metrics (prometheus-client, text format).

- `atlas_http_request_duration_seconds{view,method}`: latency histogram per resolved
  view name (RequestMetricsMiddleware); `atlas_http_responses_total{view,method,status}`.
- `atlas_feed_runs{feed,status}`, `atlas_feed_rows{feed,outcome}` and
  `atlas_feed_last_good_run_timestamp_seconds{feed}`: read from FeedRun rows at scrape
  time by FeedRunCollector (one aggregate query), so every process reports the same;
  `atlas_feed_run_stuck_seconds{feed}`: how long a run stuck "running" past its feed's
  limit has gone without progress (a killed worker; absent when none is stuck).
- `atlas_celery_task_duration_seconds{task,state}` and
  `atlas_celery_task_failures_total{task,exception}`: from Celery signals.

Several processes (gunicorn workers, Celery pool children) each hold their own counters.
When PROMETHEUS_MULTIPROC_DIR is set (`make serve` sets it to var/prometheus and empties
it at start), prometheus-client writes them to files there and /metrics sums every
process's files (multiprocess mode), including the Celery workers' task metrics.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator

from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

REQUEST_LATENCY = Histogram(
    "atlas_http_request_duration_seconds",
    "Time to answer an HTTP request, by resolved view name.",
    ["view", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
RESPONSES = Counter(
    "atlas_http_responses",
    "HTTP responses by view and status code.",
    ["view", "method", "status"],
)
TASK_DURATION = Histogram(
    "atlas_celery_task_duration_seconds",
    "Celery task run time, by task name and final state.",
    ["task", "state"],
    buckets=(0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600),
)
TASK_FAILURES = Counter(
    "atlas_celery_task_failures",
    "Celery tasks that raised, by task name and exception class.",
    ["task", "exception"],
)


def _view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unresolved>"  # 404s: never the raw path, which would explode cardinality
    return match.view_name or "<unnamed>"


class RequestMetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        view = _view_name(request)
        method = request.method if request.method in _METHODS else "OTHER"
        REQUEST_LATENCY.labels(view, method).observe(time.perf_counter() - started)
        RESPONSES.labels(view, method, str(response.status_code)).inc()
        return response


_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


class FeedRunCollector:
    """Feed run counts, rows loaded and last good run time, from one aggregate query."""

    def collect(self) -> Iterator[Metric]:
        from django.db.models import Count, Max, Min, Sum
        from django.utils import timezone

        from catalog.models import Feed, FeedRun
        from catalog.selectors import feed_run_stale_after_s

        outcomes = ("created", "updated", "unchanged", "closed", "rejected", "failed")
        rows = (
            FeedRun.objects.order_by()
            .values("feed__slug", "feed__kind", "status")
            .annotate(
                n=Count("id"),
                last_finished=Max("finished_at"),
                oldest_write=Min("updated_at"),
                **{f"sum_{o}": Sum(o) for o in outcomes},
            )
        )
        runs = CounterMetricFamily(
            "atlas_feed_runs", "Feed and sync runs recorded, by status.", labels=["feed", "status"]
        )
        loaded = CounterMetricFamily(
            "atlas_feed_rows", "Rows handled by feed runs, by outcome.", labels=["feed", "outcome"]
        )
        last_good = GaugeMetricFamily(
            "atlas_feed_last_good_run_timestamp_seconds",
            "When the feed's last successful (or partial) run finished, Unix time.",
            labels=["feed"],
        )
        stuck = GaugeMetricFamily(
            "atlas_feed_run_stuck_seconds",
            "Seconds without progress of a feed run still 'running' past its limit.",
            labels=["feed"],
        )
        totals: dict[tuple[str, str], int] = {}
        good: dict[str, float] = {}
        now = timezone.now()
        for row in rows:
            feed = row["feed__slug"]
            if row["status"] == FeedRun.Status.RUNNING:
                idle = (now - row["oldest_write"]).total_seconds()
                if idle > feed_run_stale_after_s(Feed(kind=row["feed__kind"])):
                    stuck.add_metric([feed], round(idle, 1))
            runs.add_metric([feed, row["status"]], row["n"])
            for o in outcomes:
                totals[(feed, o)] = totals.get((feed, o), 0) + (row[f"sum_{o}"] or 0)
            finished = row["last_finished"]
            if finished is not None and row["status"] in (FeedRun.Status.SUCCESS, "partial"):
                good[feed] = max(good.get(feed, 0.0), finished.timestamp())
        for (feed, outcome), value in sorted(totals.items()):
            loaded.add_metric([feed, outcome], value)
        for feed, ts in sorted(good.items()):
            last_good.add_metric([feed], ts)
        yield runs
        yield loaded
        yield last_good
        yield stuck


class StuckRunCollector:
    """Runs still "running" past their limit, per feed (one query; /readyz fails on them)."""

    def collect(self) -> Iterator[Metric]:
        from django.utils import timezone

        from catalog.selectors import feed_runs_stuck

        stuck = GaugeMetricFamily(
            "atlas_feed_runs_stuck",
            "Runs still running past their limit (FEED_RUN_STALE_AFTER_S / "
            "HUB_RUN_STALE_AFTER_S); /readyz answers 503 while any is.",
            labels=["feed"],
        )
        oldest = GaugeMetricFamily(
            "atlas_feed_run_stuck_age_seconds",
            "Seconds without progress of the feed's oldest stuck run.",
            labels=["feed"],
        )
        per_feed: dict[str, list[float]] = {}
        for run in feed_runs_stuck(now=timezone.now()):
            per_feed.setdefault(run.feed, []).append(run.idle_s)
        for feed, ages in sorted(per_feed.items()):
            stuck.add_metric([feed], len(ages))
            oldest.add_metric([feed], max(ages))
        yield stuck
        yield oldest


def metrics_text() -> bytes:
    """Process (or all processes') metrics plus the database-backed feed metrics."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        base = generate_latest(registry)
    else:
        base = generate_latest(REGISTRY)
    feeds = CollectorRegistry(auto_describe=False)
    feeds.register(FeedRunCollector())
    feeds.register(StuckRunCollector())
    return base + generate_latest(feeds)


def metrics_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST)


# --- Celery signals -------------------------------------------------------------------
_task_started: dict[str, float] = {}


def _task_prerun(task_id: str | None = None, **_: object) -> None:
    if task_id:
        _task_started[task_id] = time.perf_counter()


def _task_postrun(
    task_id: str | None = None, task: object = None, state: str | None = None, **_: object
) -> None:
    started = _task_started.pop(task_id or "", None)
    if started is None:
        return
    name = getattr(task, "name", None) or "<unknown>"
    TASK_DURATION.labels(name, state or "UNKNOWN").observe(time.perf_counter() - started)


def _task_failure(
    sender: object = None, exception: BaseException | None = None, **_: object
) -> None:
    name = getattr(sender, "name", None) or "<unknown>"
    TASK_FAILURES.labels(name, type(exception).__name__ if exception else "<unknown>").inc()


def connect_celery_signals() -> None:
    from celery import signals

    signals.task_prerun.connect(_task_prerun, weak=False, dispatch_uid="atlas_metrics_prerun")
    signals.task_postrun.connect(_task_postrun, weak=False, dispatch_uid="atlas_metrics_postrun")
    signals.task_failure.connect(_task_failure, weak=False, dispatch_uid="atlas_metrics_failure")
