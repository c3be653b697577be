"""Headers on every response: a Content-Security-Policy with no inline script or style,
and no caching of anything that may carry personal data (static files and the health
check excepted)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tafcase.accounts.services import api_token_create
from tafcase.middleware import CONTENT_SECURITY_POLICY
from tests.families.conftest import World, world  # noqa: F401 - the imported fixture

pytestmark = pytest.mark.django_db


def assert_not_cacheable(response) -> None:
    assert response["Cache-Control"] == "no-store"
    assert response["Pragma"] == "no-cache"


def assert_strict_csp(response) -> None:
    policy = response["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY
    directives = dict(d.split(" ", 1) for d in policy.split("; "))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe" not in policy


def test_family_page_has_csp_and_is_not_cached(client, world: World):  # noqa: F811
    client.force_login(world.lead)
    response = client.get(reverse("families:detail", args=[world.family.pk]))
    assert response.status_code == 200
    assert_strict_csp(response)
    assert_not_cacheable(response)


def test_api_json_has_csp_and_is_not_cached(world: World):  # noqa: F811
    client = APIClient()
    _, secret = api_token_create(user=world.lead, name="Headers", days=30, ip=None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    response = client.get(reverse("api:family-detail", args=[world.family.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert_strict_csp(response)
    assert_not_cacheable(response)


def test_subject_access_pdf_is_not_cached(client, world: World):  # noqa: F811
    client.force_login(world.coordinator)
    response = client.get(reverse("people:person-sar-pdf", args=[world.child.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert_strict_csp(response)
    assert_not_cacheable(response)


def test_sign_in_page_has_csp_and_is_not_cached(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert_strict_csp(response)
    assert_not_cacheable(response)


def test_error_pages_are_covered_too(client):
    response = client.get("/families/999999/")
    assert response.status_code in (302, 404)
    assert_strict_csp(response)
    assert_not_cacheable(response)


def test_pages_have_no_inline_script_or_style(client, world: World):  # noqa: F811
    pages = [client.get(reverse("login"))]
    client.force_login(world.lead)
    pages.append(client.get(reverse("families:detail", args=[world.family.pk])))
    for response in pages:
        page = response.content.decode()
        assert "<script>" not in page and "<style" not in page and "style=" not in page
        assert "<script " in page  # scripts are there, as files


def test_api_docs_load_their_script_from_a_url(client, world: World):  # noqa: F811
    client.force_login(world.lead)
    page = client.get(reverse("api-docs")).content.decode()
    assert "<script>" not in page and "<style" not in page
    script = client.get(reverse("api-docs") + "?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_health_check_and_static_files_may_be_cached_as_they_say(client):
    assert client.get(reverse("health"))["Cache-Control"] != "no-store"
    static = client.get("/static/tafcase.css")
    assert static.get("Cache-Control") != "no-store"
    assert "Pragma" not in static
