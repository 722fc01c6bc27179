"""Template filters for estimates: `percent` (0.123 -> "12%") and `index` (list item)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def percent(value: Any) -> str:
    """A fraction as a whole percent; "" for None."""
    if value is None or value == "":
        return ""
    try:
        return f"{float(value) * 100:.0f}%"
    except (TypeError, ValueError):
        return ""


@register.filter
def index(sequence: Any, i: int) -> Any:
    try:
        return sequence[int(i)]
    except (IndexError, TypeError, ValueError, KeyError):
        return None
