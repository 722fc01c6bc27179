"""Formatting filters: units and money as people read them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from catalog.templatetags import atlas


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (8_030_261_248, "8.0B"),
        (70_553_706_496, "70.6B"),
        (494_032_768, "494M"),
        (1_500_000_000_000, "1.5T"),
        (33_400, "33K"),
        (None, "—"),
    ],
)
def test_params(value, expected) -> None:
    assert atlas.params(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(131072, "128k"), (4096, "4k"), (32768, "32k"), (1048576, "1M"), (1_000_000, "1M"),
     (2_000_000, "2M"), (448, "448"), (8000, "8k"), (None, "—")],
)  # fmt: skip
def test_tokens(value, expected) -> None:
    assert atlas.tokens(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(Decimal("0.15"), "$0.15"), (Decimal("0.075"), "$0.075"), (Decimal("12"), "$12.00"),
     (Decimal("0.0004"), "$0.0004"), (Decimal("2.50"), "$2.50"), (Decimal("0.1"), "$0.10"),
     (Decimal("1234.5"), "$1,234.50"), (0, "$0"), (None, "—"), ("nonsense", "—")],
)  # fmt: skip
def test_money(value, expected) -> None:
    assert atlas.money(value) == expected


def test_money_with_fixed_digits() -> None:
    assert atlas.money(Decimal("0.123456"), 3) == "$0.123"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1_234_567, "1.2M"), (12_345, "12.3k"), (1000, "1k"), (999, "999"), (0, "0"),
     (5_200_000, "5.2M"), (3_000_000, "3M"), (None, "—")],
)  # fmt: skip
def test_compact(value, expected) -> None:
    assert atlas.compact(value) == expected


def test_day_formats_aware_datetimes_in_utc() -> None:
    tz = dt.timezone(dt.timedelta(hours=-5))
    assert atlas.day(dt.datetime(2026, 11, 25, 22, 0, tzinfo=tz)) == "2026-11-26"
    assert atlas.day(dt.date(2026, 1, 2)) == "2026-01-02"
    assert atlas.day(None) == "—"


def test_number_adds_thousands_separators() -> None:
    assert atlas.number(128256) == "128,256"
    assert atlas.number(None) == "—"


def test_sanitized_filter_strips_scripts_and_marks_safe() -> None:
    out = atlas.sanitized("<p>ok</p><script>x()</script>")
    assert out == "<p>ok</p>"
    assert hasattr(out, "__html__")


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("gib", 17.46, "17.5 GiB"), ("gib", 0.004, "<0.1 GiB"), ("gib", 0, "0.0 GiB"),
        ("gib", None, "—"),
        ("tokps", 61.2, "61 tok/s"), ("tokps", 3.25, "3.2 tok/s"), ("tokps", 1520, "1,520 tok/s"),
        ("tokps", None, "—"),
        ("score", 83.75, "83.8"), ("score", 80, "80.0"), ("score", None, "—"),
        ("plain", 80.0, "80"), ("plain", Decimal("8.000"), "8"), ("plain", 83.756, "83.76"),
        ("plain", 1234.5, "1,234.5"), ("plain", 0, "0"), ("plain", "", "—"),
        ("usd", 427.5, "$427.50"), ("usd", 0, "$0.00"), ("usd", 1234567.891, "$1,234,567.89"),
        ("usd", None, "—"),
        ("pct", 0.25, "25%"), ("pct", None, "—"),
    ],
)  # fmt: skip
def test_measurement_filters(name, value, expected) -> None:
    assert getattr(atlas, name)(value) == expected


def test_planner_filters_are_the_shared_ones() -> None:
    from planner.templatetags import planner_tags

    assert planner_tags.usd(993.96) == atlas.usd(993.96) == "$993.96"
    assert planner_tags.pct(0.5) == atlas.pct(0.5) == "50%"
