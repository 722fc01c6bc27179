"""Reads are public, writes need a token; anonymous and token clients are throttled."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    def set_rates(anon: str = "off", user: str = "off") -> None:
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"anon": anon, "user": user},
        }
        cache.clear()

    yield set_rates
    cache.clear()


@pytest.fixture
def token() -> str:
    user = get_user_model().objects.create_user("api-user", password="x")
    call_command("drf_create_token", "api-user", verbosity=0)
    return Token.objects.get(user=user).key


def test_reads_are_public(client) -> None:
    assert client.get("/api/models/").status_code == 200


def test_writes_without_a_token_are_a_401(client) -> None:
    response = client.post("/api/models/", {}, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


def test_a_token_from_drf_create_token_authenticates_writes(client, token) -> None:
    # The catalog is read-only, so an authenticated write gets past auth to a 405.
    response = client.post(
        "/api/models/", {}, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}"
    )
    assert response.status_code == 405


def test_a_wrong_token_is_a_401_even_on_reads(client) -> None:
    response = client.get("/api/models/", HTTP_AUTHORIZATION="Token wrong")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_anonymous_clients_are_throttled_with_retry_after(client, rates) -> None:
    rates(anon="3/min")
    assert [client.get("/api/tasks/").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get("/api/tasks/")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60


def test_token_clients_have_their_own_rate(client, rates, token) -> None:
    rates(anon="1/min", user="2/min")
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    codes = [client.get("/api/tasks/", **auth).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert client.get("/api/tasks/").status_code == 200  # anonymous bucket is separate


def test_throttling_can_be_switched_off(client, rates) -> None:
    rates(anon="off")
    assert {client.get("/api/tasks/").status_code for _ in range(5)} == {200}
