"""Pricing reads shared by the API, the website and the planner (joins already applied)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from catalog.models import Feed, Model
from pricing.models import InstancePrice, Offer, Provider
from pricing.offer_groups import OfferGroup, group_key, group_offers, sort_groups
from pricing.provider_registry import alias_key

PROVIDER_GROUPS_CAP = 20000  # current rows read to group one provider's offers


# What the offer pages and the API read of an offer's model, provider and feed; the rest
# (the model's JSON facts, description and search document, timestamps) is deferred:
# a provider's page joins thousands of offers, and building those columns into model
# instances was most of its time.
_MODEL_READ = {"id", "repo_id", "name", "params_total", "params_active", "open_weights"}
_DEFERRED = (
    *(f"model__{f.name}" for f in Model._meta.concrete_fields if f.name not in _MODEL_READ),
    *(f"provider__{name}" for name in ("created_at", "updated_at", "sources", "note")),
    *(f"feed__{name}" for name in ("created_at", "updated_at")),
)


def _offers() -> QuerySet[Offer]:
    return Offer.objects.select_related("provider", "model", "feed").defer(*_DEFERRED)


def offer_list_current_for_model(*, model_id: int) -> QuerySet[Offer]:
    """Every provider's current price for one model, cheapest input first."""
    return (
        _offers()
        .current()
        .filter(model_id=model_id)
        .order_by("unit", "usd_per_mtok_input", "provider__slug")
    )


def offer_groups_for_model(*, model_id: int) -> list[OfferGroup]:
    """One group per provider × unit × variant (× image size / quality) of one model's
    current offers: the newest statement is its price, every feed stating it a source
    (pricing.offer_groups). Per unit, cheapest first. One query."""
    groups = group_offers(offer_list_current_for_model(model_id=model_id))
    by_unit: dict[str, list[OfferGroup]] = {}
    for g in groups:
        by_unit.setdefault(g.offer.unit, []).append(g)
    return [g for unit in sorted(by_unit) for g in sort_groups(by_unit[unit])]


@dataclass(frozen=True, slots=True)
class ModelRef:
    """What an offer table shows of an offer's catalog model."""

    id: int
    repo_id: str


@dataclass(frozen=True, slots=True)
class FeedRef:
    """What an offer table shows of the feed that stated an offer."""

    id: int
    slug: str
    name: str


# An OfferRow's columns, as read with values_list (the joined ones last).
_ROW_FIELDS = (
    "id", "feed_id", "model_id", "model_name", "unit", *Offer.PRICE_FIELDS, "image_options",
    "tiers", "context_tokens", "valid_from",
)  # fmt: skip


# What decides an offer's group, its rank in the group and the group's place on a
# provider's page (offer_group_heads_for_provider): the unit's price field of _price_field.
_SORT_PRICES = (
    "usd_per_mtok_input", "usd_per_image", "usd_per_audio_second", "usd_per_audio_minute",
    "usd_per_request", "usd_per_unit",
)  # fmt: skip
_HEAD_FIELDS = (
    "id", "feed_id", "model_id", "model_name", "unit", "valid_from", "image_options",
    *_SORT_PRICES,
)  # fmt: skip
_NO_PRICES = (None,) * len(Offer.PRICE_FIELDS)


@dataclass(slots=True)
class OfferRow:
    """A current offer read as plain values: the attributes the offer grouping, the cost
    function's reference column and the offer tables read of an Offer, without building
    Offer, Model and Feed instances for each of a provider's thousands of rows."""

    id: int
    feed_id: int
    model_id: int | None
    model_name: str
    unit: str
    usd_per_mtok_input: Decimal | None
    usd_per_mtok_output: Decimal | None
    usd_per_mtok_cache_read: Decimal | None
    usd_per_mtok_cache_write: Decimal | None
    usd_per_mtok_batch_input: Decimal | None
    usd_per_mtok_batch_output: Decimal | None
    usd_per_image: Decimal | None
    usd_per_audio_second: Decimal | None
    usd_per_audio_minute: Decimal | None
    usd_per_request: Decimal | None
    usd_per_unit: Decimal | None
    image_options: dict | None
    tiers: Any
    context_tokens: int | None
    valid_from: datetime
    provider_id: int
    provider: Provider
    feed: FeedRef
    model: ModelRef | None
    reference_usd: Decimal | None = None
    page_rank: int | None = None  # the stored grouping's place of a chosen row


def provider_offer_groups(*, provider: Provider) -> Sequence[OfferGroup]:
    """One provider's current offers grouped per model × unit × variant; per unit (token
    first), cheapest first, every row of each group read whole (OfferRow): a lazy
    sequence a Paginator pages through (len() counts the groups, a slice reads only its
    groups' rows).

    From the grouping pricing.services.provider_pages stores on the offers after every
    price sync (page_group / page_rank: 2 queries a page, whatever the provider's size)
    when every current row has it (1 query to check); otherwise, for rows a sync wrote
    and has not grouped yet, computed from the rows (offer_group_heads_for_provider, at
    most PROVIDER_GROUPS_CAP rows, then offer_groups_whole for the page)."""
    ungrouped = Offer.objects.current().filter(provider_id=provider.id, page_group__isnull=True)
    if ungrouped.exists():
        heads = offer_group_heads_for_provider(provider=provider)
        return _WholeOnSlice(provider, heads)
    return _StoredGroups(provider)


class _WholeOnSlice(Sequence):
    """Heads computed from the rows; a slice reads its groups' rows whole."""

    def __init__(self, provider: Provider, heads: list[OfferGroup]) -> None:
        self.provider, self.heads = provider, heads

    def __len__(self) -> int:
        return len(self.heads)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return offer_groups_whole(provider=self.provider, heads=self.heads[index])
        return offer_groups_whole(provider=self.provider, heads=[self.heads[index]])[0]


class _StoredGroups(Sequence):
    """The stored grouping: groups are the current rows sharing a page_group, in the
    page_rank order of their chosen rows (0, 1, 2, ... per provider)."""

    def __init__(self, provider: Provider) -> None:
        self.provider = provider
        self._count: int | None = None

    def __len__(self) -> int:
        if self._count is None:  # ranks run 0..n-1: the last one, from the index
            last = (
                Offer.objects.current()
                .filter(provider_id=self.provider.id, page_rank__isnull=False)
                .order_by("-page_rank")
                .values_list("page_rank", flat=True)
                .first()
            )
            self._count = 0 if last is None else last + 1
        return self._count

    def __getitem__(self, index):  # type: ignore[override]
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop, _ = index.indices(len(self))
        if stop <= start:
            return []
        heads = Offer.objects.current().filter(
            provider_id=self.provider.id, page_rank__gte=start, page_rank__lt=stop
        )
        rows = _whole_rows(
            self.provider,
            Offer.objects.current().filter(page_group__in=heads.values("id")),
        )
        rank = {row.id: row.page_rank for row in rows if row.page_rank is not None}
        groups = group_offers(rows)
        return sorted(groups, key=lambda g: rank.get(g.offer.id, stop))


def offer_group_heads_for_provider(
    *, provider: Provider, cap: int | None = PROVIDER_GROUPS_CAP
) -> list[OfferGroup]:
    """A provider's groups in page order (provider_offer_groups), built from the few columns
    that decide a group, its chosen row and its place (key, rank, the unit's price): the
    rows' other prices are None and their disagreement is not computed. A provider with
    thousands of offers pages through these, then reads only its page's rows whole
    (offer_groups_whole). One query for the rows (at most `cap`), one for the feeds."""
    feeds = {f.id: f for f in _feed_refs()}
    values = (
        Offer.objects.current()
        .filter(provider_id=provider.id)
        .order_by("unit", "usd_per_mtok_input", "model_name", "id")
        .values_list(*_HEAD_FIELDS)
    )
    rows = []
    for id_, feed_id, model_id, model_name, unit, valid_from, image_options, *prices in (
        values[:cap] if cap else values
    ):
        row = OfferRow(
            id_, feed_id, model_id, model_name, unit, *_NO_PRICES, None, None, None,
            valid_from, provider.id, provider, feeds[feed_id], None,
        )  # fmt: skip
        row.image_options = image_options
        for name, value in zip(_SORT_PRICES, prices, strict=True):
            setattr(row, name, value)
        rows.append(row)
    return _sorted_groups(group_offers(rows))


def offer_groups_whole(*, provider: Provider, heads: Sequence[OfferGroup]) -> list[OfferGroup]:
    """The groups `heads` names (offer_group_heads_for_provider), in their order, with
    every row read whole: prices, tiers, model, and the sources' disagreement (one query)."""
    ids = [row.id for g in heads for row in g.sources]
    rows = _whole_rows(provider, Offer.objects.filter(id__in=ids))
    whole = {group_key(g.offer): g for g in group_offers(rows)}
    return [whole[group_key(g.offer)] for g in heads]


def _whole_rows(provider: Provider, offers: QuerySet[Offer]) -> list[OfferRow]:
    """`offers` (one provider's) read whole as OfferRows, in the grouping's row order,
    each with its stored page_rank (one query)."""
    feeds: dict[int, FeedRef] = {}
    models: dict[int, ModelRef] = {}
    values = offers.order_by("unit", "usd_per_mtok_input", "model_name", "id").values_list(
        *_ROW_FIELDS, "feed__slug", "feed__name", "model__repo_id", "page_rank"
    )
    rows = []
    for *columns, feed_slug, feed_name, repo_id, page_rank in values:
        feed_id, model_id = columns[1], columns[2]
        feed = feeds.get(feed_id) or feeds.setdefault(
            feed_id, FeedRef(feed_id, feed_slug, feed_name)
        )
        model = None
        if model_id is not None:
            model = models.get(model_id) or models.setdefault(model_id, ModelRef(model_id, repo_id))
        row = OfferRow(*columns, provider.id, provider, feed, model)
        row.page_rank = page_rank
        rows.append(row)
    return rows


def _sorted_groups(groups: list[OfferGroup]) -> list[OfferGroup]:
    by_unit: dict[str, list[OfferGroup]] = {}
    for g in groups:
        by_unit.setdefault(g.offer.unit, []).append(g)
    order = sorted(by_unit, key=lambda u: (u != "token", u))
    return [g for unit in order for g in sort_groups(by_unit[unit], _price_field(unit))]


def _feed_refs() -> list[FeedRef]:
    return [FeedRef(*row) for row in Feed.objects.values_list("id", "slug", "name")]


def _price_field(unit: str) -> str:
    return {
        "token": "usd_per_mtok_input",
        "image": "usd_per_image",
        "audio_second": "usd_per_audio_second",
        "audio_minute": "usd_per_audio_minute",
        "request": "usd_per_request",
    }.get(unit, "usd_per_unit")


def offer_history_for_model(*, model_id: int) -> QuerySet[Offer]:
    """Every price row (closed and current) of one model, per key newest first."""
    return (
        _offers()
        .filter(model_id=model_id)
        .order_by("provider__slug", "feed_id", "model_name", "unit", "-valid_from")
    )


def offer_list(
    *,
    provider: str | None = None,
    unit: str | None = None,
    min_usd_per_mtok_input: Decimal | None = None,
    max_usd_per_mtok_input: Decimal | None = None,
    valid_at: datetime | None = None,
) -> QuerySet[Offer]:
    """Offers filtered by provider slug, unit, input price range and the date they were
    valid at (default: current prices)."""
    qs = _offers()
    qs = qs.valid_at(valid_at) if valid_at is not None else qs.current()
    if provider:
        qs = qs.filter(provider__slug=provider)
    if unit:
        qs = qs.filter(unit=unit)
    if min_usd_per_mtok_input is not None:
        qs = qs.filter(usd_per_mtok_input__gte=min_usd_per_mtok_input)
    if max_usd_per_mtok_input is not None:
        qs = qs.filter(usd_per_mtok_input__lte=max_usd_per_mtok_input)
    return qs.order_by("usd_per_mtok_input", "id")


def cheapest_offer_subquery(field: str = "usd_per_mtok_input") -> Subquery:
    """A subquery giving, per catalog model (OuterRef("pk")), the lowest current token
    price in `field`; use it in any selector: `.annotate(cheapest=cheapest_offer_subquery())`."""
    return Subquery(
        Offer.objects.current()
        .filter(model_id=OuterRef("pk"), unit="token", **{f"{field}__isnull": False})
        .order_by(field)
        .values(field)[:1]
    )


def cheapest_offer_per_model(*, models: QuerySet | None = None) -> QuerySet:
    """Catalog models annotated with their cheapest current input and output price
    (per 1M tokens), only models that have one; cheapest first."""
    from catalog.models import Model

    qs = models if models is not None else Model.objects.all()
    return (
        qs.select_related("organization")
        .annotate(
            offer_min_usd_per_mtok_input=cheapest_offer_subquery("usd_per_mtok_input"),
            offer_min_usd_per_mtok_output=cheapest_offer_subquery("usd_per_mtok_output"),
        )
        .filter(offer_min_usd_per_mtok_input__isnull=False)
        .order_by("offer_min_usd_per_mtok_input", "id")
    )


def instance_price_list(
    *,
    provider: str | None = None,
    accelerator_id: int | None = None,
    region: str | None = None,
    valid_at: datetime | None = None,
) -> QuerySet[InstancePrice]:
    """GPU instance prices (current by default), cheapest on-demand first."""
    qs = InstancePrice.objects.select_related("provider", "accelerator", "feed")
    if valid_at is None:
        qs = qs.current()
    else:
        qs = qs.filter(valid_from__lte=valid_at).exclude(valid_to__lte=valid_at)
    if provider:
        qs = qs.filter(provider__slug=provider)
    if accelerator_id is not None:
        qs = qs.filter(accelerator_id=accelerator_id)
    if region:
        qs = qs.filter(region=region)
    return qs.order_by("usd_per_hour_on_demand", "id")


def instance_price_history(*, accelerator_id: int, limit: int = 50) -> list[InstancePrice]:
    """The accelerator's GPU-hour price changes, newest first: each closed row (the price
    as it was, from valid_from to valid_to) with `next_usd_per_hour` set to the on-demand
    price that replaced it (None when the cloud stopped listing it). 2 queries."""
    closed = list(
        InstancePrice.objects.filter(accelerator_id=accelerator_id, valid_to__isnull=False)
        .select_related("provider")
        .order_by("-valid_to", "-id")[:limit]
    )
    keys = {(r.feed_id, r.provider_id, r.region, r.instance_type, r.valid_to) for r in closed}
    successors = {
        (r.feed_id, r.provider_id, r.region, r.instance_type, r.valid_from): r
        for r in InstancePrice.objects.filter(
            accelerator_id=accelerator_id,
            valid_from__in={k[-1] for k in keys},
            instance_type__in={k[3] for k in keys},
        )
    }
    for row in closed:
        key = (row.feed_id, row.provider_id, row.region, row.instance_type, row.valid_to)
        nxt = successors.get(key)
        row.next_usd_per_hour = nxt.usd_per_hour_on_demand if nxt else None
        row.withdrawn = nxt is None
    return closed


def provider_list(*, kind: str | None = None) -> QuerySet[Provider]:
    qs = Provider.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("slug")


# sort key -> label (the providers page)
PROVIDER_SORTS = {
    "models": "Most models",
    "price": "Cheapest for the chosen model",
    "name": "Name",
}


def _count(model, *, distinct: str = "id", **filters: Any) -> Coalesce:
    rows = (
        model.objects.filter(provider=OuterRef("pk"), valid_to__isnull=True, **filters)
        .order_by()
        .values("provider")
        .annotate(n=Count(distinct, distinct=distinct != "id"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def provider_directory(
    *, q: str = "", kind: str = "", sort: str = "models", model_repo_id: str = ""
) -> list[Provider]:
    """Providers with their current offer / model / GPU price counts (one query), found by
    name, slug or alias; with `model_repo_id`, only those pricing that model, each with
    its cheapest current input price for it (`model_price`). Sorted by `sort`."""
    qs = Provider.objects.annotate(
        offer_count=_count(Offer),
        model_count=_count(Offer, distinct="model_id", model__isnull=False),
        linked_count=_count(Offer, model__isnull=False),
        instance_count=_count(InstancePrice),
    )
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        key = alias_key(q)
        match = Q(name__icontains=q) | Q(slug__icontains=q)
        if key:
            match |= Q(aliases__alias__contains=key)
        qs = qs.filter(match).distinct()
    if model_repo_id:
        price = (
            Offer.objects.current()
            .filter(
                provider=OuterRef("pk"),
                model__repo_id=model_repo_id,
                unit="token",
                usd_per_mtok_input__isnull=False,
            )
            .order_by("usd_per_mtok_input")
            .values("usd_per_mtok_input")[:1]
        )
        qs = qs.annotate(model_price=Subquery(price)).filter(model_price__isnull=False)
    order = {
        "models": ("-model_count", "-offer_count", "name"),
        "price": ("model_price", "name"),
        "name": ("name",),
    }.get(sort if (sort != "price" or model_repo_id) else "models", ("name",))
    return list(qs.order_by(*order, "slug"))


def providers_by_kind(providers: list[Provider]) -> list[tuple[str, str, list[Provider]]]:
    """(kind, label, providers) in the Kind enum's order (reviewed kinds first, "not
    reviewed yet" last); empty kinds left out; the providers keep their order."""
    by_kind: dict[str, list[Provider]] = {}
    for p in providers:
        by_kind.setdefault(p.kind, []).append(p)
    labels = dict(Provider.Kind.choices)
    order = [k for k in Provider.Kind.values if k in by_kind]
    order += sorted(k for k in by_kind if k not in labels)
    return [(k, str(labels.get(k, k)), by_kind[k]) for k in order]


def offer_link_rates() -> list[dict]:
    """Per pricing feed: current offers, how many link to a catalog model, how many to a
    model that existed before the feed (Hub or another feed; not created for it), and of
    the offers the feed marks open-weight, how many link to a Hub repo. One query."""
    from django.db.models import Count, Q

    from catalog.models import Model

    return list(
        Offer.objects.current()
        .values("feed__slug")
        .annotate(
            offers=Count("id"),
            linked=Count("id", filter=Q(model__isnull=False)),
            linked_hub=Count("id", filter=Q(model__source=Model.Source.HUB)),
            open_weight=Count("id", filter=Q(open_weights=True)),
            open_weight_hub=Count(
                "id", filter=Q(open_weights=True, model__source=Model.Source.HUB)
            ),
        )
        .order_by("feed__slug")
    )


def offer_successors(closed: Sequence[Offer], *, related: Sequence[str] = ()) -> dict[tuple, Offer]:
    """The rows that replaced `closed` offers (same feed, provider, model name and unit,
    starting when each closed), keyed (feed_id, provider_id, model_name, unit, valid_from);
    one query."""
    match = Q()
    for row in closed:
        match |= Q(
            feed_id=row.feed_id,
            provider_id=row.provider_id,
            model_name=row.model_name,
            unit=row.unit,
            valid_from=row.valid_to,
        )
    return {
        (o.feed_id, o.provider_id, o.model_name, o.unit, o.valid_from): o
        for o in Offer.objects.filter(match).select_related(*related)
    }
