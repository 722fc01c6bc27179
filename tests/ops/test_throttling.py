"""Anonymous API clients over the limit get 429 with Retry-After; token clients have
their own, higher limit (API_THROTTLE_ANON / API_THROTTLE_USER)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle


def _limit(scope: str) -> int:
    rate = api_settings.DEFAULT_THROTTLE_RATES[scope]
    return SimpleRateThrottle.parse_rate(None, rate)[0]


@pytest.mark.slow
@pytest.mark.django_db
def test_anonymous_over_the_limit_gets_429_with_retry_after_token_clients_do_not(client) -> None:
    classes = api_settings.DEFAULT_THROTTLE_CLASSES
    assert any(issubclass(c, AnonRateThrottle) for c in classes), classes
    assert any(issubclass(c, UserRateThrottle) for c in classes), classes
    cache.clear()
    anon_limit = _limit("anon")
    assert anon_limit < _limit("user")
    statuses = [client.get("/api/").status_code for _ in range(anon_limit)]
    assert set(statuses) == {200}
    throttled = client.get("/api/")
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert throttled.json()["error"]["code"] == "throttled"

    user = get_user_model().objects.create_user("bench", password="x-long-password")
    token = Token.objects.create(user=user)
    authed = client.get("/api/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert authed.status_code == 200
    cache.clear()
