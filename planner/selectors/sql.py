"""Database expressions the planner's reads share: casts whose values come back as the
database hands them (no per-row converter in Python)."""

from __future__ import annotations

from django.db.models import FloatField, IntegerField
from django.db.models.functions import Cast, Coalesce


class _AsHandedBack:
    """Values as the database hands them back: no per-row converter in Python."""

    @property
    def convert_value(self):
        return self._convert_value_noop


class FloatCast(_AsHandedBack, Cast):
    """CAST(x AS a float): both SQLite (REAL) and PostgreSQL (double precision) hand back
    Python floats, so no per-value converter (Django adds float() for FloatField
    expressions; thousands of offers × 8 prices)."""

    def __init__(self, expression: str) -> None:
        super().__init__(expression, FloatField())


class IntCast(_AsHandedBack, Cast):
    """CAST(x AS integer), handed back as the database's int."""

    def __init__(self, expression: str) -> None:
        super().__init__(expression, IntegerField())


class FloatCoalesce(_AsHandedBack, Coalesce):
    """COALESCE of float casts, handed back as the database's floats."""
