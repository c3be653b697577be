"""Who reaches the reports pages: the programme team, managers and auditors of the
authority they work in; everyone else 404; signed out, the sign-in page."""

import pytest
from django.urls import reverse

from tafcase.accounts.models import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.DATA_ANALYST, Role.MANAGER, Role.AUDITOR])
def test_report_readers_of_the_authority_see_the_reports(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(reverse("reporting:reports")).status_code == 200


@pytest.mark.parametrize(
    "role", [Role.KEY_WORKER, Role.PARTNER_PRACTITIONER, Role.PANEL_CHAIR, Role.ADMINISTRATOR]
)
def test_everyone_else_gets_404(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(reverse("reporting:reports")).status_code == 404


def test_a_manager_serving_no_authority_gets_404(client, make_user):
    client.force_login(make_user(Role.MANAGER, authorities=[]))
    assert client.get(reverse("reporting:reports")).status_code == 404


def test_signed_out_goes_to_sign_in(client):
    response = client.get(reverse("reporting:reports"))
    assert response.status_code == 302 and "/account/sign-in/" in response["Location"]
