"""The shared input layer: ids in paths, query parameters and NUL characters are answered
400 or 404, never a server error."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.families.conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(world: World) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.coordinator)
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/api/families/abc/",
        "/api/families/-1/",
        "/api/families/1.5/",
        "/api/families/99999999999999999999999/",
        "/api/people/%C3%A9/",
        "/api/panels/x/",
        "/api/nominations/1e3/",
        "/api/partner-imports/nan/",
        "/api/closures/x/sign-off/",
    ],
)
def test_non_number_id_in_a_path_is_404(api, path):
    assert api.get(path).status_code == 404
    assert api.post(path, {}, format="json").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/api/goals/?family=abc",
        "/api/consents/?family=-1",
        "/api/notes/?family=1.0",
        "/api/reviews/?family=99999999999999999999",
        "/api/families/?status=nonsense",
        "/api/families/?tier=x",
        "/api/families/?mine=perhaps",
        "/api/nominations/?stage=x",
    ],
)
def test_malformed_query_parameter_is_400(api, url):
    assert api.get(url).status_code == 400


def test_family_filter_narrows_lists(api, world):
    response = api.get(f"/api/consents/?family={world.family.pk}")
    assert response.status_code == 200 and response.data["count"] == 1
    assert api.get("/api/consents/?family=").status_code == 200


@pytest.mark.parametrize(
    "url", ["/api/families/?q=a%00b", "/api/families/?status%00=x", "/api/goals/?family=1%00"]
)
def test_nul_in_a_query_string_is_400(api, url):
    response = api.get(url)
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


def test_nul_in_a_json_body_is_400(api, world):
    url = reverse("api:family-detail", args=[world.family.pk])
    body = '{"name": "A\\u0000B", "version": 1}'
    response = api.patch(url, body, content_type="application/json")
    assert response.status_code == 400
    # An escaped backslash before "u0000" is text, not a NUL.
    body = '{"name": "A\\\\u0000B", "version": ' + str(world.family.version) + "}"
    assert api.patch(url, body, content_type="application/json").status_code == 200


def test_nul_in_a_form_post_or_page_query_is_400(client, world):
    client.force_login(world.coordinator)
    assert client.get("/families/?q=%00").status_code == 400
    url = reverse("families:edit", args=[world.family.pk])
    response = client.post(url, {"name": "A\x00B"})
    assert response.status_code == 400
    assert b"problem with your request" in response.content


def test_nul_in_a_header_is_400(api):
    response = api.get("/api/families/", HTTP_X_AUTHORITY="E99\x00")
    assert response.status_code == 400
