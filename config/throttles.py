"""The API's throttles (DRF), also used by plain Django views (`site_throttle`).

Counters live in the default cache: Redis whenever a broker is configured
(config/settings.py), so a limit holds across every gunicorn worker; the client is the
address the proxy saw (NUM_PROXIES), not an X-Forwarded-For the client sends.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from rest_framework import throttling
from rest_framework.settings import api_settings

logger = logging.getLogger(__name__)


class _RateFromSettings:
    """Reads the rate on each request (so tests can override it); "off" disables it.

    Counters live in the default cache: Redis whenever a broker is configured, so the
    limit holds across gunicorn workers. A rate of N/min allows N requests per client in
    each clock minute (a fixed window). Staff users are exempt (operators, the load
    bench's exempt run). If the cache cannot be reached the request is let through and
    logged: a throttle must not turn a Redis outage into a site outage."""

    def get_rate(self) -> str | None:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)  # type: ignore[attr-defined]
        return None if rate in (None, "", "off") else rate

    def allow_request(self, request: Any, view: Any) -> bool:
        """A fixed window of `duration` seconds per client, counted with an atomic cache
        increment (Redis INCR): DRF's own history list is read-modify-write, so workers
        racing each other let more than the rate through."""
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            return True
        if self.rate is None:  # type: ignore[attr-defined]
            return True
        key = self.get_cache_key(request, view)  # type: ignore[attr-defined]
        if key is None:
            return True
        now = self.timer()  # type: ignore[attr-defined]
        duration = self.duration  # type: ignore[attr-defined]
        window = int(now // duration)
        self._window_end = (window + 1) * duration
        key = f"{key}:{window}"
        try:
            self.cache.add(key, 0, duration + 5)  # type: ignore[attr-defined]
            try:
                count = self.cache.incr(key)  # type: ignore[attr-defined]
            except ValueError:  # expired between add and incr
                self.cache.set(key, 1, duration + 5)  # type: ignore[attr-defined]
                count = 1
        except Exception:  # the cache is down: fail open
            logger.warning("throttle cache unavailable; request allowed", exc_info=True)
            return True
        return count <= self.num_requests  # type: ignore[attr-defined]

    def wait(self) -> float:
        return max(1.0, self._window_end - self.timer())  # type: ignore[attr-defined]


class AnonThrottle(_RateFromSettings, throttling.AnonRateThrottle):
    """Anonymous clients, keyed by IP: `API_THROTTLE_ANON` (e.g. "600/min")."""


class UserThrottle(_RateFromSettings, throttling.UserRateThrottle):
    """Token holders, keyed by user: `API_THROTTLE_USER` (e.g. "3000/min")."""


class PlanCreateThrottle(_RateFromSettings, throttling.SimpleRateThrottle):
    """New plans per client (user, else address): `PLAN_CREATE_THROTTLE` ("20/min"). Used
    by POST /api/plans/ and by the website's plan form (`site_throttle`)."""

    scope = "plan_create"

    def get_cache_key(self, request: Any, view: Any) -> str:
        user = getattr(request, "user", None)
        ident = (
            f"u{user.pk}" if user is not None and user.is_authenticated else self.get_ident(request)
        )
        return self.cache_format % {"scope": self.scope, "ident": ident}


def site_throttle(
    request: HttpRequest, throttle_class: type = PlanCreateThrottle
) -> HttpResponse | None:
    """A DRF throttle for a plain Django view: None when allowed, else a 429 page."""
    throttle = throttle_class()
    if throttle.allow_request(request, None):
        return None
    wait = throttle.wait()
    response = HttpResponse(
        "Too many requests: please wait a minute before creating another plan.",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    if wait is not None:
        response["Retry-After"] = str(max(1, int(wait)))
    return response
