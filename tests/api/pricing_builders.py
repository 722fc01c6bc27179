"""Builders for the pricing/benchmarks/quality API tests: rows written in bulk."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from benchmarks.models import Accelerator
from catalog.models import Feed, Model
from pricing.models import InstancePrice, Offer, Provider

T0 = datetime(2026, 1, 1, tzinfo=UTC)
T1 = datetime(2026, 2, 1, tzinfo=UTC)


def make_feed(slug: str = "litellm") -> Feed:
    return Feed.objects.get_or_create(
        slug=slug, defaults={"name": slug, "kind": Feed.Kind.PRICING}
    )[0]


def make_provider(slug: str = "openai", service: str = Provider.Service.API) -> Provider:
    kind = Provider.Kind.HYPERSCALER if service == "cloud" else Provider.Kind.FIRST_PARTY
    return Provider.objects.get_or_create(
        slug=slug, defaults={"name": slug.title(), "service": service, "kind": kind}
    )[0]


def make_offers(
    model: Model | None,
    n: int = 1,
    *,
    provider: str = "openai",
    price: str = "1",
    start: int = 0,
    history: bool = False,
    unit: str = "token",
) -> list[Offer]:
    """n current token offers of `provider` for `model` (names `<model>-<i>`); with
    `history`, each also gets a closed older row at twice the price (T0 to T1)."""
    feed, prov = make_feed(), make_provider(provider)
    base = model.repo_id if model else "orphan"
    rows = []
    for i in range(start, start + n):
        name = f"{base}-{provider}-{i}"
        p = Decimal(price) + Decimal(i) / 100
        common = {"feed": feed, "provider": prov, "model": model, "model_name": name, "unit": unit}
        if history:
            rows.append(
                Offer(
                    **common, usd_per_mtok_input=p * 2, usd_per_mtok_output=p * 4,
                    valid_from=T0, valid_to=T1, fingerprint="old",
                )
            )  # fmt: skip
        rows.append(
            Offer(
                **common, usd_per_mtok_input=p, usd_per_mtok_output=p * 2,
                usd_per_mtok_cache_read=p / 10, valid_from=T1, fingerprint="new",
            )
        )  # fmt: skip
    return Offer.objects.bulk_create(rows)


def make_accelerator(slug: str = "h100-sxm", memory_gib: float = 80, **kw) -> Accelerator:
    values = {
        "name": slug.upper(), "vendor": "nvidia", "kind": "datacenter",
        "memory_gib": memory_gib, "bandwidth_gbps": 3350, "bf16_tflops": 989,
        "fp8_tflops": 1979,
    }  # fmt: skip
    values.update(kw)
    return Accelerator.objects.get_or_create(slug=slug, defaults=values)[0]


def make_instance_prices(
    n: int = 1, *, accelerator: Accelerator | None = None, count: int = 1, start: int = 0
) -> list[InstancePrice]:
    feed, prov = make_feed("skypilot-gcp"), make_provider("gcp", Provider.Service.CLOUD)
    accel = accelerator or make_accelerator()
    return InstancePrice.objects.bulk_create(
        InstancePrice(
            feed=feed, provider=prov, region=f"region-{i}", instance_type=f"a3-{i}",
            accelerator=accel, accelerator_name=accel.slug, accelerator_count=count,
            usd_per_hour_on_demand=Decimal("3.00") + i, usd_per_hour_spot=(
                Decimal("1.00") if i % 2 == 0 else None),
            valid_from=T0 + timedelta(minutes=i), fingerprint=f"ip{i}",
        )
        for i in range(start, start + n)
    )  # fmt: skip
