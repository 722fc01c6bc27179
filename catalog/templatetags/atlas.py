"""Formatting filters for the site: units and money, never logic.

{% load atlas %}
{{ model.params_total|params }}        8.0B
{{ model.context_tokens|tokens }}      128k
{{ offer.usd_per_mtok_input|money }}   $0.15
{{ model.downloads|compact }}          1.2M
{{ model.hub_modified_at|day }}        2026-11-26
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django import template
from django.utils.safestring import SafeString, mark_safe

from catalog.sanitize import sanitize_html

register = template.Library()

DASH = "—"


def _scaled(value: float, steps: list[tuple[float, str]], digits: int) -> str:
    for size, suffix in steps:
        if abs(value) >= size:
            text = f"{value / size:.{digits}f}"
            return f"{text}{suffix}"
    return f"{value:.0f}"


@register.filter
def params(value: Any) -> str:
    """Parameter count: 8030261248 -> "8.0B", 494032768 -> "494M", 1.5e12 -> "1.5T"."""
    if value in (None, ""):
        return DASH
    n = float(value)
    if abs(n) >= 1e12:
        return f"{n / 1e12:.1f}T"
    if abs(n) >= 1e9:
        return f"{n / 1e9:.1f}B"
    if abs(n) >= 1e6:
        return f"{n / 1e6:.0f}M"
    if abs(n) >= 1e3:
        return f"{n / 1e3:.0f}K"
    return f"{n:.0f}"


@register.filter
def tokens(value: Any) -> str:
    """Context length: 131072 -> "128k", 1048576 -> "1M", 4096 -> "4k", 512 -> "512"."""
    if value in (None, ""):
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


@register.filter
def money(value: Any, digits: int | str | None = None) -> str:
    """US dollars: 0.15 -> "$0.15", 0.075 -> "$0.075", 12 -> "$12.00", 0 -> "$0"."""
    if value in (None, ""):
        return DASH
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return DASH
    if amount == 0:
        return "$0"
    if digits not in (None, ""):
        return f"${amount:,.{int(digits)}f}"
    if abs(amount) >= 1:
        return f"${amount:,.2f}"
    # Sub-dollar prices keep their significant digits: $0.075, $0.0004.
    text = f"{amount.normalize():f}"
    whole, _, frac = text.partition(".")
    frac = (frac + "00")[: max(2, len(frac.rstrip("0")))]
    return f"${whole}.{frac}"


@register.filter
def compact(value: Any) -> str:
    """Counts: 1234567 -> "1.2M", 12345 -> "12.3k", 999 -> "999"."""
    if value in (None, ""):
        return DASH
    n = float(value)
    text = _scaled(n, [(1e9, "B"), (1e6, "M"), (1e3, "k")], 1)
    return text.replace(".0", "") if text[:-1].endswith(".0") else text


@register.filter
def day(value: Any) -> str:
    """Dates as ISO days: 2026-11-26 (UTC)."""
    if value in (None, ""):
        return DASH
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC) if value.tzinfo else value
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@register.filter
def number(value: Any) -> str:
    """Plain integers with thousands separators: 32000 -> "32,000"."""
    if value in (None, ""):
        return DASH
    return f"{int(value):,}"


@register.filter
def sanitized(value: Any) -> SafeString:
    """Model-card HTML through the nh3 allowlist, then marked safe.

    Ingest already stores sanitized text; running the allowlist again at render time is
    cheap and means a row written by any other path still cannot inject markup.
    """
    return mark_safe(sanitize_html(str(value or "")))


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: Any) -> str:
    """The current query string with `changes` applied (None/"" removes a key); page resets.

    `<a href="?{% query_with sort='params' %}">` keeps the active filters in links.
    """
    request = context.get("request")
    params_ = request.GET.copy() if request is not None else {}
    if "page" not in changes and hasattr(params_, "pop"):
        params_.pop("page", None)
    for key, val in changes.items():
        if val in (None, ""):
            params_.pop(key, None)
        else:
            params_[key] = str(val)
    if hasattr(params_, "urlencode"):
        return params_.urlencode()
    return urlencode(params_)
