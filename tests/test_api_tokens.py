"""API tokens: made by their user (the secret shown once, only a digest stored), with an
expiry, revocable, refused while the user is inactive or locked, and audited."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tafcase.accounts.models import ApiToken, User
from tafcase.accounts.services import api_token_create
from tafcase.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def api_with(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def test_a_token_made_on_its_page_is_shown_once_and_stored_only_as_a_digest(client, key_worker):
    client.force_login(key_worker)
    page = client.post(reverse("api-tokens"), {"name": "Monthly report", "days": "30"})
    assert page.status_code == 200
    secret = page.context["secret"]
    assert secret in page.content.decode()
    token = ApiToken.objects.get(user=key_worker)
    assert secret not in (token.digest, token.prefix) and secret.startswith(token.prefix)
    assert token.expires_at.date() == (timezone.now() + timedelta(days=30)).date()
    assert secret not in client.get(reverse("api-tokens")).content.decode()
    assert api_with(secret).get(reverse("api-root")).status_code == 200
    created = AuditEvent.objects.get(action="token_created")
    assert created.actor == key_worker and "Monthly report" in created.summary


def test_a_token_never_lives_longer_than_the_maximum(key_worker, settings):
    token, _ = api_token_create(user=key_worker, name="Long", days=10_000, ip=None)
    assert token.expires_at - token.created_at == timedelta(days=settings.API_TOKEN_MAX_DAYS)


def test_token_form_errors_are_plain_words(client, key_worker):
    client.force_login(key_worker)
    page = client.post(reverse("api-tokens"), {"name": "", "days": "12"})
    text = page.content.decode()
    assert "Enter a name for the token" in text
    assert not ApiToken.objects.exists()


def test_an_expired_token_is_refused(key_worker):
    token, secret = api_token_create(user=key_worker, name="Old", days=1, ip=None)
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=timezone.now() - timedelta(days=3), expires_at=timezone.now()
    )
    response = api_with(secret).get(reverse("api-root"))
    assert response.status_code == 401
    assert "expired or been revoked" in response.json()["detail"]


def test_a_revoked_token_is_refused_and_revoking_twice_writes_once(client, key_worker):
    token, secret = api_token_create(user=key_worker, name="Script", days=30, ip=None)
    client.force_login(key_worker)
    revoke = reverse("api-token-revoke", args=[token.pk])
    assert client.post(revoke).status_code == 302
    assert client.post(revoke).status_code == 302
    assert api_with(secret).get(reverse("api-root")).status_code == 401
    assert AuditEvent.objects.filter(action="token_revoked", object_id=str(token.pk)).count() == 1


@pytest.mark.parametrize("change", [{"is_active": False}, {"locked_until": "future"}])
def test_a_token_is_refused_while_its_user_is_inactive_or_locked(key_worker, change):
    _, secret = api_token_create(user=key_worker, name="Script", days=30, ip=None)
    if change.get("locked_until"):
        change = {"locked_until": timezone.now() + timedelta(hours=1)}
    User.objects.filter(pk=key_worker.pk).update(**change)
    assert api_with(secret).get(reverse("api-root")).status_code == 401


def test_token_use_is_audited_once_an_hour(key_worker):
    token, secret = api_token_create(user=key_worker, name="Script", days=30, ip=None)
    client = api_with(secret)
    for _ in range(3):
        assert client.get(reverse("api-root")).status_code == 200
    used = AuditEvent.objects.filter(action="token_used", object_id=str(token.pk))
    assert used.count() == 1 and used.get().ip == "127.0.0.1"
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(hours=2))
    client.get(reverse("api-root"))
    assert used.count() == 2


def test_nobody_revokes_another_users_token(client, key_worker, make_user):
    token, secret = api_token_create(user=key_worker, name="Script", days=30, ip=None)
    stranger = make_user("key_worker", email="stranger@example.test")
    client.force_login(stranger)
    assert client.post(reverse("api-token-revoke", args=[token.pk])).status_code == 404
    assert client.post("/account/api-tokens/99999999999999999999/revoke/").status_code == 404
    assert api_with(secret).get(reverse("api-root")).status_code == 200
    assert "Script" not in client.get(reverse("api-tokens")).content.decode()


def test_token_pages_need_sign_in(client, key_worker):
    token, _ = api_token_create(user=key_worker, name="Script", days=30, ip=None)
    for response in (
        client.get(reverse("api-tokens")),
        client.post(reverse("api-token-revoke", args=[token.pk])),
    ):
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_bad_or_missing_token_is_refused():
    assert api_with("tfc_not-a-real-token").get(reverse("api-root")).status_code == 401
    assert APIClient().get(reverse("api-root")).status_code == 401
