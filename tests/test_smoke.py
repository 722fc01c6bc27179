"""The site answers with an empty catalog."""

import pytest


@pytest.mark.django_db
def test_home_page_renders_with_an_empty_catalog(client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert b"Model Atlas" in response.content


@pytest.mark.django_db
def test_api_schema_is_served(client) -> None:
    assert client.get("/api/schema/").status_code == 200
