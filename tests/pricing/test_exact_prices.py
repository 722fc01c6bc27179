"""Issue 15 §1: prices read from the feed's text as Decimal, converted by shifting the
decimal point, stored and read back with every digit (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from catalog.models import Feed
from pricing.costing.offers import component_row
from pricing.feeds.base import RecordRejected, per_million, to_decimal
from pricing.feeds.litellm import parse_litellm
from pricing.models import InstancePrice, Offer
from pricing.services.feeds import FEEDS, feed_spec_get, feed_sync
from pricing.services.offers import UNKNOWN_START as START
from tests.pricing.builders import T0, write_json

SHARED_FEEDS = [
    ("litellm", "feeds/litellm/model_prices_and_context_window.json"),
    ("openrouter", "feeds/openrouter/api-v1-models.all-modalities.2026-08-18.json"),
    ("openrouter", "feeds/openrouter/api-v1-models.2026-05-15.json"),
    ("models-dev", "feeds/models.dev/api.derived-from-HEAD-f3fc692.json"),
    ("models-dev", "feeds/models.dev/api.snapshot-2025-11-18.json"),
    ("genai-prices", "feeds/genai-prices/data.json"),
]
# LiteLLM keys priced per token and the column each lands in (per 1M tokens)
LITELLM_PER_TOKEN = {
    "input_cost_per_token": "usd_per_mtok_input",
    "output_cost_per_token": "usd_per_mtok_output",
    "cache_read_input_token_cost": "usd_per_mtok_cache_read",
    "cache_creation_input_token_cost": "usd_per_mtok_cache_write",
}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("3.75e-8"), Decimal("0.0375")),  # was 0.038 (rounded to 9 decimals first)
        (Decimal("2.384185791015625e-08"), Decimal("0.02384185791015625")),
        ("0.00000012345678901234567", Decimal("0.12345678901234567")),
        (1.5e-07, Decimal("0.15")),
        (0, Decimal(0)),
    ],
)
def test_per_million_shifts_the_decimal_point_and_never_rounds(value, expected) -> None:
    got = per_million(value, what="input_cost_per_token")
    assert got == expected
    assert format(got.normalize(), "f") == format(expected.normalize(), "f")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (Decimal("1e19"), "out of range"),
        (1e19, "out of range"),
        ("1e999999", "out of range"),
        (-1, "negative"),
        (Decimal("-0.5"), "negative"),
        (float("nan"), "not a finite number"),
        (Decimal("NaN"), "not a finite number"),
        ("Infinity", "not a finite number"),
        ("abc", "not a number"),
    ],
)
def test_out_of_range_and_bad_numbers_are_rejected_naming_the_key(value, reason) -> None:
    with pytest.raises(RecordRejected, match=f"output_cost_per_token is {reason}"):
        to_decimal(value, what="output_cost_per_token")


def test_litellm_reads_prices_from_the_text_not_through_floats() -> None:
    # 19 significant digits: a float would keep 17
    text = (
        b'{"m": {"litellm_provider": "openai", "mode": "chat",'
        b' "input_cost_per_token": 1.234567890123456789e-7, "output_cost_per_token": 1e19}}'
    )
    records, errors = parse_litellm(text)
    assert records == []
    assert [str(e) for e in errors] == [
        "openai/m: output_cost_per_token is out of range: 1E+19 (limit 1,000,000,000)"
    ]
    text = text.replace(b"1e19", b"2e-6")
    (record,), _ = parse_litellm(text)
    assert record.usd_per_mtok_input == Decimal("0.1234567890123456789")


@pytest.mark.django_db
def test_a_row_of_1e19_is_rejected_by_key_and_the_rest_load(tmp_path: Path) -> None:
    doc = {
        "good": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-6},
        "huge": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e19},
    }
    run = feed_sync(feed_slug="litellm", file=write_json(tmp_path, "d.json", doc), now=T0)
    assert run.status == "partial", run.errors
    assert (run.created, run.rejected) == (1, 1)
    assert "openai/huge: input_cost_per_token is out of range" in run.errors[0]


@pytest.mark.django_db
def test_money_columns_store_every_digit_and_order_numerically() -> None:
    spec = feed_spec_get("litellm")
    feed = Feed.objects.create(slug=spec.slug, name=spec.name, kind=spec.kind)
    from pricing.models import Provider

    provider = Provider.objects.create(slug="p", name="P")
    prices = [
        Decimal("0.00000002384185791015625"),
        Decimal("0.1234567890123456789"),
        Decimal("999999999.99999999999999999999999"),
        Decimal("10"),
        Decimal("9.5"),
        Decimal("0"),
    ]
    for i, price in enumerate(prices):
        Offer.objects.create(
            feed=feed,
            provider=provider,
            model_name=f"m{i}",
            unit="token",
            usd_per_mtok_input=price,
            valid_from=T0,
            fingerprint="x",
        )
    stored = dict(Offer.objects.values_list("model_name", "usd_per_mtok_input"))
    assert [stored[f"m{i}"] for i in range(len(prices))] == prices
    assert str(stored["m3"]) == "10.000000000"  # at least 9 decimals, as before
    assert format(stored["m0"], "f") == "0.00000002384185791015625"
    ordered = list(
        Offer.objects.order_by("usd_per_mtok_input").values_list("model_name", flat=True)
    )
    assert ordered == ["m5", "m0", "m1", "m4", "m3", "m2"]
    assert Offer.objects.filter(usd_per_mtok_input__gt=Decimal("9.6")).count() == 2
    assert Offer.objects.filter(usd_per_mtok_input__lte=Decimal("1e12")).count() == 6


DIMS = (
    "component", "modality", "above_input_tokens", "service_tier", "batch", "cache_ttl",
    "resolution", "quality", "region", "window",
)  # fmt: skip


def _dims(row) -> tuple:
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
    return tuple(get(k) for k in DIMS)


def _raw_litellm_expectations(path: Path) -> dict[tuple[str, str], dict[str, Decimal]]:
    doc = json.loads(path.read_bytes(), parse_float=Decimal)
    out: dict[tuple[str, str], dict[str, Decimal]] = {}
    for name, entry in doc.items():
        if not isinstance(entry, dict) or not entry.get("litellm_provider"):
            continue
        for key, column in LITELLM_PER_TOKEN.items():
            value = entry.get(key)
            if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
                provider = str(entry["litellm_provider"]).strip().lower()
                out.setdefault((provider, name), {})[column] = Decimal(value).scaleb(6)
    return out


@pytest.mark.shared
@pytest.mark.slow
@pytest.mark.django_db
def test_every_numeric_price_of_the_shared_feeds_round_trips_exactly(shared_dir: Path) -> None:
    """Load each shared feed file, read every price back, compare with the parser's
    Decimal (and, for LiteLLM's per-token keys, with the document's own text x 1e6)."""
    compared, mismatches = 0, []
    for slug, rel in SHARED_FEEDS:
        path = shared_dir / rel
        if not path.exists():
            continue
        spec = FEEDS[slug]
        records, _errors = spec.parse(path.read_bytes())
        Offer.objects.filter(feed__slug=slug).delete()
        feed_sync(feed_slug=slug, file=path, now=T0)
        stored = {
            (o.provider.slug, o.model_name, o.unit): o
            for o in Offer.objects.filter(feed__slug=slug, valid_to__isnull=True)
            .select_related("provider")
            .prefetch_related("price_rows")
        }
        latest: dict[tuple, object] = {}
        for r in records:  # genai-prices dates its changes: the current row is the last
            if r.valid_from is None or r.valid_from <= T0:
                prev = latest.get(r.key)
                if prev is None or (prev.valid_from or START) <= (r.valid_from or START):
                    latest[r.key] = r
        for r in latest.values():
            row = stored.get((r.provider[:80], r.model_name, r.unit))
            if row is None:
                continue  # rejected / held; counted by the other tests
            for field, value in r.prices().items():
                if value is None:
                    continue
                compared += 1
                if getattr(row, field) != value:
                    mismatches.append((slug, r.ref, field, value, getattr(row, field)))
            rows = {_dims(p): Decimal(p.price) for p in row.price_rows.all()}
            for c in getattr(r, "components", ()):
                want = component_row(c)
                compared += 1
                got = rows.get(_dims(want))
                if got != Decimal(want["price"]):
                    mismatches.append((slug, r.ref, f"row {_dims(want)}", want["price"], got))
            for tier_rec, tier_row in zip(r.tiers, row.tiers, strict=True):
                for k, v in tier_rec.items():
                    if k.startswith("usd_"):
                        compared += 1
                        if Decimal(tier_row[k]) != Decimal(v):
                            mismatches.append((slug, r.ref, f"tier.{k}", v, tier_row[k]))
        if slug == "litellm":
            for (provider, name), columns in _raw_litellm_expectations(path).items():
                row = stored.get((provider[:80], name, "token"))
                if row is None:
                    continue
                for column, expected in columns.items():
                    compared += 1
                    if getattr(row, column) != expected:
                        mismatches.append((slug, name, column, expected, getattr(row, column)))
    print(f"round-trip: {compared} prices compared, {len(mismatches)} mismatches")  # noqa: T201
    assert compared > 20_000
    assert mismatches == []


@pytest.mark.django_db
def test_instance_prices_keep_every_digit(tmp_path: Path) -> None:
    path = tmp_path / "vms.csv"
    path.write_text(
        "InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,Price,SpotPrice,Region\n"
        "a2-highgpu-1g,A100,1,12,85,3.6730412345678901234,1.1,us-central1\n"
    )
    feed_sync(feed_slug="skypilot-gcp", file=path, now=T0)
    price = InstancePrice.objects.get()
    assert price.usd_per_hour_on_demand == Decimal("3.6730412345678901234")
