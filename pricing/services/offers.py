"""Load parsed offers: link names to catalog models, then write price history.

Compare-then-write: the feed's current rows are read in one query; records whose
fingerprint equals the current row are skipped; a changed price closes the current
row (one UPDATE per page) and inserts the new row(s) (one bulk INSERT per page).
Rows are never overwritten or deleted, so the rows of one key ordered by
`valid_from` are its complete price history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Max

from catalog.models import Feed
from catalog.services.aliases import FeedName, aliases_resolve
from catalog.services.runs import RunCounts
from pricing.feeds.base import OfferRecord, RecordError
from pricing.feeds.litellm import litellm_task_slug
from pricing.models import Offer, Provider
from pricing.services.providers import providers_ensure

PAGE_SIZE = 1000
MAX_JUMP = Decimal(1000)  # a price more than 1000x the previous one is a feed error
# An undated price followed by dated changes (genai-prices) started before we can know.
UNKNOWN_START = datetime(2000, 1, 1, tzinfo=UTC)
# First-party vendors of closed models: their unmatched names become API-only models.
CLOSED_VENDORS = frozenset(
    {
        "openai",
        "anthropic",
        "gemini",
        "google",
        "xai",
        "x-ai",
        "cohere",
        "cohere_chat",
        "ai21",
        "amazon",
        "reka",
    }
)
JUMP_FIELDS = (
    "usd_per_mtok_input",
    "usd_per_mtok_output",
    "usd_per_image",
    "usd_per_audio_second",
    "usd_per_request",
    "usd_per_unit",
)
Progress = Callable[[int, int], None]


def _is_closed(r: OfferRecord) -> bool:
    if r.open_weights is not None:
        return not r.open_weights
    # exact first-party vendors only: resellers ("vertex_ai-anthropic_models", "azure")
    # link to the vendor's model by name instead of creating a copy of it
    return (r.organization_hint or r.provider).lower() in CLOSED_VENDORS


def offer_links_resolve(*, feed: Feed, records: Sequence[OfferRecord]) -> dict[str, int]:
    """Feed model name -> catalog model id, through ModelAlias (source = the feed slug).

    Closed models that match nothing become API-only catalog models first, so that the
    other names (resellers of the same model) can match them by normalized name."""
    first: dict[str, OfferRecord] = {}
    for r in records:
        first.setdefault(r.model_name, r)

    def name(r: OfferRecord) -> FeedName:
        return FeedName(
            name=r.model_name,
            organization_hint=r.organization_hint,
            hub_repo_id=r.hub_repo_id,
            display_name=r.display_name,
            task_slug=litellm_task_slug(r.mode),
            open_weights=bool(r.open_weights),
            context_tokens=r.context_tokens,
        )

    closed = [name(r) for r in first.values() if _is_closed(r)]
    others = [name(r) for r in first.values() if not _is_closed(r)]
    linked: dict[str, int] = {}
    if closed:
        linked.update(aliases_resolve(source=feed.slug, names=closed, create_missing=True).linked)
    if others:
        linked.update(aliases_resolve(source=feed.slug, names=others).linked)
    return linked


@transaction.atomic
def offers_load(
    *,
    feed: Feed,
    records: Sequence[OfferRecord],
    errors: Sequence[RecordError] = (),
    now: datetime,
    close_missing: bool = True,
    progress: Progress | None = None,
) -> RunCounts:
    """Write the feed's offers as history rows keyed on (feed, provider, model name, unit).

    Idempotent: a second load of the same records writes nothing. A record whose price
    jumps more than 1000x over the current one is rejected (its current row stays).
    With `close_missing`, current rows of keys the feed no longer lists are closed,
    except keys named by a rejected record (their last good price stays current)."""
    counts = RunCounts()
    protected = {e.ref for e in errors}
    provider_ids = providers_ensure(
        names={r.provider: r.provider_name for r in records}, kind=Provider.Kind.API
    )
    links = offer_links_resolve(feed=feed, records=records)
    by_key: dict[tuple[int, str, str], list[OfferRecord]] = defaultdict(list)
    for r in records:
        by_key[(provider_ids[r.provider[:80]], r.model_name, r.unit)].append(r)
    current = {
        (row["provider_id"], row["model_name"], row["unit"]): row
        for row in Offer.objects.filter(feed=feed, valid_to__isnull=True).values(
            "id",
            "provider_id",
            "model_name",
            "unit",
            "fingerprint",
            "valid_from",
            "model_id",
            *JUMP_FIELDS,
        )
    }
    keys = sorted(by_key)
    for start in range(0, len(keys), PAGE_SIZE):
        page = keys[start : start + PAGE_SIZE]
        _page_write(feed, page, by_key, current, links, now, counts)
        if progress:
            progress(min(start + PAGE_SIZE, len(keys)), len(keys))
    if close_missing:
        kept = _protected_keys(protected)
        gone = [
            row["id"]
            for key, row in current.items()
            if key not in by_key and (key[0], key[1]) not in kept and row["valid_from"] < now
        ]
        for i in range(0, len(gone), PAGE_SIZE):
            Offer.objects.filter(id__in=gone[i : i + PAGE_SIZE]).update(valid_to=now)
        counts.closed += len(gone)
    return counts


def _protected_keys(refs: set[str]) -> set[tuple[int, str]]:
    """(provider id, model name) of rejected records: "provider/model" refs."""
    pairs = [tuple(ref.split("/", 1)) for ref in refs if "/" in ref]
    if not pairs:
        return set()
    ids = dict(Provider.objects.filter(slug__in={p for p, _ in pairs}).values_list("slug", "id"))
    return {(ids[p], m) for p, m in pairs if p in ids}


def _page_write(feed, page, by_key, current, links, now, counts) -> None:
    to_close: dict[datetime, list[int]] = defaultdict(list)
    to_insert: list[Offer] = []
    relink: list[Offer] = []
    fresh = [k for k in page if k not in current]
    last_closed = {}
    if fresh:
        # keys that had a price once, were closed (gone from the feed) and are back
        last_closed = {
            (row["provider_id"], row["model_name"], row["unit"]): row["last"]
            for row in Offer.objects.filter(
                feed=feed, model_name__in=[k[1] for k in fresh], valid_to__isnull=False
            )
            .values("provider_id", "model_name", "unit")
            .annotate(last=Max("valid_to"))
        }
    for key in page:
        points = _points(by_key[key], now)
        if not points:
            continue
        latest = points[-1]
        model_id = links.get(key[1])
        cur = current.get(key)
        if cur is not None and cur["fingerprint"] == latest.fingerprint:
            counts.unchanged += 1
            if model_id and cur["model_id"] != model_id:
                relink.append(Offer(id=cur["id"], model_id=model_id))
            continue
        if cur is not None:
            reason = _jump(cur, latest)
            if reason:
                counts.rejected += 1
                counts.errors.append(f"{latest.ref} ({latest.unit}): {reason}")
                continue
            new = [p for p in points if p.valid_from and p.valid_from > cur["valid_from"]]
            if not new or new[-1] is not latest:
                new = [replace(latest, valid_from=now)]
            if new[0].valid_from <= cur["valid_from"]:  # a clock behind the stored history
                stamp = f"{new[0].valid_from:%Y-%m-%d %H:%M}"
                counts.rejected += 1
                counts.errors.append(
                    f"{latest.ref} ({latest.unit}): new price dated {stamp} is not after "
                    "the current one's start: rejected"
                )
                continue
            to_close[new[0].valid_from].append(cur["id"])
            counts.updated += 1
        elif key in last_closed:
            new = [replace(latest, valid_from=max(now, last_closed[key]))]
            counts.created += 1
        else:
            new = points
            if new[0].valid_from is None:
                start = UNKNOWN_START if len(new) > 1 else now
                new = [replace(new[0], valid_from=start), *new[1:]]
            counts.created += 1
        for i, p in enumerate(new):
            valid_to = new[i + 1].valid_from if i + 1 < len(new) else None
            to_insert.append(_offer(feed, key, p, model_id, valid_to))
    for valid_to, ids in to_close.items():
        Offer.objects.filter(id__in=ids).update(valid_to=valid_to)
    Offer.objects.bulk_create(to_insert, batch_size=PAGE_SIZE)
    if relink:
        Offer.objects.bulk_update(relink, ["model"], batch_size=PAGE_SIZE)


def _points(records: list[OfferRecord], now: datetime) -> list[OfferRecord]:
    """The key's price points in force by `now`, oldest first, equal neighbours merged."""
    ordered = sorted(
        (r for r in records if r.valid_from is None or r.valid_from <= now),
        key=lambda r: (r.valid_from is not None, r.valid_from or now),
    )
    out: list[OfferRecord] = []
    for r in ordered:
        if out and out[-1].fingerprint == r.fingerprint:
            continue
        out.append(r)
    return out


def _jump(cur: dict, rec: OfferRecord) -> str:
    for f in JUMP_FIELDS:
        old, new = cur.get(f), getattr(rec, f)
        if old and new and Decimal(new) > Decimal(old) * MAX_JUMP:
            return (
                f"{f} jumped from {old.normalize():f} to {new.normalize():f} "
                f"(> {MAX_JUMP}x the previous price): rejected, previous price kept"
            )
    return ""


def _offer(feed: Feed, key, r: OfferRecord, model_id, valid_to) -> Offer:
    return Offer(
        feed=feed,
        provider_id=key[0],
        model_id=model_id,
        model_name=r.model_name,
        hub_repo_id=r.hub_repo_id,
        open_weights=r.open_weights,
        mode=r.mode[:40],
        unit=r.unit,
        image_options=r.image_options,
        tiers=list(r.tiers),
        context_tokens=r.context_tokens,
        max_output_tokens=r.max_output_tokens,
        valid_from=r.valid_from,
        valid_to=valid_to,
        fingerprint=r.fingerprint,
        **r.prices(),
    )
