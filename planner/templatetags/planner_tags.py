"""Small template filters for the planner pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: Any, key: str) -> Any:
    """`answers|get:name`: a dict value by a variable key ("" when absent)."""
    if isinstance(mapping, dict):
        value = mapping.get(key, "")
        return "" if value is None else value
    return ""


@register.filter
def usd(value: float | None) -> str:
    if value is None:
        return "—"
    return f"${value:,.2f}"


@register.filter
def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"
