"""How the site writes numbers: one set of pure functions behind every template filter.

`catalog/templatetags/atlas.py` exposes them as filters; other apps' template tags call
them rather than formatting on their own, so a price, a size or a speed reads the same
on every page. Unknown (None, "") is always the dash, never 0. No Django imports.

    params_text(8_030_261_248)  "8.0B"        tokens_text(131072)      "128k"
    money_text(0.075)           "$0.075"      usd_text(427.5)          "$427.50"
    compact_text(1_234_567)     "1.2M"        number_text(32000)       "32,000"
    gib_text(17.46)             "17.5 GiB"    tokens_per_s_text(61.2)  "61 tok/s"
    plain_text(80.0)            "80"          percent_text(0.25)       "25%"
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

DASH = "—"


def _unknown(value: Any) -> bool:
    return value is None or value == ""


def _decimal(value: Any) -> Decimal | None:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


def params_text(value: Any) -> str:
    """Parameter count: 8030261248 -> "8.0B", 494032768 -> "494M", 1.5e12 -> "1.5T"."""
    if _unknown(value):
        return DASH
    n = float(value)
    for size, suffix, digits in ((1e12, "T", 1), (1e9, "B", 1), (1e6, "M", 0), (1e3, "K", 0)):
        if abs(n) >= size:
            return f"{n / size:.{digits}f}{suffix}"
    return f"{n:.0f}"


def tokens_text(value: Any) -> str:
    """Context length: 131072 -> "128k", 1048576 -> "1M", 4096 -> "4k", 512 -> "512"."""
    if _unknown(value):
        return DASH
    n = int(value)
    if n >= 1024 * 1024 and n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)}M"
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M".replace(".0M", "M")
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024}k"
    if n >= 1000:
        return f"{round(n / 1000)}k"
    return str(n)


def money_text(value: Any, digits: int | str | None = None) -> str:
    """Prices in US dollars: 0.15 -> "$0.15", 0.075 -> "$0.075", 12 -> "$12.00", 0 -> "$0".

    Sub-dollar prices keep their significant digits ($0.0004); `digits` fixes the decimals.
    """
    if _unknown(value):
        return DASH
    amount = _decimal(value)
    if amount is None:
        return DASH
    if amount == 0:
        return "$0"
    if digits not in (None, ""):
        return f"${amount:,.{int(digits)}f}"
    if abs(amount) >= 1:
        return f"${amount:,.2f}"
    text = f"{amount.normalize():f}"
    whole, _, frac = text.partition(".")
    frac = (frac + "00")[: max(2, len(frac.rstrip("0")))]
    return f"${whole}.{frac}"


def usd_text(value: Any) -> str:
    """Amounts such as a monthly cost, always to the cent: 427.5 -> "$427.50", 0 -> "$0.00"."""
    if _unknown(value):
        return DASH
    amount = _decimal(value)
    return DASH if amount is None else f"${amount:,.2f}"


def compact_text(value: Any) -> str:
    """Counts: 1234567 -> "1.2M", 12345 -> "12.3k", 1000 -> "1k", 999 -> "999"."""
    if _unknown(value):
        return DASH
    n = float(value)
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= size:
            return f"{n / size:.1f}".removesuffix(".0") + suffix
    return f"{n:.0f}"


def number_text(value: Any) -> str:
    """Whole numbers with thousands separators: 32000 -> "32,000"."""
    if _unknown(value):
        return DASH
    return f"{int(value):,}"


def plain_text(value: Any, digits: int | str = 2) -> str:
    """A measurement without trailing zeros: 80.0 -> "80", 8.000 -> "8", 83.75 -> "83.75"."""
    if _unknown(value):
        return DASH
    amount = _decimal(value)
    if amount is None:
        return DASH
    rounded = round(amount, int(digits))
    text = f"{rounded:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def score_text(value: Any, digits: int | str = 1) -> str:
    """A quality score or index at fixed precision: 83.75 -> "83.8", 80 -> "80.0"."""
    if _unknown(value):
        return DASH
    amount = _decimal(value)
    return DASH if amount is None else f"{amount:,.{int(digits)}f}"


def gib_text(value: Any, digits: int | str = 1) -> str:
    """Memory in GiB: 17.46 -> "17.5 GiB", 0.004 -> "<0.1 GiB"."""
    if _unknown(value):
        return DASH
    n, d = float(value), int(digits)
    if 0 < n < 10**-d:
        return f"<{10**-d:.{d}f} GiB"
    return f"{n:,.{d}f} GiB"


def tokens_per_s_text(value: Any) -> str:
    """Throughput: 61.2 -> "61 tok/s", 3.25 -> "3.2 tok/s", 1520 -> "1,520 tok/s"."""
    if _unknown(value):
        return DASH
    n = float(value)
    return f"{n:,.1f} tok/s" if n < 10 else f"{n:,.0f} tok/s"


def percent_text(value: Any, digits: int | str = 0) -> str:
    """A share as a percentage: 0.25 -> "25%", 0.125 with digits=1 -> "12.5%"."""
    if _unknown(value):
        return DASH
    return f"{float(value) * 100:.{int(digits)}f}%"


def day_text(value: Any) -> str:
    """Dates as ISO days, datetimes converted to UTC first: 2026-11-26."""
    if _unknown(value):
        return DASH
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC) if value.tzinfo else value
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
