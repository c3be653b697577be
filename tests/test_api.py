import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tafcase.accounts.services import api_token_create

pytestmark = pytest.mark.django_db


def test_api_accepts_token_authentication(key_worker):
    _, secret = api_token_create(user=key_worker, name="Reports", days=30, ip=None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    response = client.get(reverse("api-root"))
    assert response.status_code == 200
    assert "schema" in response.json()


def test_api_refuses_a_bad_token():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get(reverse("api-root")).status_code == 401


def test_openapi_schema_is_served_to_signed_in_users(client, key_worker):
    client.force_login(key_worker)
    response = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert b"openapi" in response.content
    assert client.get(reverse("api-docs")).status_code == 200
