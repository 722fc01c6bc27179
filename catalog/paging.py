"""The website's catalog paginator: page numbers without counting a million rows.

Django's Paginator runs `COUNT(*)` over the whole filtered list on every page view. At a
million models that is a scan per request. This one: a caller that knows the exact total
(the maintained counts, for the unfiltered list) passes it as `total`; otherwise, on
PostgreSQL, the planner's estimate (EXPLAIN, no scan) is shown as "about N" when it is
large, and small lists are counted exactly, at most `CAP + 1` rows (`SELECT COUNT(*)
FROM (... LIMIT CAP + 1)`: bounded work). Paging stops at CAP rows.
"""

from __future__ import annotations

import json
from functools import cached_property

from django.core.paginator import Paginator
from django.db import connection

CAP = 10_000  # 200 pages of 50: deeper pages need a filter (no deep OFFSET scans)
EXACT_BELOW = 2_000  # PostgreSQL: an estimate under this is replaced by a (cheap) exact count


def estimated_rows(queryset) -> int | None:
    """PostgreSQL's planner estimate of the rows `queryset` returns (EXPLAIN: planning
    only, no scan); None on other databases."""
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page: int, *, total: int | None = None) -> None:
        super().__init__(object_list, per_page)
        self.total = total
        self.estimated = False  # `shown_total` is PostgreSQL's estimate: show "about"

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        if self.total is not None:
            return min(self.total, CAP)
        # Unordered: the database stops after the first matching rows of whatever plan is
        # cheapest (the list's own ORDER BY could force a walk of the sort index).
        unordered = self.object_list.order_by()
        counted = unordered[: EXACT_BELOW + 1].count()
        if counted <= EXACT_BELOW:
            return counted  # exact
        estimate = estimated_rows(unordered)
        if estimate is not None:  # PostgreSQL: "about N", never below what was counted
            self.estimated = True
            self._estimate = max(estimate, counted)
            return min(self._estimate, CAP)
        return unordered[: CAP + 1].count()

    @property
    def exact(self) -> bool:
        """`shown_total` is exact (else: an estimate, or more than CAP rows: "CAP+")."""
        return self.total is not None or (not self.estimated and self.count <= CAP)

    @property
    def shown_total(self) -> int:
        """The figure to show: the exact total when known, else PostgreSQL's estimate
        rounded to 2 significant digits, else the count up to CAP."""
        if self.total is not None:
            return self.total
        if self.count and self.estimated:
            return int(float(f"{self._estimate:.2g}"))
        return min(self.count, CAP)

    @cached_property
    def num_pages(self) -> int:  # type: ignore[override]
        return max(1, -(-min(self.count, CAP) // self.per_page))
