"""Provider identity: the reviewed registry (`providers_load`) and the feed-side lookup
(`providers_resolve`) that turns a feed's provider slug into one provider.

A feed slug that matches no alias creates an unreviewed provider (kind "unknown",
`reviewed=False`, listed in the admin review list) with the slug as its alias: it is
never merged into another provider by guesswork. A slug whose display name names a
different registry row than the slug itself is rejected with a line naming both rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from pricing.models import InstancePrice, Offer, Provider, ProviderAlias
from pricing.provider_registry import RegistryRow, alias_key, parse_registry, resolve_key

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "providers.yaml"
REGISTRY_SOURCE = "registry"


@dataclass
class ProvidersLoad:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    aliases: int = 0
    moved: int = 0  # offer / instance-price rows re-homed to the provider the registry names
    removed: int = 0  # unreviewed providers left empty by the re-homing
    errors: list[str] = field(default_factory=list)


@dataclass
class Resolution:
    ids: dict[str, int]  # feed slug -> provider id
    rejected: dict[str, str]  # feed slug -> reason (a line naming the rows)
    created: list[str] = field(default_factory=list)  # unreviewed providers created


def alias_index() -> dict[tuple[str, str], str]:
    """(scope, alias key) -> provider slug, one query."""
    return {
        (scope, alias): slug
        for scope, alias, slug in ProviderAlias.objects.values_list(
            "scope", "alias", "provider__slug"
        )
    }


def providers_resolve(
    *,
    feed: str,
    names: Mapping[str, str],
    service: str = Provider.Service.API,
    kind: str = Provider.Kind.UNKNOWN,
) -> Resolution:
    """Feed slug -> provider id for every slug in `names` (slug -> the feed's display name).

    A constant number of queries whatever the count. Unknown slugs become unreviewed
    providers of `kind` (default "unknown")."""
    index = alias_index()
    by_slug: dict[str, str] = {}
    rejected: dict[str, str] = {}
    unknown: dict[str, str] = {}
    for raw, name in names.items():
        hit, reason = resolve_key(index, feed=feed, slug=raw, name=name or "")
        if hit:
            by_slug[raw] = hit
        elif reason == "no alias":
            unknown[raw] = name
        else:
            rejected[raw] = f"{feed}: {reason}"
    created = _create_unreviewed(feed, unknown, service, kind) if unknown else {}
    by_slug.update(created)
    ids = dict(Provider.objects.filter(slug__in=set(by_slug.values())).values_list("slug", "id"))
    return Resolution(
        ids={raw: ids[slug] for raw, slug in by_slug.items() if slug in ids},
        rejected=rejected,
        created=sorted(set(created.values())),
    )


def _create_unreviewed(
    feed: str, unknown: Mapping[str, str], service: str, kind: str
) -> dict[str, str]:
    taken = set(Provider.objects.values_list("slug", flat=True))
    wanted: dict[str, str] = {}
    for raw in sorted(unknown):
        base = (slugify(raw.replace("_", "-").replace(".", "-")) or "provider")[:70]
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        wanted[raw] = slug
    Provider.objects.bulk_create(
        [
            Provider(
                slug=slug,
                name=(unknown[raw] or raw)[:160],
                kind=kind,
                service=service,
                reviewed=False,
                sources={"name": f"feed {feed}"},
            )
            for raw, slug in wanted.items()
        ],
        ignore_conflicts=True,
    )
    ids = dict(Provider.objects.filter(slug__in=wanted.values()).values_list("slug", "id"))
    ProviderAlias.objects.bulk_create(
        [
            ProviderAlias(provider_id=ids[slug], alias=alias_key(raw), source=f"feed {feed}")
            for raw, slug in wanted.items()
            if alias_key(raw)
        ],
        ignore_conflicts=True,
    )
    return wanted


def providers_ensure(
    *, names: Mapping[str, str], kind: str = Provider.Kind.UNKNOWN, feed: str = ""
) -> dict[str, int]:
    """slug -> id for every slug in `names`, through the registry (subscriptions' vendors)."""
    return providers_resolve(feed=feed, names=names, kind=kind).ids


def providers_load(*, path: Path = DATA_FILE, text: str | None = None) -> ProvidersLoad:
    """Write the registry file into Provider / ProviderAlias and re-home rows it now names.

    Idempotent. An invalid file raises RegistryError (every bad row named) before any
    write. Registry rows are `reviewed`; aliases the file no longer lists are removed;
    offers and instance prices filed under a provider the registry now resolves
    differently for their feed are moved (a line per move group in `errors` if a move
    would collide with an existing current row, which then stays where it was)."""
    rows = parse_registry(text if text is not None else path.read_text())
    out = ProvidersLoad()
    with transaction.atomic():
        ids = _write_rows(rows, out)
        _write_aliases(rows, ids, out)
        _rehome(out)
    return out


def _write_rows(rows: list[RegistryRow], out: ProvidersLoad) -> dict[str, int]:
    existing = {p.slug: p for p in Provider.objects.filter(slug__in=[r.slug for r in rows])}
    fresh, changed = [], []
    for row in rows:
        values = {**row.fields(), "reviewed": True}
        p = existing.get(row.slug)
        if p is None:
            fresh.append(Provider(slug=row.slug, **values))
            continue
        if any(getattr(p, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(p, k, v)
            changed.append(p)
        else:
            out.unchanged += 1
    Provider.objects.bulk_create(fresh)
    if changed:
        Provider.objects.bulk_update(changed, [*rows[0].fields(), "reviewed", "updated_at"])
    out.created, out.updated = len(fresh), len(changed)
    return dict(Provider.objects.filter(slug__in=[r.slug for r in rows]).values_list("slug", "id"))


def _write_aliases(rows: list[RegistryRow], ids: dict[str, int], out: ProvidersLoad) -> None:
    wanted = {
        (scope, key): (ids[row.slug], written)
        for row in rows
        for scope, key, written in row.aliases
    }
    current = {(a.scope, a.alias): a for a in ProviderAlias.objects.all()}
    registry_ids = set(ids.values())
    stale = [
        a.id
        for k, a in current.items()
        if k not in wanted and a.provider_id in registry_ids and a.source == REGISTRY_SOURCE
    ]
    ProviderAlias.objects.filter(id__in=stale).delete()
    to_update, to_create = [], []
    for (scope, key), (pid, _written) in wanted.items():
        a = current.get((scope, key))
        if a is None:
            to_create.append(
                ProviderAlias(provider_id=pid, alias=key, scope=scope, source=REGISTRY_SOURCE)
            )
        elif a.provider_id != pid or a.source != REGISTRY_SOURCE:
            a.provider_id, a.source = pid, REGISTRY_SOURCE  # the registry claims a feed alias
            to_update.append(a)
    # providers from before the registry (or from feeds) keep their own slug as an alias
    taken = set(wanted) | set(current)
    for pid, slug in Provider.objects.filter(aliases__isnull=True).values_list("id", "slug"):
        key = ("", alias_key(slug))
        if key[1] and key not in taken and pid not in registry_ids:
            taken.add(key)
            to_create.append(ProviderAlias(provider_id=pid, alias=key[1], source="slug"))
    ProviderAlias.objects.bulk_create(to_create)
    ProviderAlias.objects.bulk_update(to_update, ["provider", "source", "updated_at"])
    out.aliases = len(wanted)


def _rehome(out: ProvidersLoad) -> None:
    """Move each (feed, provider) group of rows to the provider its feed slug resolves to."""
    index = alias_index()
    providers = {p.id: p for p in Provider.objects.only("id", "slug", "name", "reviewed")}
    by_slug = {p.slug: p.id for p in providers.values()}
    for model in (Offer, InstancePrice):
        pairs = model.objects.values_list("feed__slug", "feed_id", "provider_id").distinct()
        for feed_slug, feed_id, pid in sorted(set(pairs)):
            p = providers[pid]
            name = "" if p.reviewed else p.name
            target, _reason = resolve_key(index, feed=feed_slug, slug=p.slug, name=name)
            if not target or by_slug.get(target, pid) == pid:
                continue
            try:
                with transaction.atomic():
                    out.moved += model.objects.filter(feed_id=feed_id, provider_id=pid).update(
                        provider_id=by_slug[target]
                    )
            except IntegrityError:
                out.errors.append(
                    f"{model.__name__} rows of feed {feed_slug} under {p.slug!r} collide "
                    f"with rows of {target!r}: left under {p.slug!r}"
                )
    empty = Provider.objects.filter(
        reviewed=False, offers__isnull=True, instance_prices__isnull=True
    ).filter(subscription_plans__isnull=True)
    # unreviewed providers whose aliases the registry claimed and whose rows moved away
    orphans = list(empty.filter(aliases__isnull=True).values_list("id", flat=True))
    out.removed = len(orphans)
    Provider.objects.filter(id__in=orphans).delete()
