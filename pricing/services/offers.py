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

from django.db import transaction
from django.db.models import Max

from catalog.chat_served import served_as_chat
from catalog.models import Feed
from catalog.services.aliases import FeedName, aliases_resolve, name_rejection
from catalog.services.runs import RunCounts
from pricing.costing.offers import component_row
from pricing.feeds.base import OfferRecord, RecordError
from pricing.feeds.litellm import litellm_task_slug
from pricing.models import Offer, OfferPrice, Provider
from pricing.services.feed_guard import mass_close_check
from pricing.services.providers import providers_resolve
from pricing.services.reviews import (
    OFFER_FIELDS,
    Hold,
    offer_hold,
    offer_review_reason,
    reviews_record,
)

PAGE_SIZE = 1000
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
JUMP_FIELDS = OFFER_FIELDS  # the prices a change is checked on (pricing.services.reviews)
Progress = Callable[[int, int], None]


def _is_closed(r: OfferRecord) -> bool:
    if r.open_weights is not None:
        return not r.open_weights
    # exact first-party vendors only: resellers ("vertex_ai-anthropic_models", "azure")
    # link to the vendor's model by name instead of creating a copy of it
    return (r.organization_hint or r.provider).lower() in CLOSED_VENDORS


def offer_links_resolve(
    *, feed: Feed, records: Sequence[OfferRecord], rejected: list[str] | None = None
) -> dict[str, int]:
    """Feed model name -> catalog model id, through ModelAlias (source = the feed slug).

    One resolution for every name (catalog.services.aliases): the catalog model the
    name or stated Hub id resolves to, else its Hub repo (fetched), else a model under
    its vendor identity. Closed models are never looked up on the Hub. Names that are
    empty or normalize to nothing are appended to `rejected` ("<name>: why")."""
    first: dict[str, OfferRecord] = {}
    open_names: set[str] = set()  # one provider's row saying open weights is enough
    not_chat: set[str] = set()  # a name any row of which is no chat-only provider's chat
    for r in records:
        first.setdefault(r.model_name, r)
        if r.open_weights:
            open_names.add(r.model_name)
        if not served_as_chat(r.provider, r.mode):
            not_chat.add(r.model_name)

    def name(r: OfferRecord) -> FeedName:
        return FeedName(
            name=r.model_name,
            organization_hint=r.organization_hint,
            hub_repo_id=r.hub_repo_id,
            display_name=r.display_name,
            task_slug=litellm_task_slug(r.mode),
            open_weights=r.model_name in open_names,
            context_tokens=r.context_tokens,
            chat_served=r.model_name not in not_chat,
        )

    names = [name(r) for r in first.values()]
    closed_names = {
        n.name
        for n, r in zip(names, first.values(), strict=True)
        if _is_closed(r) and n.name not in open_names
    }
    resolution = aliases_resolve(
        source=feed.slug,
        names=names,
        create_missing=True,
        closed=lambda n: n.name in closed_names,
        hub_fetch=True,
    )
    if rejected is not None:
        rejected.extend(resolution.rejected)
    return resolution.linked


@transaction.atomic
def offers_load(
    *,
    feed: Feed,
    records: Sequence[OfferRecord],
    errors: Sequence[RecordError] = (),
    now: datetime,
    close_missing: bool = True,
    progress: Progress | None = None,
    max_close_share: float | None = None,
) -> RunCounts:
    """Write the feed's offers as history rows keyed on (feed, provider, model name, unit).

    Idempotent: a second load of the same records writes nothing. A record whose price
    falls to $0 (unless the feed marks it free) or moves more than 100x either way is
    held for review (pricing.services.reviews): its current row stays current.
    With `close_missing`, current rows of keys the feed no longer lists are closed,
    except keys named by a rejected record (their last good price stays current); more
    than `max_close_share` of the current rows to close raises MassCloseRefused before
    anything is written."""
    counts = RunCounts()
    protected = {e.ref for e in errors}
    resolution = providers_resolve(
        feed=feed.slug,
        names={r.provider: r.provider_name for r in records},
        service=Provider.Service.API,
    )
    records = _by_provider(records, resolution.ids, resolution.rejected, counts)
    provider_ids = resolution.ids
    bad_names: list[str] = []
    links = offer_links_resolve(feed=feed, records=records, rejected=bad_names)
    bad = {r.model_name for r in records if name_rejection(r.model_name)}
    by_key: dict[tuple[int, str, str], list[OfferRecord]] = defaultdict(list)
    owner: dict[tuple[int, str, str], str] = {}
    for r in records:
        if r.model_name in bad:
            counts.rejected += 1
            counts.errors.append(f"row {r.ref!r} ({r.unit}): {name_rejection(r.model_name)}")
            continue
        key = (provider_ids[r.provider], r.model_name, r.unit)
        first = owner.setdefault(key, r.provider)
        if first != r.provider:
            # two feed slugs of one provider (the registry's aliases) price one offer: the
            # same price stated twice is dropped, a different one is rejected
            if by_key[key] and by_key[key][-1].fingerprint != r.fingerprint:
                counts.rejected += 1
                counts.errors.append(
                    f"{r.ref} ({r.unit}): same provider as {first}/{r.model_name} with "
                    "another price: kept that one"
                )
            continue
        by_key[key].append(r)
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
    gone: list[int] = []
    if close_missing:
        kept = {
            (provider_ids[p], m)
            for p, m in (tuple(ref.split("/", 1)) for ref in protected if "/" in ref)
            if p in provider_ids
        }
        gone = [
            row["id"]
            for key, row in current.items()
            if key not in by_key and (key[0], key[1]) not in kept and row["valid_from"] < now
        ]
        mass_close_check(
            closing=len(gone), current=len(current), share=max_close_share, what="offers"
        )
    keys = sorted(by_key)
    holds: list[Hold] = []
    for start in range(0, len(keys), PAGE_SIZE):
        page = keys[start : start + PAGE_SIZE]
        _page_write(feed, page, by_key, current, links, now, counts, holds)
        if progress:
            progress(min(start + PAGE_SIZE, len(keys)), len(keys))
    for i in range(0, len(gone), PAGE_SIZE):
        Offer.objects.filter(id__in=gone[i : i + PAGE_SIZE]).update(valid_to=now)
    counts.closed += len(gone)
    reviews_record(feed=feed, holds=holds, instances=False, now=now)
    return counts


def _by_provider(
    records: Sequence[OfferRecord],
    ids: dict[str, int],
    rejected: dict[str, str],
    counts: RunCounts,
) -> list[OfferRecord]:
    """Records whose provider slug resolved; a line per rejected slug (naming the rows)."""
    for slug, reason in sorted(rejected.items()):
        n = sum(1 for r in records if r.provider == slug)
        counts.rejected += n
        counts.errors.append(f"{slug}/* ({n} records): {reason}")
    return [r for r in records if r.provider in ids]


def _page_write(feed, page, by_key, current, links, now, counts, holds) -> None:
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
            reason = offer_review_reason(cur, latest)
            if reason:  # $0 or a 100x move: the current price stays until someone accepts
                counts.rejected += 1
                counts.errors.append(
                    f"{latest.ref} ({latest.unit}): {reason}: held for review, previous price kept"
                )
                row = _offer(feed, key, latest, model_id, None)
                holds.append(offer_hold(current=cur, row=row, reason=reason))
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
    price_rows_create(to_insert)
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


def price_rows_create(offers: Sequence[Offer]) -> int:
    """Insert the price rows of freshly inserted offers (`_components` set by `_offer`)."""
    rows = [
        OfferPrice(offer_id=offer.id, **component_row(c))
        for offer in offers
        for c in getattr(offer, "_components", ())
    ]
    OfferPrice.objects.bulk_create(rows, batch_size=PAGE_SIZE)
    return len(rows)


def _offer(feed: Feed, key, r: OfferRecord, model_id, valid_to) -> Offer:
    offer = Offer(
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
    offer._components = r.components
    return offer
