import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tafcase.accounts import services, throttle
from tafcase.accounts.models import SignInThrottle, User
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


HERE, ELSEWHERE = "10.0.0.1", "10.0.0.9"
THROTTLED = "There have been too many attempts to sign in from here."


def sign_in_from(client, address, email, password=PASSWORD):
    return client.post(
        reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address
    )


@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_LOCKOUT_MINUTES=15)
def test_repeated_failures_block_the_account_from_that_address_even_for_the_right_password(
    client, key_worker
):
    for _ in range(3):
        sign_in_from(client, HERE, key_worker.email, "wrong-password-here")
    response = sign_in_from(client, HERE, key_worker.email)
    assert response.status_code == 200
    assert THROTTLED in response.content.decode()
    assert "Wait 15 minutes" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302
    assert AuditEvent.objects.filter(actor=key_worker, action="locked_out").count() == 1
    assert AuditEvent.objects.filter(actor=key_worker, action="login_failed").count() == 3


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_a_block_reads_the_same_for_an_email_with_no_account(client, key_worker):
    pages = {}
    for email in (key_worker.email, "nobody-here@example.test"):
        for _ in range(3):
            sign_in_from(client, HERE, email, "wrong-password-here")
        pages[email] = sign_in_from(client, HERE, email, "wrong-password-here")
    real, made_up = pages.values()
    assert real.status_code == made_up.status_code == 200
    assert THROTTLED in real.content.decode() and THROTTLED in made_up.content.decode()

    def page_without(response, email):
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        return text.replace(email, "")

    assert page_without(real, key_worker.email) == page_without(made_up, "nobody-here@example.test")


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_a_stranger_elsewhere_cannot_keep_the_owner_out(client, key_worker):
    for _ in range(10):
        sign_in_from(client, ELSEWHERE, key_worker.email, "wrong-password-here")
    assert THROTTLED in sign_in_from(client, ELSEWHERE, key_worker.email).content.decode()
    assert sign_in_from(client, HERE, key_worker.email).status_code == 302
    key_worker.refresh_from_db()
    assert not key_worker.is_locked()


@override_settings(LOGIN_FAILURE_LIMIT=50, LOGIN_ADDRESS_FAILURE_LIMIT=4)
def test_one_address_trying_many_accounts_is_blocked_for_all_of_them(client, key_worker):
    for n in range(4):
        sign_in_from(client, ELSEWHERE, f"guess{n}@example.test", "wrong-password-here")
    assert THROTTLED in sign_in_from(client, ELSEWHERE, key_worker.email).content.decode()
    assert sign_in_from(client, HERE, key_worker.email).status_code == 302


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_a_block_lifts_when_its_time_is_up(client, key_worker):
    for _ in range(3):
        sign_in_from(client, HERE, key_worker.email, "wrong-password-here")
    SignInThrottle.objects.update(blocked_until=timezone.now() - timedelta(seconds=1))
    assert sign_in_from(client, HERE, key_worker.email).status_code == 302


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_successful_sign_in_forgets_that_addresss_failures(client, key_worker):
    for _ in range(2):
        sign_in_from(client, HERE, key_worker.email, "wrong-password-here")
    assert sign_in_from(client, HERE, key_worker.email).status_code == 302
    client.post(reverse("logout"))
    for _ in range(2):
        sign_in_from(client, HERE, key_worker.email, "wrong-password-here")
    assert sign_in_from(client, HERE, key_worker.email).status_code == 302


def test_each_block_is_twice_as_long_as_the_last_and_a_quiet_day_forgets():
    limit = throttle.Limit(hits=2, minutes=15, max_minutes=60)
    now = timezone.now()
    state = throttle.State()
    waits = []
    for _ in range(4):
        state = throttle.after_hit(throttle.after_hit(state, limit, now), limit, now)
        waits.append(throttle.minutes_left(state, now))
    assert waits == [15, 30, 60, 60]
    later = now + timedelta(days=2)
    state = throttle.after_hit(state, limit, later)
    assert (state.hits, state.blocks) == (1, 0) and not throttle.is_blocked(state, later)


def test_an_account_locked_by_an_administrator_cannot_sign_in(client, key_worker):
    User.objects.filter(pk=key_worker.pk).update(locked_until=timezone.now() + timedelta(days=1))
    response = sign_in_from(client, HERE, key_worker.email)
    assert "This account is locked" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_password_reset_sends_a_link_that_sets_a_new_password_and_lifts_blocks(client, key_worker):
    for _ in range(3):
        sign_in_from(client, HERE, key_worker.email, "wrong-password-here")
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
    assert sign_in_from(client, HERE, key_worker.email, new).status_code == 302


@override_settings(PASSWORD_RESET_LIMIT=2)
def test_password_reset_links_are_limited_per_email_and_say_the_same_for_any_email(
    client, key_worker
):
    answers = {}
    for email in (key_worker.email, "nobody-here@example.test"):
        for _ in range(2):
            assert client.post(reverse("password_reset"), {"email": email}).status_code == 302
        answers[email] = client.post(reverse("password_reset"), {"email": email})
    assert len(mail.outbox) == 2
    for response in answers.values():
        assert response.status_code == 200
        assert (
            "You have asked for too many reset links. Wait 60 minutes" in response.content.decode()
        )
    assert (
        AuditEvent.objects.filter(action="password_reset", object_id=str(key_worker.pk)).count()
        == 2
    )


@override_settings(PASSWORD_RESET_ADDRESS_LIMIT=3)
def test_password_reset_links_are_limited_per_address(client, key_worker):
    for n in range(3):
        client.post(reverse("password_reset"), {"email": f"n{n}@example.test"}, REMOTE_ADDR=HERE)
    response = client.post(reverse("password_reset"), {"email": key_worker.email}, REMOTE_ADDR=HERE)
    assert "too many reset links" in response.content.decode()
    assert mail.outbox == []
    other = client.post(
        reverse("password_reset"), {"email": key_worker.email}, REMOTE_ADDR=ELSEWHERE
    )
    assert other.status_code == 302 and len(mail.outbox) == 1


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
    assert response.status_code == 200 and b"from the list" in response.content
    assert client.session["working_authority_id"] == authority.pk


# --- key-worker details (the key-worker report card's slices) -------------------------


def _admin_change_form(user: User, **changes) -> dict:
    return {
        "email": user.email,
        "full_name": user.full_name,
        "agency": user.agency_id,
        "roles": list(user.roles),
        "authorities": [a.pk for a in user.authorities.all()],
        "is_active": "on",
        "locked_until_0": "",
        "locked_until_1": "",
        **changes,
    }


def test_an_administrator_records_a_key_workers_background_in_the_admin_audited(
    client, administrator, key_worker
):
    client.force_login(administrator)
    url = reverse("admin:accounts_user_change", args=[key_worker.pk])
    page = client.get(url).content.decode()
    assert "Professional background" in page and "Dedicated key worker" in page
    response = client.post(
        url,
        _admin_change_form(
            key_worker, professional_background="youth_work", dedicated_key_worker="on"
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    key_worker.refresh_from_db()
    assert key_worker.professional_background == "youth_work"
    assert key_worker.dedicated_key_worker is True
    event = AuditEvent.objects.get(
        object_type="accounts.user", summary__startswith="Key-worker details"
    )
    assert event.actor == administrator
    assert event.changes == {
        "professional_background": ["", "youth_work"],
        "dedicated_key_worker": [False, True],
    }


def test_an_unknown_background_in_the_admin_is_a_form_error(client, administrator, key_worker):
    client.force_login(administrator)
    response = client.post(
        reverse("admin:accounts_user_change", args=[key_worker.pk]),
        _admin_change_form(key_worker, professional_background="astronaut"),
    )
    assert response.status_code == 200
    key_worker.refresh_from_db()
    assert key_worker.professional_background == ""
    assert not AuditEvent.objects.filter(summary__startswith="Key-worker details").exists()


def test_an_admin_save_that_changes_no_key_worker_detail_writes_no_row(
    client, administrator, key_worker
):
    client.force_login(administrator)
    client.post(
        reverse("admin:accounts_user_change", args=[key_worker.pk]),
        _admin_change_form(key_worker, full_name="Renamed Worker"),
    )
    key_worker.refresh_from_db()
    assert key_worker.full_name == "Renamed Worker"
    assert not AuditEvent.objects.filter(summary__startswith="Key-worker details").exists()


def test_the_key_worker_details_service_sets_and_audits_changes_only(administrator, key_worker):
    event = services.user_key_worker_details_set(
        actor=administrator,
        user=key_worker,
        professional_background="health",
        dedicated_key_worker=True,
    )
    assert event is not None and event.changes["professional_background"] == ["", "health"]
    key_worker.refresh_from_db()
    assert (key_worker.professional_background, key_worker.dedicated_key_worker) == ("health", True)
    assert (
        services.user_key_worker_details_set(
            actor=administrator,
            user=key_worker,
            professional_background="health",
            dedicated_key_worker=True,
        )
        is None
    )
    with pytest.raises(ValidationError):
        services.user_key_worker_details_set(
            actor=administrator,
            user=key_worker,
            professional_background="astronaut",
            dedicated_key_worker=False,
        )
    key_worker.refresh_from_db()
    assert key_worker.professional_background == "health"


def test_a_user_is_made_with_key_worker_details(make_agency):
    user = services.user_create(
        email="new@example.test",
        full_name="New Worker",
        agency=make_agency(),
        roles=["key_worker"],
        password=None,
        professional_background="social_work",
        dedicated_key_worker=True,
    )
    user.refresh_from_db()
    assert (user.professional_background, user.dedicated_key_worker) == ("social_work", True)
