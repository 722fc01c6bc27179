"""The generic run record every ingesting feed uses (Hub, prices, leaderboards, runs).

Shape of every ingestion: `feed_run_start` (refused when the feed already has a running
run, enforced by a partial unique constraint), fetch -> pure parse -> transactional load,
then `feed_run_finish` with the counts and errors. A failed fetch or parse finishes the
run as failed and changes nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from catalog.models import Feed, FeedRun
from catalog.selectors import feed_run_stale_after_s
from config.errors import Conflict

MAX_ERRORS_KEPT = 500


class FeedAlreadyRunning(Conflict):
    code = "feed_already_running"


@dataclass(slots=True)
class RunCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    closed: int = 0
    rejected: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: RunCounts) -> None:
        for name in ("created", "updated", "unchanged", "closed", "rejected", "failed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors.extend(other.errors)


def db_connection_recover() -> None:
    """Drop the default connection if it is broken, so the next query opens a fresh one.

    After `pg_terminate_backend` (or a database restart) a statement run in autocommit
    leaves Django holding a dead connection until the end of a request, which a Celery
    task or a command never reaches; recording the run's failure would then fail too.
    (Inside `atomic`, Django already drops the connection when the rollback fails.)
    Does nothing inside a transaction, where a reconnect would hide the broken one.
    """
    if connection.in_atomic_block or connection.connection is None:
        return
    if not connection.is_usable():
        connection.close()


def feed_ensure(
    *, slug: str, name: str, kind: str, format: str = "", url: str = "", schedule: str = ""
) -> Feed:
    """Get or create the Feed row for a source (its settings are not overwritten)."""
    feed, _ = Feed.objects.get_or_create(
        slug=slug,
        defaults={"name": name, "kind": kind, "format": format, "url": url, "schedule": schedule},
    )
    return feed


def feed_run_start(
    *, feed: Feed, params: dict | None = None, now: datetime | None = None
) -> FeedRun:
    """Open a running FeedRun; raise FeedAlreadyRunning if one is already open.

    A run of this feed left "running" for longer than its limit (a killed worker) is
    failed first, so it never locks the feed (feed_runs_fail_stale; looked for only when
    the feed is held, so a normal start costs no extra query)."""
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                return FeedRun.objects.create(
                    feed=feed, started_at=now or timezone.now(), params=params or {}
                )
        except IntegrityError as exc:
            if attempt == 1 and feed_runs_fail_stale(feed=feed):
                continue
            raise FeedAlreadyRunning(
                f"Feed '{feed.slug}' already has a running run; the second run was refused."
            ) from exc
    raise AssertionError("unreachable")


def feed_run_finish(
    *,
    run: FeedRun,
    counts: RunCounts,
    failed_reason: str | None = None,
    refused_reason: str | None = None,
    now: datetime | None = None,
) -> FeedRun:
    """Close a run with its counts. Success also marks it the feed's last good run.

    `refused_reason`: the run wrote nothing because its document looked like a wipe.
    A failure is recorded on a fresh connection when the load's one was broken."""
    if failed_reason or refused_reason:
        db_connection_recover()
    run.finished_at = now or timezone.now()
    for name in ("created", "updated", "unchanged", "closed", "rejected", "failed"):
        setattr(run, name, getattr(counts, name))
    errors = list(counts.errors)
    if failed_reason:
        errors.insert(0, failed_reason)
        run.status = FeedRun.Status.FAILED
    elif refused_reason:
        errors.insert(0, refused_reason)
        run.status = FeedRun.Status.REFUSED
    elif counts.rejected or counts.failed:
        run.status = FeedRun.Status.PARTIAL
    else:
        run.status = FeedRun.Status.SUCCESS
    if len(errors) > MAX_ERRORS_KEPT:
        errors = [*errors[:MAX_ERRORS_KEPT], f"... and {len(errors) - MAX_ERRORS_KEPT} more"]
    run.errors = errors
    run.save()
    if run.status not in (FeedRun.Status.FAILED, FeedRun.Status.REFUSED):
        Feed.objects.filter(pk=run.feed_id).update(last_good_run=run, updated_at=run.finished_at)
    return run


def feed_runs_abandon_stale(*, feed: Feed, older_than: datetime) -> int:
    """Mark runs left 'running' by a killed process as failed, so a new run can start."""
    return FeedRun.objects.filter(
        feed=feed, status=FeedRun.Status.RUNNING, started_at__lt=older_than
    ).update(
        status=FeedRun.Status.FAILED,
        finished_at=timezone.now(),
        errors=["abandoned: the process running it stopped before finishing"],
    )


def feed_runs_fail_stale(*, feed: Feed) -> int:
    """Fail this feed's runs left "running" past their limit (the process running them
    was killed: SIGKILL, OOM, a lost machine), keeping their counts, errors and cursor so
    a resumable sync (the Hub's) can still continue from where it stopped."""
    limit = timedelta(seconds=feed_run_stale_after_s(feed))
    now = timezone.now()
    stale = list(
        FeedRun.objects.filter(feed=feed, status=FeedRun.Status.RUNNING, updated_at__lt=now - limit)
    )
    for run in stale:
        age = (now - run.updated_at).total_seconds()
        run.errors = [
            f"abandoned: still running after {age:.0f}s with no progress "
            f"(limit {limit.total_seconds():.0f}s); the process running it stopped",
            *run.errors,
        ]
        run.status = FeedRun.Status.FAILED
        run.finished_at = now
        run.save(update_fields=["errors", "status", "finished_at", "updated_at"])
    return len(stale)
