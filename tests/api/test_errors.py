"""Every API error is {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_unknown_api_path_is_a_json_404(client) -> None:
    response = client.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": {
            "code": "not_found",
            "message": "No API endpoint at /api/no-such-thing/.",
            "fields": {},
        }
    }


@pytest.mark.django_db
def test_unknown_site_path_is_still_an_html_404(client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "application/json" not in response["Content-Type"]


@pytest.mark.django_db
def test_a_crash_under_api_is_a_json_500(settings) -> None:
    settings.ROOT_URLCONF = "tests.api.urls_crash"
    response = Client(raise_request_exception=False).get("/api/crash/")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"


@pytest.mark.django_db
def test_method_not_allowed_uses_the_error_body(admin_client) -> None:
    response = admin_client.delete("/api/tasks/")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
