"""Project-wide API pieces: pagination, conditional GETs, the error handlers (throttles:
config.throttles).

Every error body has the shape {"error": {"code", "message", "fields"}} (`ErrorOut`),
whether DRF raised it, a service raised an `AtlasError`, Django found no URL under
/api/ (`api_handler404`) or the code crashed (`api_handler500`).

Pagination (both documented in the OpenAPI schema):
- `PageNumberPagination` (project default): `?page=N&page_size=M` (50 per page, cap 200),
  with `count`. For small lists (tasks, organizations, feeds).
- `KeysetPagination`: opaque `?cursor=` links (`next`, `previous`), `page_size` capped at
  200, no COUNT(*) and no OFFSET. Each page is one index range scan on `(ordering key,
  id)`, so page 10 000 costs what page 1 costs. For lists that reach millions of rows.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import json
from calendar import timegm
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import orjson
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, connections
from django.db.models import BooleanField, JSONField, Q, QuerySet
from django.db.models.expressions import Col, RawSQL
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response, quote_etag
from django.utils.http import http_date
from django.views import defaults
from rest_framework import exceptions, pagination, serializers
from rest_framework.response import Response

from config.errors import AtlasError


def page_size_of(request: Any, param: str, default: int, maximum: int) -> int:
    """The request's page size: `default` when absent, at most `maximum`; one that is not
    a positive integer is a 400 (the schema's `integer, minimum 1`)."""
    raw = request.query_params.get(param)
    if raw is None:
        return default
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if size < 1:
        raise exceptions.ValidationError({"page_size": ["A positive integer is required."]})
    return min(size, maximum)


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Any) -> int:
        """As DRF, but a page_size that is not a positive integer is a 400 (DRF silently
        used the default, so the schema's `integer, minimum 1` was not enforced)."""
        return page_size_of(request, self.page_size_query_param, self.page_size, self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:  # larger page sizes are clamped to max_page_size
            parameter["schema"]["minimum"] = 1
        return parameters


LOOKUPS = {">": "gt", "<": "lt"}
# What a 64-bit integer column holds (PostgreSQL bigint, SQLite INTEGER), and a 32-bit
# one (PostgreSQL integer: IntegerField, PositiveIntegerField): request fields stored in
# such a column are bounded by it (a larger value was a DataError, a 500).
DB_INT_MIN, DB_INT_MAX = -(2**63), 2**63 - 1
PG_INT_MAX = 2**31 - 1


def _db_int(value: Any) -> bool:
    return type(value) is int and DB_INT_MIN <= value <= DB_INT_MAX


class KeysetPagination(pagination.BasePagination):
    """Cursor pagination on `(key, id)` row values: `WHERE (key, id) > (%s, %s) ORDER BY key, id`.

    The view says how the list is ordered with `keyset_ordering(request) -> (field,
    descending, unique)`; a unique field (repo_id) needs no `id` tie-breaker. A nullable
    key excludes rows where it is NULL (they have no place in the order). Ordering by a
    value that changes (downloads) can repeat or skip a row that moves between two page
    fetches; the default ordering is on the unchanging `repo_id`.
    """

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    cursor_query_param = "cursor"

    def paginate_queryset(
        self, queryset: QuerySet, request: Any, view: Any = None
    ) -> list[Any] | None:
        self.request = request
        field_name, descending, unique = view.keyset_ordering(request)
        field = self._key_field(queryset, field_name)
        size = self._page_size(request)
        cursor = self._decode(request.query_params.get(self.cursor_query_param))
        backwards = bool(cursor and cursor.get("b"))
        scan_desc = descending != backwards
        op = "<" if scan_desc else ">"
        # A view whose queryset has no request-dependent filters names it
        # (`keyset_template`): its compiled SQL is kept per shape (below).
        template = getattr(view, "keyset_template", None)
        shape = (template, queryset.db, field_name, scan_desc, unique, cursor is not None, size)
        compiled = _COMPILED.get(shape) if template else None
        if compiled is not None:
            cursor_params = self._cursor_params(field, unique, cursor) if cursor else []
            rows = compiled.rows(cursor_params)
        else:
            if field.null:
                queryset = queryset.filter(**{f"{field_name}__isnull": False})
            order = [f"-{field_name}" if scan_desc else field_name]
            if not unique:
                order.append("-id" if scan_desc else "id")
            queryset = queryset.order_by(*order)
            if cursor is not None:
                queryset = queryset.filter(self._after(queryset, field, unique, cursor, op))
            queryset = queryset[: size + 1]
            if template and field.column is not None:
                cursor_params = self._cursor_params(field, unique, cursor) if cursor else []
                compiled = CompiledValuesQuery.of(queryset, cursor_params)
                if compiled is not None:
                    _COMPILED[shape] = compiled
                    rows = compiled.rows(cursor_params)
                else:
                    rows = list(queryset)
            else:
                rows = list(queryset)
        has_more = len(rows) > size
        rows = rows[:size]
        if backwards:
            rows.reverse()
        self._field, self._unique = field, unique
        self._has_next = bool(rows) and (has_more if not backwards else True)
        self._has_previous = bool(rows) and (has_more if backwards else cursor is not None)
        self._rows = rows
        return rows

    @staticmethod
    def _key_field(queryset: QuerySet, name: str) -> Any:
        """The model field, or an annotation (e.g. a subquery's cheapest price) whose
        output field stands in for it (always nullable: rows without it are excluded)."""
        try:
            return queryset.model._meta.get_field(name)
        except FieldDoesNotExist:
            output = copy.copy(queryset.query.annotations[name].output_field)
            output.null, output.attname, output.column = True, name, None
            return output

    def _page_size(self, request: Any) -> int:
        return page_size_of(request, self.page_size_query_param, self.page_size, self.max_page_size)

    def _decode(self, raw: str | None) -> dict[str, Any] | None:
        if not raw:  # absent or empty (`?cursor=`): the first page
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(raw.encode("ascii")))
        except (ValueError, UnicodeError, binascii.Error) as exc:
            raise exceptions.ValidationError({"cursor": ["Invalid cursor."]}) from exc
        if (
            not isinstance(data, dict)
            or "v" not in data
            or not _db_int(data.get("k"))
            or not (data["v"] is None or isinstance(data["v"], str | float) or _db_int(data["v"]))
        ):
            raise exceptions.ValidationError({"cursor": ["Invalid cursor."]})
        return data

    @staticmethod
    def _cursor_value(field: Any, cursor: dict[str, Any]) -> Any:
        try:
            value = field.to_python(cursor["v"])
            if isinstance(value, int) and not isinstance(value, bool) and not _db_int(value):
                raise ValueError("out of range")
            if isinstance(value, datetime):
                value = connection.ops.adapt_datetimefield_value(value)
        except (DjangoValidationError, TypeError, ValueError, OverflowError) as exc:
            raise exceptions.ValidationError({"cursor": ["Invalid cursor."]}) from exc
        return value

    def _cursor_params(self, field: Any, unique: bool, cursor: dict[str, Any]) -> list[Any]:
        """The parameters `_after` binds for a column key, in its order."""
        value = self._cursor_value(field, cursor)
        if field.get_internal_type() == "ExactDecimalField":
            value = field.get_db_prep_value(value, connection, prepared=True)
        return [value] if unique else [value, cursor["k"]]

    def _after(
        self, queryset: QuerySet, field: Any, unique: bool, cursor: dict[str, Any], op: str
    ) -> RawSQL | Q:
        value = self._cursor_value(field, cursor)
        if field.column is None:  # an annotation: compare through the ORM
            name, key = field.attname, cursor["k"]
            if unique:
                return Q(**{f"{name}__{LOOKUPS[op]}": value})
            return Q(**{f"{name}__{LOOKUPS[op]}": value}) | Q(
                **{name: value, f"id__{LOOKUPS[op]}": key}
            )
        if field.get_internal_type() == "ExactDecimalField":  # text on SQLite (pricing.fields)
            value = field.get_db_prep_value(value, connection, prepared=True)
        qn = connection.ops.quote_name
        table = qn(queryset.model._meta.db_table)
        column = f"{table}.{qn(field.column)}"
        # Row-value comparison: one index seek on (key, id) in PostgreSQL and SQLite.
        if unique:
            sql, params = f"{column} {op} %s", [value]
        else:
            sql, params = f"({column}, {table}.{qn('id')}) {op} (%s, %s)", [value, cursor["k"]]
        return RawSQL(sql, params, output_field=BooleanField())  # noqa: S611 - bound params

    def _link(self, row: Any, *, backwards: bool) -> str:
        if isinstance(row, dict):  # a .values() queryset
            value, pk = row[self._field.attname], row["id"]
        else:
            value, pk = self._field.value_from_object(row), row.pk
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        token = {"v": value, "k": pk}
        if backwards:
            token["b"] = 1
        encoded = base64.urlsafe_b64encode(json.dumps(token).encode()).decode("ascii")
        params = self.request.query_params.copy()
        params[self.cursor_query_param] = encoded
        return (
            self.request.build_absolute_uri(self.request.path)
            + "?"
            + urlencode(list(params.lists()), doseq=True)
        )

    def get_paginated_response(self, data: Sequence[Any]) -> Response:
        return Response(
            {
                "next": self._link(self._rows[-1], backwards=False) if self._has_next else None,
                "previous": self._link(self._rows[0], backwards=True)
                if self._has_previous
                else None,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque cursor from a `next` or `previous` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page (default {self.page_size}, "
                f"at most {self.max_page_size}).",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]


class CompiledValuesQuery:
    """A `.values()` queryset compiled once and run again with other cursor parameters.

    Building and compiling a list page's query through the ORM costs several times the
    query itself (issue 19: the list's req/s against a bare view). For a queryset whose
    only parameters are the keyset cursor's (a view without request-dependent filters:
    `keyset_template`), the SQL, its row converters and column names depend only on the
    page's shape (ordering, direction, cursor or not, page size), so they are kept per
    process and each page runs the same SQL with its own cursor values: one query, the
    rows the ORM would return (its converters applied; JSON columns decoded by orjson,
    the standard library's decoder only for what orjson rejects)."""

    def __init__(
        self,
        sql: str,
        converters: list[tuple[int, Callable[[Any, Any], Any]]],
        names: list[str],
        alias: str,
    ) -> None:
        self.sql, self.converters, self.names, self.alias = sql, converters, names, alias

    @classmethod
    def of(cls, queryset: QuerySet, cursor_params: list[Any]) -> CompiledValuesQuery | None:
        """The compiled query, or None when its parameters are not exactly the cursor's
        (a filter binds a value: compiling per request is the only safe way)."""
        query = queryset.query
        compiler = query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()
        fields = [s[0] for s in compiler.select[: compiler.col_count]]
        if list(params) != cursor_params or compiler.has_composite_fields(fields):
            return None
        converters = [
            (index, _converter(convs, expression))
            for index, (convs, expression) in compiler.get_converters(fields).items()
        ]
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        return cls(sql, converters, names, queryset.db)

    def rows(self, params: list[Any]) -> list[dict[str, Any]]:
        conn = connections[self.alias]
        with _prepared_cursor(conn) or conn.cursor() as cursor:
            cursor.execute(self.sql, params)
            fetched = cursor.fetchall()
        names, converters = self.names, self.converters
        out = []
        for row in fetched:
            if converters:
                row = list(row)
                for index, convert in converters:
                    row[index] = convert(row[index], conn)
            out.append(dict(zip(names, row, strict=True)))
        return out


def _json_value(value: Any, conn: Any) -> Any:
    """JSONField.from_db_value (no custom decoder) with orjson."""
    if value is None or not isinstance(value, str | bytes):
        return value
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:  # NaN, integers beyond 64 bits: as Django decodes them
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value


def _converter(convs: list[Any], expression: Any) -> Callable[[Any, Any], Any]:
    """One column's row converters as the ORM applies them (compiler.apply_converters)."""
    if (
        len(convs) == 1
        and getattr(convs[0], "__func__", None) is JSONField.from_db_value
        and convs[0].__self__.decoder is None
        and isinstance(expression, Col)
    ):
        return _json_value

    def convert(value: Any, conn: Any) -> Any:
        for conv in convs:
            value = conv(value, expression, conn)
        return value

    return convert


def _prepared_cursor(conn: Any) -> Any | None:
    """On PostgreSQL (psycopg 3): a cursor whose statements are server-side prepared
    (planned once per connection: the list's plan costs more than its index scan), in
    Django's wrapper (query logging, execute wrappers, error translation); else None.
    Only for SQL compiled as CompiledValuesQuery keeps it: the ORM's other SQL is not
    always valid with server-side parameters (Django #20516)."""
    if conn.vendor != "postgresql" or _PreparedCursor is None:
        return None
    conn.close_if_health_check_failed()
    conn.ensure_connection()
    with conn.wrap_database_errors:
        return conn._prepare_cursor(_PreparedCursor(conn.connection))


try:
    from django.db.backends.postgresql.base import ServerBindingCursor

    class _PreparedCursor(ServerBindingCursor):  # type: ignore[misc,valid-type]
        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            kwargs["prepare"] = True
            return super().execute(query, params, **kwargs)

except ImportError:  # psycopg 3 is not installed
    _PreparedCursor = None  # type: ignore[assignment,misc]


# Compiled list queries per (template, database, ordering, direction, unique key, cursor
# or not, page size): bounded by the orderings times 2 x 2 x 200 page sizes.
_COMPILED: dict[tuple[Any, ...], CompiledValuesQuery] = {}


class ErrorDetailOut(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `not_found`.")
    message = serializers.CharField(help_text="Human-readable explanation.")
    fields = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Per-field error messages (query parameter or body field -> messages).",
    )


class ErrorOut(serializers.Serializer):
    """Every 4xx/5xx body of the API."""

    error = ErrorDetailOut()


class CachedListMixin:
    """Serves repeated list pages from the cache for `API_LIST_CACHE_SECONDS` (0 = off).

    The rendered bytes are cached per format and full path (query string included), after
    authentication and throttling ran, so a hit costs a cache read. Catalog data changes
    on feed syncs (hourly at most), so a short TTL is invisible to clients; there is no
    invalidation beyond the TTL. Use a shared cache (Redis) in production."""

    def list(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        seconds = settings.API_LIST_CACHE_SECONDS
        if not seconds:
            return super().list(request, *args, **kwargs)  # type: ignore[misc]
        raw = f"{request.accepted_renderer.format}:{request.get_full_path()}"
        key = "api:list:" + hashlib.sha256(raw.encode()).hexdigest()
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            return HttpResponse(content, content_type=content_type)
        response = super().list(request, *args, **kwargs)  # type: ignore[misc]
        if response.status_code == 200:
            response.add_post_render_callback(
                lambda r: cache.set(key, (r.content, r["Content-Type"]), seconds)
            )
        return response


class ConditionalRetrieveMixin:
    """`retrieve` with ETag and Last-Modified; answers 304 to If-None-Match/If-Modified-Since.

    The ETag covers the object's `updated_at` plus whatever `detail_version(obj)` adds
    (child rows that the detail serializes)."""

    def detail_version(self, obj: Any) -> str:
        return ""

    def retrieve(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_object()  # type: ignore[attr-defined]
        modified: datetime = obj.updated_at
        etag = quote_etag(f"{obj.pk}-{modified.timestamp():.6f}{self.detail_version(obj)}")
        last_modified = timegm(modified.utctimetuple())
        not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if not_modified is not None:
            return not_modified
        response = Response(self.get_serializer(obj).data)  # type: ignore[attr-defined]
        response.headers["ETag"] = etag
        response.headers["Last-Modified"] = http_date(last_modified)
        return response


def _body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, AtlasError):
        return Response(_body(exc.code, exc.message, exc.fields), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        return Response(_body("invalid", "; ".join(exc.messages), fields), status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    # Imported here: rest_framework.views reads DEFAULT_THROTTLE_CLASSES (this module's
    # throttles) at import time, so a top-level import would be circular.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        fields = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        response.data = _body("invalid", "The request has invalid fields.", fields)
    else:
        detail = getattr(exc, "detail", str(exc))
        response.data = _body(str(getattr(detail, "code", code) or code), str(detail))
    return response


def api_handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's handler404: the JSON error body under /api/, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(_body("not_found", f"No API endpoint at {request.path}."), status=404)
    return defaults.page_not_found(request, exception)


def api_handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's handler400 (a disallowed Host, too many form fields, a suspicious request):
    the JSON error body under /api/, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(_body("bad_request", "The request could not be accepted."), status=400)
    return defaults.bad_request(request, exception)


def api_handler500(request: HttpRequest) -> HttpResponse:
    """Django's handler500: the JSON error body under /api/, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(_body("server_error", "Internal server error."), status=500)
    return defaults.server_error(request)
