"""Security middleware Django lacks: a Content-Security-Policy header and a body-size
limit that answers 413 with the API's JSON error body.

CSP (settings.CONTENT_SECURITY_POLICY) defaults to `default-src 'self'` with no inline
scripts or styles: every script (htmx, Chart.js) is served from static/vendor and every
page's JavaScript lives in a static file. A view may set its own header to override it.
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


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "fields": {}}}, status=status)
