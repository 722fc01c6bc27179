"""Writes: load leaderboard files into snapshots and scores.

Pipeline per source (ARCHITECTURE "ingestion pipeline"): feed_run_start -> read the
user-supplied path and parse (pure) -> one transaction that upserts the Leaderboard
rows, links model names through catalog aliases and inserts a new snapshot with its
scores -> feed_run_finish. A read/parse failure or any error inside the load marks the
run failed and changes nothing, so the last good snapshot stays current.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from catalog.models import Feed, FeedRun, Model, ModelAlias
from catalog.services.aliases import FeedName, aliases_resolve
from catalog.services.runs import RunCounts, feed_ensure, feed_run_finish, feed_run_start
from config.errors import AtlasError
from quality.feeds import FeedFormatError, ScoreRecord, records_fingerprint
from quality.feeds.boards import BOARDS, SOURCES, BoardSpec
from quality.feeds.variants import KeptScore, fold_variants, variant_of
from quality.fetch import source_read
from quality.models import Leaderboard, LeaderboardSnapshot, Score

logger = logging.getLogger(__name__)

BATCH = 1000
# Quality task -> catalog Task slug, for API-only models created from a leaderboard.
CATALOG_TASKS = {
    "chat": "text-generation",
    "code": "text-generation",
    "vision": "image-text-to-text",
    "embeddings": "feature-extraction",
    "speech-to-text": "automatic-speech-recognition",
    "text-to-image": "text-to-image",
}
# Sources whose metadata says which models are closed and who makes them: unmatched
# closed models become API-only catalog models ("<org>/<name>", as pricing feeds key
# them). Aider names are free text with no maker: never created.
CREATE_CLOSED_FROM = {"lmarena", "livebench", "mteb", "open_asr"}

Progress = Callable[[int], None]


class UnknownQualitySource(AtlasError):
    code = "quality_source_unknown"


def default_path(source: str) -> Path:
    base = getattr(settings, "QUALITY_DATA_DIR", None)
    root = Path(base) if base else Path(settings.BASE_DIR).parent / "shared" / "quality"
    return root / source


def _feed_for(source: str) -> Feed:
    boards = [b for b in BOARDS.values() if b.source == source]
    return feed_ensure(
        slug=source,
        name=f"{boards[0].name.split(' (')[0]} leaderboard" if boards else source,
        kind=Feed.Kind.QUALITY,
        format=source,
        url=boards[0].source_url if boards else "",
        schedule="weekly",
    )


def leaderboard_sync(
    *,
    source: str,
    file: Path | str | None = None,
    now: datetime | None = None,
    data_date: date | None = None,
    progress: Progress | None = None,
) -> FeedRun:
    """Load one source's leaderboards from `file` (default: ../shared/quality/<source>).

    Writes Leaderboard rows (upsert on slug), one LeaderboardSnapshot per board and
    data date (date from the file, else `data_date`, else today) and its Score rows for
    the names that link to catalog models. Idempotent: a board whose newest snapshot
    has the same fingerprint writes nothing (names that were unlinked then and link
    now get their scores added). Scores are never overwritten: different data under an
    already-loaded date is rejected with a line. Returns the finished FeedRun; a failed
    read/parse/load gives a failed run and no other change.
    """
    if source not in SOURCES:
        known = ", ".join(SOURCES)
        raise UnknownQualitySource(f"unknown quality source '{source}' (known: {known})")
    now = now or timezone.now()
    path = Path(file) if file else default_path(source)
    feed = _feed_for(source)
    run = feed_run_start(feed=feed, params={"file": str(path)}, now=now)
    try:
        read = source_read(source=source, path=path)
    except FeedFormatError as exc:
        logger.warning("quality sync failed source=%s reason=%s", source, exc)
        return feed_run_finish(run=run, counts=RunCounts(), failed_reason=str(exc), now=now)
    counts = RunCounts(rejected=len(read.errors), errors=list(read.errors))
    if not read.records:
        # Every row rejected (or an empty file): nothing to publish, the run failed.
        return feed_run_finish(
            run=run, counts=counts, failed_reason=f"{source}: no valid record in {path}", now=now
        )
    try:
        with transaction.atomic(durable=True):
            counts.add(
                _records_load(
                    source=source,
                    records=read.records,
                    run=run,
                    today=(data_date or now.date()),
                    explicit_date=data_date,
                    progress=progress,
                )
            )
    except Exception as exc:  # boundary: record what failed, roll back everything
        logger.exception("quality load failed source=%s", source)
        return feed_run_finish(
            run=run, counts=RunCounts(), failed_reason=f"load failed: {exc!r}", now=timezone.now()
        )
    run = feed_run_finish(run=run, counts=counts, now=timezone.now())
    logger.info(
        "quality sync finished source=%s created=%d unchanged=%d rejected=%d",
        source,
        run.created,
        run.unchanged,
        run.rejected,
    )
    return run


def leaderboards_upsert(*, specs: Sequence[BoardSpec]) -> dict[str, Leaderboard]:
    """Create or update Leaderboard rows keyed on slug (one bulk query each way)."""
    fields = [
        "name",
        "source",
        "task",
        "metric",
        "unit",
        "higher_is_better",
        "source_url",
        "licence",
        "attribution",
        "redistributable",
        "description",
    ]
    Leaderboard.objects.bulk_create(
        [Leaderboard(slug=s.slug, **{f: getattr(s, f) for f in fields}) for s in specs],
        update_conflicts=True,
        unique_fields=["slug"],
        update_fields=[*fields, "updated_at"],
    )
    return {b.slug: b for b in Leaderboard.objects.filter(slug__in=[s.slug for s in specs])}


def _records_load(
    *,
    source: str,
    records: Sequence[ScoreRecord],
    run: FeedRun,
    today: date,
    explicit_date: date | None,
    progress: Progress | None,
) -> RunCounts:
    counts = RunCounts()
    by_board: dict[str, list[ScoreRecord]] = defaultdict(list)
    for r in records:
        by_board[r.board].append(r)
    boards = leaderboards_upsert(specs=[BOARDS[slug] for slug in by_board])
    latest = {
        s.leaderboard_id: s
        for s in LeaderboardSnapshot.objects.filter(leaderboard__in=boards.values()).order_by(
            "leaderboard_id", "data_date"
        )
    }  # ascending: the last one per board wins
    plans: list[tuple[Leaderboard, list[ScoreRecord], date, str, LeaderboardSnapshot | None]] = []
    for slug, rows in by_board.items():
        board = boards[slug]
        dates = [r.data_date for r in rows if r.data_date]
        day = explicit_date or (max(dates) if dates else today)
        fingerprint = records_fingerprint(rows)
        current = latest.get(board.id)
        if current is not None and current.fingerprint == fingerprint:
            plans.append((board, rows, current.data_date, fingerprint, current))
        elif current is not None and current.data_date >= day:
            counts.rejected += len(rows)
            counts.errors.append(
                f"{slug}: a snapshot dated {current.data_date} already holds different scores; "
                f"scores are never overwritten, so this file (dated {day}) was not loaded"
            )
        else:
            plans.append((board, rows, day, fingerprint, None))
    # Link every name of the source once (aliases are per source, not per board).
    wanted = []
    for _, rows, _, _, snap in plans:
        retry = set(snap.unlinked) if snap is not None else None
        wanted.extend(r for r in rows if retry is None or r.name_to_link in retry)
    linked = _names_link(source=source, records=wanted)
    for board, rows, day, fingerprint, snap in plans:
        if snap is None:
            snap = LeaderboardSnapshot.objects.create(
                leaderboard=board,
                data_date=day,
                run=run,
                fingerprint=fingerprint,
                row_count=len(rows),
            )
            todo, old_unlinked = rows, None
        else:
            old_unlinked = set(snap.unlinked)
            todo = [r for r in rows if r.name_to_link in old_unlinked]
            counts.unchanged += len(rows) - len(todo)
        pairs = [(r, linked[r.name_to_link]) for r in todo if r.name_to_link in linked]
        kept = fold_variants(
            pairs, headline_metric=board.metric, higher_is_better=board.higher_is_better
        )
        _scores_store(snapshot=snap, kept=kept, retry=old_unlinked is not None)
        counts.created += len(pairs)
        unlinked = sorted({r.name_to_link for r in todo if r.name_to_link not in linked})
        if old_unlinked is None or set(unlinked) != old_unlinked:
            snap.unlinked = unlinked
            snap.save(update_fields=["unlinked", "updated_at"])
        if old_unlinked is not None:
            counts.unchanged += len(todo) - len(pairs)
        if progress:
            progress(len(rows))
    return counts


def _scores_store(*, snapshot: LeaderboardSnapshot, kept: list[KeptScore], retry: bool) -> None:
    """Insert one Score per (model, metric, category) with its variants. On a retry
    (names linked after the snapshot was loaded) a model that already has that row gets
    the new runs appended to the row's variants: the stored value is never overwritten."""
    if not kept:
        return
    existing: dict[tuple[int, str, str], Score] = {}
    if retry:
        existing = {
            (s.model_id, s.metric, s.category): s
            for s in Score.objects.filter(
                snapshot=snapshot, model_id__in={k.model_id for k in kept}
            )
        }
    changed = []
    new = []
    for k in kept:
        row = existing.get((k.model_id, k.record.metric, k.record.category))
        if row is None:
            new.append(_score(snapshot, k))
        else:
            row.variants = [*row.variants, variant_of(k.record), *k.variants]
            row.updated_at = timezone.now()
            changed.append(row)
    Score.objects.bulk_create(new, batch_size=BATCH, ignore_conflicts=True)
    if changed:
        Score.objects.bulk_update(changed, ["variants", "updated_at"], batch_size=BATCH)


def _score(snapshot: LeaderboardSnapshot, kept: KeptScore) -> Score:
    r, model_id = kept.record, kept.model_id
    return Score(
        snapshot=snapshot,
        model_id=model_id,
        source_name=r.source_name,
        metric=r.metric,
        category=r.category,
        setting=r.setting,
        settings=dict(r.settings),
        value=r.value,
        ci_low=r.ci_low,
        ci_high=r.ci_high,
        samples=r.samples,
        total_cost_usd=r.total_cost_usd,
        variants=list(kept.variants),
    )


def _names_link(*, source: str, records: Sequence[ScoreRecord]) -> dict[str, int]:
    """Feed name -> catalog model id, through catalog aliases (see module docstring)."""
    if not records:
        return {}
    plain: dict[str, FeedName] = {}
    closed: dict[str, FeedName] = {}
    for r in records:
        name = r.name_to_link
        if name in plain or name in closed:
            continue
        feed_name = FeedName(
            name=name,
            organization_hint=r.organization_hint,
            hub_repo_id=r.hub_repo_id,
            display_name=r.display_name,
            task_slug=CATALOG_TASKS.get(BOARDS[r.board].task, ""),
            open_weights=r.open_weights,
        )
        is_closed = not r.open_weights and bool(r.organization_hint)
        (closed if is_closed and source in CREATE_CLOSED_FROM else plain)[name] = feed_name
    linked: dict[str, int] = {}
    # Closed models first, so the plain names are matched against the models just created.
    if closed:
        linked.update(
            aliases_resolve(source=source, names=list(closed.values()), create_missing=True).linked
        )
    if plain:
        absent = _hub_ids_absent(plain)
        if absent:
            # The source names an exact Hub repo that the catalog lacks: a fuzzy match
            # would link another repo (whisper-large-v2 -> v3), so only an alias a
            # person (or an earlier run) stored counts.
            linked.update(
                ModelAlias.objects.filter(source=source, alias__in=absent).values_list(
                    "alias", "model_id"
                )
            )
        rest = [n for name, n in plain.items() if name not in absent]
        if rest:
            linked.update(aliases_resolve(source=source, names=rest).linked)
    return linked


def _hub_ids_absent(names: dict[str, FeedName]) -> set[str]:
    """Feed names whose given Hub repo id is not a catalog model (one query)."""
    wanted = {n.hub_repo_id.lower(): name for name, n in names.items() if n.hub_repo_id}
    if not wanted:
        return set()
    present = set(
        Model.objects.annotate(repo_lower=Lower("repo_id"))
        .filter(repo_lower__in=list(wanted))
        .values_list("repo_lower", flat=True)
    )
    return {name for repo, name in wanted.items() if repo not in present}
