"""Template filters for the site: units and money, never logic.

Every number a page shows goes through these; the formatting itself lives in the pure
module catalog/formatting.py, which other apps' template tags call too.

{% load atlas %}
{{ model.params_total|params }}          8.0B
{{ model.context_tokens|tokens }}        128k
{{ offer.usd_per_mtok_input|money }}     $0.15
{{ row.monthly_usd|usd }}                $427.50
{{ model.downloads|compact }}            1.2M
{{ model.vocab_size|number }}            128,256
{{ row.total_gib|gib }}                  17.5 GiB
{{ run.decode_tokens_per_s|tokps }}      61 tok/s
{{ index.value|score }}                  83.8
{{ price.accelerator_count|plain }}      8
{{ share|pct }}                          25%
{{ model.hub_modified_at|day }}          2026-11-26
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.utils.safestring import SafeString, mark_safe

from catalog import formatting
from catalog.sanitize import sanitize_html

register = template.Library()

DASH = formatting.DASH

params = register.filter("params", formatting.params_text)
tokens = register.filter("tokens", formatting.tokens_text)
compact = register.filter("compact", formatting.compact_text)
number = register.filter("number", formatting.number_text)
usd = register.filter("usd", formatting.usd_text)
day = register.filter("day", formatting.day_text)
tokps = register.filter("tokps", formatting.tokens_per_s_text)


@register.filter
def money(value: Any, digits: int | str | None = None) -> str:
    """US dollars: 0.15 -> "$0.15", 0.075 -> "$0.075", 12 -> "$12.00", 0 -> "$0"."""
    return formatting.money_text(value, digits)


@register.filter
def gib(value: Any, digits: int | str = 1) -> str:
    """Memory: 17.46 -> "17.5 GiB"; `|gib:2` -> "17.46 GiB"."""
    return formatting.gib_text(value, digits)


@register.filter
def score(value: Any, digits: int | str = 1) -> str:
    """A quality score at fixed precision: 83.75 -> "83.8"."""
    return formatting.score_text(value, digits)


@register.filter
def plain(value: Any, digits: int | str = 2) -> str:
    """A measurement without trailing zeros: 8.000 -> "8", 80.0 -> "80"."""
    return formatting.plain_text(value, digits)


@register.filter
def pct(value: Any, digits: int | str = 0) -> str:
    """A share as a percentage: 0.25 -> "25%"."""
    return formatting.percent_text(value, digits)


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
