"""Project-wide API pieces: pagination, throttles, conditional GETs, the error handlers.

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
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response, quote_etag
from django.utils.http import http_date
from django.views import defaults
from rest_framework import exceptions, pagination, serializers, throttling
from rest_framework.response import Response
from rest_framework.settings import api_settings

from config.errors import AtlasError


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


LOOKUPS = {">": "gt", "<": "lt"}


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
        if field.null:
            queryset = queryset.filter(**{f"{field_name}__isnull": False})
        scan_desc = descending != backwards
        order = [f"-{field_name}" if scan_desc else field_name]
        if not unique:
            order.append("-id" if scan_desc else "id")
        queryset = queryset.order_by(*order)
        if cursor is not None:
            queryset = queryset.filter(
                self._after(queryset, field, unique, cursor, "<" if scan_desc else ">")
            )
        rows = list(queryset[: size + 1])
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
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise exceptions.ValidationError({"page_size": ["A positive integer is required."]})
        return min(size, self.max_page_size)

    def _decode(self, raw: str | None) -> dict[str, Any] | None:
        if raw is None:
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(raw.encode("ascii")))
        except (ValueError, UnicodeError, binascii.Error) as exc:
            raise exceptions.ValidationError({"cursor": ["Invalid cursor."]}) from exc
        if not isinstance(data, dict) or "v" not in data or not isinstance(data.get("k"), int):
            raise exceptions.ValidationError({"cursor": ["Invalid cursor."]})
        return data

    def _after(
        self, queryset: QuerySet, field: Any, unique: bool, cursor: dict[str, Any], op: str
    ) -> RawSQL | Q:
        try:
            value = field.to_python(cursor["v"])
            if isinstance(value, datetime):
                value = connection.ops.adapt_datetimefield_value(value)
        except DjangoValidationError as exc:
            raise exceptions.ValidationError({"cursor": ["Invalid cursor."]}) from exc
        if field.column is None:  # an annotation: compare through the ORM
            name, key = field.attname, cursor["k"]
            if unique:
                return Q(**{f"{name}__{LOOKUPS[op]}": value})
            return Q(**{f"{name}__{LOOKUPS[op]}": value}) | Q(
                **{name: value, f"id__{LOOKUPS[op]}": key}
            )
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


class _RateFromSettings:
    """Reads the rate on each request (so tests can override it); "off" disables it."""

    def get_rate(self) -> str | None:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)  # type: ignore[attr-defined]
        return None if rate in (None, "", "off") else rate


class AnonThrottle(_RateFromSettings, throttling.AnonRateThrottle):
    """Anonymous clients, keyed by IP: `API_THROTTLE_ANON` (e.g. "600/min")."""


class UserThrottle(_RateFromSettings, throttling.UserRateThrottle):
    """Token holders, keyed by user: `API_THROTTLE_USER` (e.g. "3000/min")."""


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


# Descriptions for parameters that views declare without one (path lookups, plain
# `filterset_fields`): "name" or "path prefix:name" -> text.
PARAMETER_DESCRIPTIONS = {
    "repo_id": "Catalog repo id, slashes allowed (e.g. `meta-llama/Llama-3.1-8B`).",
    "slug": "The record's slug.",
    "/api/leaderboards/:source": "Leaderboard source, e.g. `lmarena`.",
    "/api/leaderboards/:task": "Quality task, e.g. `chat`, `code`.",
}


def schema_describe_parameters(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: fill in PARAMETER_DESCRIPTIONS."""
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("description"):
                    continue
                name = parameter["name"]
                text = PARAMETER_DESCRIPTIONS.get(f"{path}:{name}") or PARAMETER_DESCRIPTIONS.get(
                    name
                )
                if text:
                    parameter["description"] = text
    return result


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


def api_handler500(request: HttpRequest) -> HttpResponse:
    """Django's handler500: the JSON error body under /api/, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(_body("server_error", "Internal server error."), status=500)
    return defaults.server_error(request)
