"""Consent withdrawn twice, a TAF involvement ended twice, a note sent twice: written once."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from families import services
from families.models import CaseNote, Consent
from tafcase.audit.models import AuditEvent
from tafcase.idempotency.models import IdempotencyKey
from tafcase.idempotency.services import idempotency_keys_purge
from tests.concurrency import run_together
from tests.families.conftest import TODAY


def withdrawals(consent: Consent) -> int:
    return AuditEvent.objects.filter(
        object_type="families.consent", object_id=str(consent.pk), action="updated"
    ).count()


@pytest.mark.django_db
def test_consent_withdrawal_twice_writes_one_row(client, world):
    url = reverse("families:consent-withdraw", args=[world.family.pk, world.consent.pk])
    client.force_login(world.lead)
    first = client.post(url, {"on": TODAY.isoformat()})
    again = client.post(url, {"on": TODAY.isoformat()})
    assert first.status_code == again.status_code == 302
    world.consent.refresh_from_db()
    assert world.consent.withdrawn_on == TODAY
    assert withdrawals(world.consent) == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_consent_withdrawals_write_one_row(world):
    def withdraw():
        return services.consent_withdraw(
            actor=world.lead, consent=Consent.objects.get(pk=world.consent.pk), withdrawn_on=TODAY
        )

    first, second = run_together(withdraw, withdraw)
    assert isinstance(first, Consent) and isinstance(second, Consent), (first, second)
    assert first.withdrawn_on == second.withdrawn_on == TODAY
    assert withdrawals(world.consent) == 1


@pytest.mark.django_db
def test_withdrawing_again_on_another_date_is_a_409_and_changes_nothing(world):
    earlier = TODAY - timedelta(days=2)
    Consent.objects.filter(pk=world.consent.pk).update(given_on=TODAY - timedelta(days=10))
    world.consent.refresh_from_db()
    services.consent_withdraw(actor=world.lead, consent=world.consent, withdrawn_on=earlier)
    api = APIClient()
    api.force_authenticate(world.lead)
    url = reverse("api:consent-withdraw", args=[world.consent.pk])
    same = api.post(url, {"on": earlier.isoformat()}, format="json")
    assert same.status_code == 200 and same.data["withdrawn_on"] == earlier.isoformat()
    other = api.post(url, {"on": TODAY.isoformat()}, format="json")
    assert other.status_code == 409
    assert "already withdrawn" in other.data["detail"]
    world.consent.refresh_from_db()
    assert world.consent.withdrawn_on == earlier
    assert withdrawals(world.consent) == 1


@pytest.mark.django_db
def test_ending_an_involvement_twice_is_audited_once(world):
    involvement = world.involvement
    services.involvement_end(actor=world.lead, involvement=involvement, ended_on=TODAY)
    services.involvement_end(actor=world.lead, involvement=involvement, ended_on=TODAY)
    ended = AuditEvent.objects.filter(
        object_type="families.involvement", object_id=str(involvement.pk), action="updated"
    )
    assert ended.count() == 1


@pytest.mark.django_db
def test_note_form_sent_twice_makes_one_note(client, world):
    url = reverse("families:note-add", args=[world.family.pk])
    client.force_login(world.lead)
    form = {
        "contact_type": CaseNote.ContactType.choices[0][0],
        "contact_date": TODAY.isoformat(),
        "text": "Home visit",
        "confidentiality": CaseNote.Confidentiality.NORMAL,
        "idempotency_key": "note-once",
    }
    before = CaseNote.objects.count()
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302
    assert CaseNote.objects.count() == before + 1


@pytest.mark.django_db
def test_expired_keys_are_purged_and_free_again(client, world, settings):
    url = reverse("families:note-add", args=[world.family.pk])
    client.force_login(world.lead)
    form = {
        "contact_type": CaseNote.ContactType.choices[0][0],
        "contact_date": TODAY.isoformat(),
        "text": "Phone call",
        "confidentiality": CaseNote.Confidentiality.NORMAL,
        "idempotency_key": "old-key",
    }
    client.post(url, form)
    before = CaseNote.objects.count()
    long_ago = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS + 1)
    IdempotencyKey.objects.update(created_at=long_ago)
    client.post(url, form)
    assert CaseNote.objects.count() == before + 1
    IdempotencyKey.objects.update(created_at=long_ago)
    assert idempotency_keys_purge() == 1
    assert not IdempotencyKey.objects.exists()
