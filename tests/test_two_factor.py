"""One sign-in door for everyone, the admin included, with a second factor (TOTP) for the
programme team and administrators, recovery codes, and no password hash on any page."""

import re
from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tafcase import settings as project_settings
from tafcase.accounts.models import Role, User
from tafcase.audit.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _production_roles(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = project_settings.TWO_FACTOR_REQUIRED_ROLES


def sign_in(client, email, password=PASSWORD, address="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address
    )


def app_for(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key)
    totp.time = totp.time + 30 * steps_ahead
    return f"{totp.token():06d}"


def verified_login(client, user):
    """Signed in with the second factor given, as the code page leaves a session."""
    device = app_for(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def enter_code(client, code, next_page="", address="10.0.0.1"):
    return client.post(
        reverse("two-factor"), {"code": code, "next": next_page}, REMOTE_ADDR=address
    )


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.COORDINATOR)


@pytest.fixture
def administrator(make_user):
    return make_user(Role.ADMINISTRATOR)


def test_programme_team_sets_up_a_second_factor_before_reaching_any_page(client, coordinator):
    assert sign_in(client, coordinator.email).status_code == 302
    for page in (reverse("home"), reverse("families:caseload"), reverse("admin:index")):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("two-factor"))
    api = client.get(reverse("api:family-list"))
    assert api.status_code == 403
    assert "two-factor" in api.json()["detail"]

    set_up = client.get(reverse("two-factor"))
    assert "Set up two-factor sign-in" in set_up.content.decode()
    secret = set_up.context["secret"].replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    qr = client.get(reverse("two-factor-qr"))
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content

    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    wrong = enter_code(client, "000000" if code_for(device) != "000000" else "111111")
    assert "The code is not correct" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp waits a second after a wrong code
    response = enter_code(client, code_for(device), "/families/")
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("recovery-codes")
    )
    codes_page = client.get(response["Location"])
    assert len(codes_page.context["codes"]) == 10
    assert client.get(reverse("recovery-codes")).context["codes"] is None  # shown once
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(actor=coordinator, action="two_factor_set_up").count() == 1


def test_a_user_with_an_app_gives_a_code_at_every_sign_in(client, coordinator):
    device = app_for(coordinator)
    sign_in(client, coordinator.email)
    response = client.get(reverse("families:caseload"))
    assert response["Location"] == f"{reverse('two-factor')}?next=%2Ffamilies%2F"
    page = client.get(response["Location"])
    assert "Enter your two-factor code" in page.content.decode()
    response = enter_code(client, code_for(device), "/families/")
    assert response["Location"] == "/families/"
    assert client.get(reverse("families:caseload")).status_code == 200
    assert AuditEvent.objects.filter(actor=coordinator, action="second_factor").count() == 1


def test_a_code_is_never_accepted_twice(client, coordinator):
    device = app_for(coordinator)
    code = code_for(device)
    sign_in(client, coordinator.email)
    assert enter_code(client, code).status_code == 302
    client.post(reverse("logout"))
    sign_in(client, coordinator.email)
    assert "The code is not correct" in enter_code(client, code).content.decode()


def test_a_recovery_code_signs_in_once(client, coordinator):
    from tafcase.accounts.services import recovery_codes_replace

    app_for(coordinator)
    codes = recovery_codes_replace(user=coordinator, ip=None)
    sign_in(client, coordinator.email)
    assert enter_code(client, codes[0].upper()).status_code == 302
    client.post(reverse("logout"))
    sign_in(client, coordinator.email)
    assert enter_code(client, codes[0]).status_code == 200
    StaticDevice.objects.filter(user=coordinator).update(throttling_failure_count=0)
    assert enter_code(client, codes[1]).status_code == 302


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_wrong_codes_count_towards_the_sign_in_block(client, coordinator):
    device = app_for(coordinator)
    sign_in(client, coordinator.email)
    for _ in range(3):
        enter_code(client, "12345x")
    response = enter_code(client, code_for(device))
    assert response.status_code == 429
    assert "Too many wrong codes" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302
    assert AuditEvent.objects.filter(actor=coordinator, action="locked_out").exists()


def test_key_workers_need_no_second_factor_unless_their_authority_asks(
    client, key_worker, authority
):
    sign_in(client, key_worker.email)
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    authority.two_factor_for_everyone = True
    authority.save()
    sign_in(client, key_worker.email)
    response = client.get(reverse("home"))
    assert response["Location"].startswith(reverse("two-factor"))


def test_a_partner_whose_agencys_authority_asks_needs_a_second_factor(
    client, make_user, make_agency, authority
):
    partner = make_user(
        Role.PARTNER_PRACTITIONER, agency=make_agency("Police", "police"), authorities=[]
    )
    authority.two_factor_for_everyone = True
    authority.save()
    sign_in(client, partner.email)
    assert client.get(reverse("home"))["Location"].startswith(reverse("two-factor"))


def test_anyone_may_choose_a_second_factor_and_must_then_use_it(client, key_worker):
    sign_in(client, key_worker.email)
    security = client.get(reverse("account-security"))
    assert "Off" in security.content.decode()
    client.get(reverse("two-factor"))
    device = TOTPDevice.objects.get(user=key_worker)
    assert enter_code(client, code_for(device)).status_code == 302
    client.post(reverse("logout"))
    sign_in(client, key_worker.email)
    assert client.get(reverse("home"))["Location"].startswith(reverse("two-factor"))


def test_the_admin_signs_in_through_the_one_door(client, administrator):
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("admin:login"))
    response = client.get(response["Location"])
    assert response["Location"] == f"{reverse('login')}?next=%2Fadmin%2F"
    # Posting a password to the admin's own login page signs nobody in.
    response = client.post(
        reverse("admin:login"), {"username": administrator.email, "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get(reverse("admin:index")).status_code == 302
    assert not AuditEvent.objects.filter(actor=administrator, action="login").exists()


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_a_locked_administrator_is_kept_out_of_every_door(client, administrator):
    from rest_framework.test import APIClient

    from tafcase.accounts.services import api_token_create

    device = app_for(administrator)
    _, secret = api_token_create(user=administrator, name="Scripts", days=30, ip=None)
    for _ in range(3):
        sign_in(client, administrator.email, "wrong-password-here")
    blocked = sign_in(client, administrator.email)
    assert "too many attempts to sign in" in blocked.content.decode()
    client.post(reverse("admin:login"), {"username": administrator.email, "password": PASSWORD})
    assert not AuditEvent.objects.filter(actor=administrator, action="login").exists()
    assert client.get(reverse("admin:index")).status_code == 302
    # An administrator's lock (set in the admin) also stops the password and the API token.
    User.objects.filter(pk=administrator.pk).update(
        locked_until=timezone.now() + timedelta(hours=1)
    )
    response = sign_in(client, administrator.email, address="10.0.0.2")
    assert "This account is locked" in response.content.decode()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert api.get(reverse("api-root")).status_code == 401
    # A session that has not given the code never reaches the admin either.
    User.objects.filter(pk=administrator.pk).update(locked_until=None)
    sign_in(client, administrator.email, address="10.0.0.2")
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("two-factor"))
    enter_code(client, code_for(device), address="10.0.0.2")
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_admin_user_page_shows_no_password_hash(client, administrator, key_worker):
    verified_login(client, administrator)
    page = client.get(reverse("admin:accounts_user_change", args=[key_worker.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert key_worker.password not in text
    assert 'name="password"' not in text
    assert "Set a password" in text


def test_an_administrator_resets_a_users_two_factor_and_it_is_audited(
    client, administrator, coordinator
):
    app_for(coordinator)
    verified_login(client, administrator)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [coordinator.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert AuditEvent.objects.filter(
        actor=administrator, action="two_factor_reset", object_id=str(coordinator.pk)
    ).exists()


def test_no_page_shows_a_device_secret_in_the_admin(client, administrator):
    verified_login(client, administrator)
    index = client.get(reverse("admin:index")).content.decode()
    assert "TOTP" not in index and "otp_totp" not in index
