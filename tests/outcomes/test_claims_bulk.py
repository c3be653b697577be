"""Validating many claims and recording many payments at once: the same claims change,
with the same audit rows, as one at a time, in a fixed number of queries."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outcomes.claims import services
from outcomes.claims.models import Claim
from tafcase.audit.models import AuditEvent
from tests.outcomes.conftest import TODAY, active, open_window, run, submitted  # noqa: F401

pytestmark = pytest.mark.django_db


def transitions(claims) -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.filter(
            action=AuditEvent.Action.TRANSITIONED, object_id__in=[str(c.pk) for c in claims]
        )
        .order_by("pk")
        .values_list("object_id", "summary")
    )


def test_validating_many_changes_only_proposed_claims_and_audits_each_in_order(team):
    window = open_window(team)
    run(team, window)
    first, second, third = Claim.objects.filter(window=window).order_by("pk")
    services.claim_reject(actor=team.coordinator, claim=second, reason="Not attached")
    given = [third, second, first]
    with CaptureQueriesContext(connection) as queries:
        done = services.claims_validate(actor=team.coordinator, window=window, claims=given)
    assert done == [third, first]
    assert len(queries) <= 7  # savepoint, window lock, select, update, audit insert, release
    statuses = dict(Claim.objects.filter(window=window).values_list("pk", "status"))
    assert statuses == {first.pk: "validated", second.pk: "rejected", third.pk: "validated"}
    assert Claim.objects.get(pk=first.pk).validated_by == team.coordinator
    validated = [(str(c.pk), f"{c} validated") for c in (third, first)]
    assert transitions([first, third]) == validated
    # Again: nothing is proposed any more, so nothing changes and nothing is audited.
    assert services.claims_validate(actor=team.coordinator, window=window, claims=given) == []
    assert transitions([first, third]) == validated


def test_validating_many_refuses_a_window_past_validation_and_other_windows_claims(team):
    window = open_window(team)
    run(team, window)
    claims = list(Claim.objects.filter(window=window).order_by("pk"))
    services.claims_validate(actor=team.coordinator, window=window, claims=claims)
    services.window_sample_draw(actor=team.coordinator, window=window, seed=1)
    with pytest.raises(ValidationError):
        services.claims_validate(actor=team.coordinator, window=window, claims=claims)
    with pytest.raises(ValidationError):
        services.claims_validate(
            actor=team.coordinator, window=window, claims=[Claim(pk=0, window_id=window.pk + 1)]
        )


def test_recording_many_payments_pays_submitted_claims_once(submitted):  # noqa: F811
    w, window, _ = submitted
    claims = list(Claim.objects.filter(window=window).order_by("pk"))
    done = services.claims_payment_record(
        actor=w.analyst, window=window, claims=claims, paid_on=TODAY
    )
    assert done == claims
    assert set(Claim.objects.filter(window=window).values_list("status", "paid_on")) == {
        ("paid", TODAY)
    }
    paid = [s for _, s in transitions(claims) if s.endswith("paid")]
    assert paid == [f"{c} paid" for c in claims]
    again = services.claims_payment_record(
        actor=w.analyst, window=window, claims=claims, paid_on=TODAY
    )
    assert again == []


def test_recording_payments_needs_a_submitted_window(team):
    window = open_window(team)
    run(team, window)
    claims = list(Claim.objects.filter(window=window))
    with pytest.raises(ValidationError, match="not submitted"):
        services.claims_payment_record(
            actor=team.coordinator, window=window, claims=claims, paid_on=TODAY
        )
    assert not Claim.objects.filter(window=window, status="paid").exists()
