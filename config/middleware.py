"""Security middleware Django lacks: a Content-Security-Policy header and a body-size
limit that answers 413 with the API's JSON error body.

CSP (settings.CONTENT_SECURITY_POLICY) defaults to `default-src 'self'` with no inline
scripts and no <style> blocks: every script (htmx, Chart.js) is served from
static/vendor and every page's JavaScript lives in a static file; only style="..."
attributes are allowed inline. A view may set its own header to override it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

DEFAULT_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # style="..." attributes only (templates use them for spacing); <style> blocks
        # and scripts stay same-origin files. An injected attribute cannot run code.
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "") or DEFAULT_CSP
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response


class RequestBodyLimitMiddleware:
    """Refuse bodies over settings.MAX_REQUEST_BODY_BYTES before anything reads them.

    Checks Content-Length (gunicorn sets it, or de-chunks into it); Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE remains the backstop for bodies read another way.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.MAX_REQUEST_BODY_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _error(400, "bad_request", "Content-Length is not a number.")
        if limit and length > limit:
            return _error(
                413,
                "payload_too_large",
                f"The request body is {length} bytes; the limit is {limit} bytes.",
            )
        return self.get_response(request)


class RejectNulBytesMiddleware:
    """400 for a NUL byte in the path or query string (PostgreSQL text cannot hold one,
    so it would otherwise surface as a 500 from whichever lookup used it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            "\x00" in request.path
            or "%00" in request.META.get("QUERY_STRING", "")
            or any("\x00" in v for values in request.GET.lists() for v in values[1])
        ):
            return _error(400, "bad_request", "NUL bytes are not allowed in URLs.")
        return self.get_response(request)


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "fields": {}}}, status=status)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: the API's JSON error body under /api/, the site's 404 page elsewhere."""
    if request.path.startswith("/api/"):
        return _error(404, "not_found", f"No API endpoint at {request.path}.")
    from django.views.defaults import page_not_found as site_page_not_found

    return site_page_not_found(request, exception)
