"""A money column that keeps every digit a feed states, on PostgreSQL and on SQLite.

PostgreSQL's numeric(max_digits, decimal_places) is exact. SQLite has no decimal type:
a "decimal" column has NUMERIC affinity and turns '0.1234567890123456789' into a REAL
(15-17 significant digits), and Django reads it back through a 15-digit float context.
So on SQLite this field stores text with a fixed number of integer and fractional digits
('000000002.50000000000000000000000'): exact, and because every stored string has the same
shape, SQLite's text comparison orders, filters and takes Min/Max in numeric order
(money is never negative: the models' check constraints say so). CAST(... AS REAL) still
reads it as a number (the planner's FloatCast).

Values come back as Decimal with at least 9 decimal places (what the columns held
before) and more only when the price has them: "2.500000000", "0.00000002384185791015625".
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models

from pricing.feeds.base import EXACT

MIN_PLACES = Decimal("0.000000001")


def shown(value: Decimal) -> Decimal:
    """`value` with its trailing zeros cut back to 9 decimal places, never fewer."""
    if value.as_tuple().exponent >= -9:  # type: ignore[operator]
        return value.quantize(MIN_PLACES, context=EXACT)
    normal = value.normalize(EXACT)
    if normal.as_tuple().exponent >= -9:  # type: ignore[operator]
        return value.quantize(MIN_PLACES, context=EXACT)
    return normal


class ExactDecimalField(models.DecimalField):
    """DecimalField stored exactly on every backend (see the module docstring)."""

    def get_internal_type(self) -> str:
        # Not "DecimalField": Django's SQLite backend would read values through a
        # 15-digit float context. db_type() below names the column type itself.
        return "ExactDecimalField"

    def db_type(self, connection: Any) -> str:
        if connection.vendor == "sqlite":
            return f"varchar({self.max_digits + 2})"  # TEXT affinity: stored as given
        return f"numeric({self.max_digits}, {self.decimal_places})"

    def cast_db_type(self, connection: Any) -> str:
        return self.db_type(connection)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if not prepared:
            value = self.get_prep_value(value)
        if value is None or hasattr(value, "as_sql") or connection.vendor != "sqlite":
            return value
        return self._padded(Decimal(value))

    def _padded(self, value: Decimal) -> str:
        places = self.decimal_places
        digits = self.max_digits - places
        if not value.is_finite() or value.copy_abs() >= Decimal(10) ** digits:
            # a bound beyond any storable price (a filter's `lte=1e12`)
            return "-" if value < 0 else "~"  # sorts before / after every stored value
        text = format(value.quantize(Decimal(1).scaleb(-places), context=EXACT), "f")
        sign = "-" if text.startswith("-") else ""
        whole, _, frac = text.lstrip("-").partition(".")
        return f"{sign}{whole.zfill(digits)}.{frac.ljust(places, '0')}"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, float):  # an aggregate SQLite computed (Sum, Avg)
            value = repr(value)
        return shown(Decimal(value))

    def to_python(self, value: Any) -> Any:
        if isinstance(value, float):
            value = repr(value)  # the number the float stands for, not its binary expansion
        return super().to_python(value)
