from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tafcase.accounts.models import User
from tafcase.audit.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, email, password=PASSWORD):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_sign_in_with_email_and_password_reaches_home(client, key_worker):
    response = sign_in(client, key_worker.email.upper())
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(actor=key_worker, action="login").count() == 1


def test_wrong_password_is_refused_with_a_message(client, key_worker):
    response = sign_in(client, key_worker.email, "not-the-password")
    assert response.status_code == 200
    assert "Enter a correct email address and password." in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_LOCKOUT_MINUTES=15)
def test_account_locks_after_repeated_failures_even_for_the_right_password(client, key_worker):
    for _ in range(3):
        sign_in(client, key_worker.email, "wrong-password-here")
    key_worker.refresh_from_db()
    assert key_worker.is_locked()
    response = sign_in(client, key_worker.email)
    assert response.status_code == 200
    assert "locked" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302
    assert AuditEvent.objects.filter(actor=key_worker, action="locked_out").exists()


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_lock_expires(client, key_worker):
    for _ in range(3):
        sign_in(client, key_worker.email, "wrong-password-here")
    User.objects.filter(pk=key_worker.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert sign_in(client, key_worker.email).status_code == 302


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_successful_sign_in_resets_the_failure_count(client, key_worker):
    for _ in range(2):
        sign_in(client, key_worker.email, "wrong-password-here")
    assert sign_in(client, key_worker.email).status_code == 302
    key_worker.refresh_from_db()
    assert key_worker.failed_login_count == 0


def test_password_reset_sends_a_link_that_sets_a_new_password_and_unlocks(client, key_worker):
    User.objects.filter(pk=key_worker.pk).update(locked_until=timezone.now() + timedelta(hours=1))
    response = client.post(reverse("password_reset"), {"email": key_worker.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Families First" in mail.outbox[0].subject
    link = next(line for line in body.splitlines() if "/password-reset/" in line)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    new = "a-brand-new-passphrase"
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    key_worker.refresh_from_db()
    assert key_worker.check_password(new)
    assert not key_worker.is_locked()


def test_password_reset_for_unknown_email_sends_nothing_and_says_the_same(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.test"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_session_expires_after_inactivity(client, key_worker, settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client.force_login(key_worker)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session.set_expiry(timezone.now() - timedelta(seconds=1))
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_activity_renews_the_session(client, key_worker):
    client.force_login(key_worker)
    before = client.session.get_expiry_date()
    client.get(reverse("home"))
    assert client.session.get_expiry_date() >= before


def test_sign_out(client, key_worker):
    client.force_login(key_worker)
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_createsuperuser_makes_an_administrator(db):
    user = User.objects.create_superuser("root@example.test", "x-long-password", full_name="Root")
    assert user.is_staff
    assert user.has_role("administrator")


def test_choosing_an_authority_returns_only_to_a_page_on_this_site(
    client, make_user, authority, other_authority
):
    from django.urls import reverse

    from tafcase.accounts.models import Role

    user = make_user(
        Role.COORDINATOR, email="two@example.test", authorities=[authority, other_authority]
    )
    client.force_login(user)
    chooser = reverse("choose-authority")
    page = client.get(chooser, {"next": "/families/"})
    assert b'value="/families/"' in page.content
    response = client.post(chooser, {"authority": other_authority.pk, "next": "/families/"})
    assert response["Location"] == "/families/"
    response = client.post(chooser, {"authority": authority.pk, "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")
    response = client.post(chooser, {"authority": 999999})
    assert response.status_code == 200 and b"Select a valid choice" in response.content
    assert client.session["working_authority_id"] == authority.pk
