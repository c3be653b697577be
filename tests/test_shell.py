"""Page shell: navigation by role, home page per role, error pages, admin, anonymous access."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tafcase.accounts.models import Role
from tafcase.navigation import NAVIGATION
from tafcase.views import HOME_PANELS

pytestmark = pytest.mark.django_db

# Pages anyone may open: signing in, password reset, and the deployment health check.
PUBLIC = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "health",
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_has_its_own_home_page_and_navigation(client, make_user, role):
    user = make_user(role)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Families First" in page
    for panel in HOME_PANELS[role]:
        assert panel.heading in page
        assert panel.text.replace("'", "&#x27;") in page
    labels = [item["text"] for item in response.context["navigation"]]
    expected = [item.label for item in NAVIGATION if not item.roles or role in item.roles]
    assert labels == expected


def test_navigation_hides_items_of_other_roles(client, key_worker):
    client.force_login(key_worker)
    page = client.get(reverse("home")).content.decode()
    assert "Administration" not in page
    assert 'href="/admin/"' not in page


def test_programme_name_is_configurable(client, key_worker, settings):
    settings.PROGRAMME_NAME = "Strengthening Families"
    client.force_login(key_worker)
    page = client.get(reverse("home")).content.decode()
    assert "Strengthening Families" in page
    assert "Troubled Families" not in page


def test_page_has_skip_link_and_main_landmark(client, key_worker):
    client.force_login(key_worker)
    page = client.get(reverse("home")).content.decode()
    assert 'href="#main-content"' in page
    assert 'id="main-content"' in page
    assert '<html lang="en-GB"' in page


def test_not_found_page_uses_the_service_style(client, key_worker):
    client.force_login(key_worker)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page
    assert "govuk-heading-l" in page


def test_admin_is_for_administrators_only(client, key_worker, administrator):
    client.force_login(key_worker)
    assert client.get(reverse("admin:index")).status_code == 302
    client.force_login(administrator)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200


def test_admin_creates_an_agency_with_its_permission_group(client, administrator, authority):
    client.force_login(administrator)
    response = client.post(
        reverse("admin:accounts_agency_add"),
        {"name": "Northshire Police", "kind": "police", "local_authority": ""},
    )
    assert response.status_code == 302
    from tafcase.accounts.models import Agency

    agency = Agency.objects.get(name="Northshire Police")
    assert agency.group.name == "agency:Northshire Police"


def _named_routes(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_routes(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name, prefix + str(pattern.pattern)


def _parameterless_routes():
    return sorted({name for name, route in _named_routes() if "<" not in route} - PUBLIC)


@pytest.mark.parametrize("name", _parameterless_routes())
def test_anonymous_users_are_sent_to_sign_in_or_refused(client, name):
    url = reverse(name)
    response = client.get(url)
    if url.startswith("/api/"):
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_every_route_is_covered_by_the_anonymous_test():
    # Routes with parameters need their own anonymous test in their app's suite.
    names = {name for name, _ in _named_routes()}
    assert set(_parameterless_routes()) | PUBLIC >= {
        name for name, route in _named_routes() if "<" not in route
    }
    assert "home" in names
