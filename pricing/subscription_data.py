"""Parse the reviewed seat-plan file (pricing/data/subscriptions.yaml) into records (pure).

`parse_subscriptions(raw) -> (records, errors)`: one `PlanVersionRecord` per plan version,
each carrying its plan's identity. A broken version is reported in `errors` (naming the
plan slug and version) and left out; the others load. `SubscriptionFormatError` means the
whole document is unreadable (not YAML, no `plans` list). Money is Decimal; a price of
null means "no vendor page states one" and stays None, never 0.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

BILLING = ("monthly", "annual")
DATE_BASES = ("page_states", "page_mentions", "dated_copy", "reviewed")
AUDIENCES = ("individual", "team", "enterprise")
BOUNDS = ("at_least", "up_to", "exactly")


class SubscriptionFormatError(ValueError):
    """The document cannot be read at all."""


@dataclass(frozen=True, slots=True)
class LimitRecord:
    """A usage limit in the vendor's own words; `quantity` only where the vendor states one."""

    text: str
    quantity: Decimal | None = None
    unit: str = ""  # messages, requests, ...
    period_hours: Decimal | None = None  # the window the quantity applies to
    bound: str = ""  # at_least | up_to | exactly

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "quantity": None if self.quantity is None else str(self.quantity),
            "unit": self.unit,
            "period_hours": None if self.period_hours is None else str(self.period_hours),
            "bound": self.bound,
        }


@dataclass(frozen=True, slots=True)
class PlanVersionRecord:
    slug: str
    vendor: str
    vendor_name: str
    product: str
    name: str
    audience: str
    valid_from: dt.date
    usd_per_seat_month: Decimal | None
    billing: str
    min_seats: int
    source_url: str
    source_date: dt.date
    source_date_basis: str
    quote: str
    included_models: tuple[str, ...] = ()
    limits: tuple[LimitRecord, ...] = ()
    notes: str = ""
    withdrawn_on: dt.date | None = None  # the plan's end (on its last version only)
    fingerprint: str = field(default="", compare=False)


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _decimal(value: Any, where: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{where}: not a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"{where}: {value!r} is not a number") from exc
    if not number.is_finite() or number < 0:
        raise ValueError(f"{where}: {value!r} must be a number >= 0")
    return number


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValueError(f"{where}: {value!r} is not a YYYY-MM-DD date") from exc


def _choice(value: Any, options: tuple[str, ...], where: str) -> str:
    text = _text(value)
    if text not in options:
        raise ValueError(f"{where}: {text!r} is not one of {', '.join(options)}")
    return text


def _limit(raw: Any, where: str) -> LimitRecord:
    if not isinstance(raw, dict) or not _text(raw.get("text")):
        raise ValueError(f"{where}: a limit needs the vendor's words in `text`")
    quantity = _decimal(raw.get("quantity"), f"{where}.quantity")
    period = _decimal(raw.get("period_hours"), f"{where}.period_hours")
    bound = _text(raw.get("bound"))
    if quantity is not None:
        if period is None or period == 0:
            raise ValueError(f"{where}: a quantity needs the period it applies to (period_hours)")
        if not _text(raw.get("unit")):
            raise ValueError(f"{where}: a quantity needs its unit")
        bound = _choice(bound or "exactly", BOUNDS, f"{where}.bound")
    return LimitRecord(
        text=_text(raw["text"]),
        quantity=quantity,
        unit=_text(raw.get("unit")),
        period_hours=period,
        bound=bound,
    )


def _fingerprint(record: PlanVersionRecord) -> str:
    data = {
        "name": record.name,
        "product": record.product,
        "audience": record.audience,
        "usd_per_seat_month": None
        if record.usd_per_seat_month is None
        else str(record.usd_per_seat_month.normalize()),
        "billing": record.billing,
        "min_seats": record.min_seats,
        "source_url": record.source_url,
        "source_date": record.source_date.isoformat(),
        "source_date_basis": record.source_date_basis,
        "quote": record.quote,
        "included_models": list(record.included_models),
        "limits": [limit.to_json() for limit in record.limits],
        "notes": record.notes,
        "withdrawn_on": record.withdrawn_on.isoformat() if record.withdrawn_on else None,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _version(plan: dict[str, Any], raw: Any, where: str) -> PlanVersionRecord:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected a mapping")
    url = _text(raw.get("source_url"))
    if not url.startswith("https://"):
        raise ValueError(f"{where}.source_url: an https URL of the vendor's page is required")
    quote = _text(raw.get("quote"))
    if not quote:
        raise ValueError(f"{where}.quote: the page's own words are required")
    min_seats = raw.get("min_seats", 1)
    if isinstance(min_seats, bool) or not isinstance(min_seats, int) or min_seats < 1:
        raise ValueError(f"{where}.min_seats: a whole number >= 1")
    models = raw.get("included_models") or []
    if not isinstance(models, list):
        raise ValueError(f"{where}.included_models: expected a list")
    limits = raw.get("limits") or []
    if not isinstance(limits, list):
        raise ValueError(f"{where}.limits: expected a list")
    record = PlanVersionRecord(
        slug=plan["slug"],
        vendor=plan["vendor"],
        vendor_name=plan["vendor_name"],
        product=plan["product"],
        name=plan["name"],
        audience=plan["audience"],
        valid_from=_date(raw.get("valid_from"), f"{where}.valid_from"),
        usd_per_seat_month=_decimal(raw.get("usd_per_seat_month"), f"{where}.usd_per_seat_month"),
        billing=_choice(raw.get("billing", "monthly"), BILLING, f"{where}.billing"),
        min_seats=min_seats,
        source_url=url,
        source_date=_date(raw.get("source_date"), f"{where}.source_date"),
        source_date_basis=_choice(
            raw.get("source_date_basis"), DATE_BASES, f"{where}.source_date_basis"
        ),
        quote=quote,
        included_models=tuple(_text(m) for m in models if _text(m)),
        limits=tuple(_limit(item, f"{where}.limits[{i}]") for i, item in enumerate(limits)),
        notes=_text(raw.get("notes")),
    )
    return record


def _plan(raw: Any, index: int) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValueError(f"plans[{index}]: expected a mapping")
    slug = _text(raw.get("slug"))
    if not slug or not slug.replace("-", "").isalnum() or slug != slug.lower():
        raise ValueError(f"plans[{index}]: a lowercase slug is required")
    plan = {"slug": slug}
    for key in ("vendor", "vendor_name", "product", "name"):
        plan[key] = _text(raw.get(key))
        if not plan[key]:
            raise ValueError(f"{slug}: `{key}` is required")
    plan["audience"] = _choice(raw.get("audience", "individual"), AUDIENCES, f"{slug}.audience")
    return plan


def parse_subscriptions(raw: bytes | str) -> tuple[list[PlanVersionRecord], list[str]]:
    """Every plan version of the document, per plan oldest first, and per-record errors.

    A plan's versions must have distinct, increasing `valid_from` dates; a plan with a
    broken version is left out whole (its history must stay consistent)."""
    try:
        document = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise SubscriptionFormatError(f"not YAML: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("plans"), list):
        raise SubscriptionFormatError("expected a mapping with a `plans` list")
    records: list[PlanVersionRecord] = []
    errors: list[str] = []
    seen: set[str] = set()
    for index, raw_plan in enumerate(document["plans"]):
        try:
            plan = _plan(raw_plan, index)
            if plan["slug"] in seen:
                raise ValueError(f"{plan['slug']}: listed twice")
            seen.add(plan["slug"])
            versions = raw_plan.get("versions")
            if not isinstance(versions, list) or not versions:
                raise ValueError(f"{plan['slug']}: at least one version is required")
            parsed = [
                _version(plan, v, f"{plan['slug']}.versions[{i}]") for i, v in enumerate(versions)
            ]
            dates = [v.valid_from for v in parsed]
            if dates != sorted(set(dates)):
                raise ValueError(f"{plan['slug']}: versions need distinct, increasing valid_from")
            withdrawn = raw_plan.get("withdrawn_on")
            if withdrawn is not None:
                end = _date(withdrawn, f"{plan['slug']}.withdrawn_on")
                if end <= dates[-1]:
                    raise ValueError(f"{plan['slug']}: withdrawn_on must follow the last version")
                last = parsed[-1]
                parsed[-1] = PlanVersionRecord(
                    **{
                        f: getattr(last, f)
                        for f in PlanVersionRecord.__dataclass_fields__
                        if f not in ("withdrawn_on", "fingerprint")
                    },
                    withdrawn_on=end,
                )
        except ValueError as exc:
            errors.append(str(exc))
            continue
        for version in parsed:
            object.__setattr__(version, "fingerprint", _fingerprint(version))
            records.append(version)
    return records, errors
