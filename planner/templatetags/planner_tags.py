"""Small template filters for the planner pages."""

from __future__ import annotations

from typing import Any

from django import template

from catalog import formatting

register = template.Library()


@register.filter
def get(mapping: Any, key: str) -> Any:
    """`answers|get:name`: a dict value by a variable key ("" when absent)."""
    if isinstance(mapping, dict):
        value = mapping.get(key, "")
        return "" if value is None else value
    return ""


# The site's one number format set (catalog/formatting.py), under the planner's filter names.
usd = register.filter("usd", formatting.usd_text)
pct = register.filter("pct", formatting.percent_text)
