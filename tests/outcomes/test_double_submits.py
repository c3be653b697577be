"""Casework sent twice (a double click, a retry, two at once) is written once: creates
claim an idempotency key, approvals and sign-offs are conditional updates, and two
assessment starts at once make one assessment."""

import contextlib
import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from outcomes import services
from outcomes.models import Assessment, BudgetItem, Goal, Review
from tafcase.accounts.models import Role
from tafcase.audit.models import AuditEvent
from tafcase.drf import exception_handler
from tests.concurrency import run_together
from tests.outcomes.conftest import TODAY


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def spend(world, amount: str = "300") -> BudgetItem:
    return services.spend_record(
        actor=world.lead,
        family=world.family,
        spent_on=TODAY,
        purpose="Uniform",
        amount=Decimal(amount),
    )


def approvals(item: BudgetItem) -> int:
    return AuditEvent.objects.filter(
        object_type="outcomes.budgetitem", object_id=str(item.pk), summary__startswith="Approved"
    ).count()


# --- creates --------------------------------------------------------------------------


@pytest.mark.django_db
def test_budget_item_double_submit_makes_one(client, active):
    url = reverse("outcomes:budget", args=[active.family.pk])
    client.force_login(active.lead)
    form = {
        "spent_on": TODAY.isoformat(),
        "purpose": "Bus pass",
        "amount": "20",
        "idempotency_key": "one-click",
    }
    first = client.post(url, form)
    again = client.post(url, form)
    assert first.status_code == again.status_code == 302
    assert BudgetItem.objects.filter(family=active.family).count() == 1
    created = AuditEvent.objects.filter(object_type="outcomes.budgetitem", action="created")
    assert created.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_budget_items_with_one_key_make_one(active):
    url = reverse("outcomes-api:budget-item-list")
    body = {"family": active.family.pk, "spent_on": TODAY.isoformat(), "purpose": "Bus pass"}
    body["amount"] = "20.00"
    key = {"Idempotency-Key": "retried-spend"}
    first, second = run_together(
        lambda: api_as(active.lead).post(url, body, format="json", headers=key),
        lambda: api_as(active.lead).post(url, body, format="json", headers=key),
    )
    assert first.status_code == second.status_code == 201, (first.data, second.data)
    assert first.data == second.data
    assert BudgetItem.objects.count() == 1


@pytest.mark.django_db
def test_goal_form_sent_twice_makes_one_goal(client, active):
    url = reverse("outcomes:goal-add", args=[active.family.pk])
    client.force_login(active.lead)
    form = {"title": "School", "criterion": "education", "target": "95%", "idempotency_key": "g"}
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302
    assert Goal.objects.filter(family=active.family).count() == 1


@pytest.mark.django_db
def test_review_sent_twice_via_api_makes_one_review_and_one_rescoring(active):
    url = reverse("outcomes-api:review-list")
    body = {"family": active.family.pk, "held_on": TODAY.isoformat(), "decisions": "Carry on"}
    body["rescore"] = True
    api = api_as(active.lead)
    first = api.post(url, body, format="json", headers={"Idempotency-Key": "review-1"})
    again = api.post(url, body, format="json", headers={"Idempotency-Key": "review-1"})
    assert first.status_code == again.status_code == 201
    assert first.data["id"] == again.data["id"]
    assert Review.objects.count() == 1 and Assessment.objects.count() == 1


@pytest.mark.django_db
def test_a_key_sent_again_for_another_kind_of_record_is_a_409(active):
    api = api_as(active.lead)
    key = {"Idempotency-Key": "reused"}
    spent = {"family": active.family.pk, "spent_on": TODAY.isoformat(), "purpose": "Bus"}
    spent["amount"] = "20.00"
    goal = {"family": active.family.pk, "title": "School", "criterion": "education"}
    goal["target"] = "95%"
    assert api.post(reverse("outcomes-api:budget-item-list"), spent, headers=key).status_code == 201
    response = api.post(reverse("outcomes-api:goal-list"), goal, format="json", headers=key)
    assert response.status_code == 409
    assert not Goal.objects.exists()


@pytest.mark.django_db
def test_casework_forms_render_a_hidden_idempotency_key(client, active):
    goal = services.goal_add(
        actor=active.lead, family=active.family, title="School", criterion="", target="95%"
    )
    client.force_login(active.lead)
    f = active.family.pk
    for url in (
        reverse("outcomes:budget", args=[f]),
        reverse("outcomes:goal-add", args=[f]),
        reverse("outcomes:action-add", args=[f, goal.pk]),
        reverse("outcomes:review-add", args=[f]),
        reverse("families:note-add", args=[f]),
    ):
        page = client.get(url).content.decode()
        assert 'type="hidden" name="idempotency_key"' in page, url


# --- approvals and sign-offs ----------------------------------------------------------


@pytest.mark.django_db
def test_second_approval_is_a_no_op_with_one_audit_row(client, active):
    item = spend(active)
    url = reverse("outcomes:spend-approve", args=[active.family.pk, item.pk])
    client.force_login(active.coordinator)
    assert client.post(url).status_code == 302
    first = BudgetItem.objects.get(pk=item.pk).approved_at
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert BudgetItem.objects.get(pk=item.pk).approved_at == first
    assert approvals(item) == 1
    api = reverse("outcomes-api:budget-item-approve", args=[item.pk])
    again = api_as(active.coordinator).post(api)
    assert again.status_code == 200 and again.data["approved_by"] == active.coordinator.pk
    assert approvals(item) == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_write_one_audit_row(active, make_user):
    second_coordinator = make_user(
        Role.COORDINATOR, agency=active.coordinator.agency, email="coord2@example.test"
    )
    item = spend(active)
    url = reverse("outcomes-api:budget-item-approve", args=[item.pk])
    first, second = run_together(
        lambda: api_as(active.coordinator).post(url),
        lambda: api_as(second_coordinator).post(url),
    )
    assert first.status_code == second.status_code == 200, (first.data, second.data)
    assert first.data["approved_by"] == second.data["approved_by"]
    assert approvals(item) == 1


@pytest.mark.django_db
def test_closure_signed_off_twice_is_audited_once(active):
    closure = services.case_close(
        actor=active.lead,
        family=active.family,
        closed_on=TODAY,
        reason="outcomes_met",
        exit_plan="School keeps an eye.",
    )
    services.closure_sign_off(actor=active.coordinator, closure=closure)
    again = services.closure_sign_off(actor=active.coordinator, closure=closure)
    assert again.signed_off_by == active.coordinator
    assert (
        AuditEvent.objects.filter(
            object_type="outcomes.closure", summary="Closure signed off"
        ).count()
        == 1
    )


# --- assessment start -----------------------------------------------------------------


@pytest.fixture
def starts_meet_before_insert(monkeypatch):
    """Both starts read the family's assessments before either inserts: the race the
    unique index settles, made certain rather than left to thread timing."""
    meet = threading.Barrier(2)
    create = Assessment.objects.create

    def create_after_both_read(**fields):
        with contextlib.suppress(threading.BrokenBarrierError):
            meet.wait(timeout=2)
        return create(**fields)

    monkeypatch.setattr(Assessment.objects, "create", create_after_both_read)


@pytest.mark.django_db(transaction=True)
def test_concurrent_start_assessment_answers_the_existing_assessment_never_500(
    active, starts_meet_before_insert
):
    url = reverse("outcomes-api:assessment-list")
    body = {"family": active.family.pk}
    first, second = run_together(
        lambda: api_as(active.lead).post(url, body, format="json"),
        lambda: api_as(active.lead).post(url, body, format="json"),
    )
    assert first.status_code == second.status_code == 201, (first, second)
    baseline = Assessment.objects.get()
    assert first.data["id"] == second.data["id"] == baseline.pk
    assert AuditEvent.objects.filter(object_type="outcomes.assessment").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_start_assessment_on_pages_lands_both_on_one_assessment(
    active, starts_meet_before_insert
):
    url = reverse("outcomes:assessment-start", args=[active.family.pk])

    def press():
        browser = Client()
        browser.force_login(active.lead)
        return browser.post(url)

    first, second = run_together(press, press)
    baseline = Assessment.objects.get()
    done = reverse("outcomes:assessment", args=[active.family.pk, baseline.pk])
    assert first.status_code == second.status_code == 302, (first, second)
    assert first.url == second.url == done


@pytest.mark.django_db
def test_a_unique_race_left_to_the_api_answers_409(active):
    baseline = services.assessment_start(actor=active.lead, family=active.family)
    with pytest.raises(IntegrityError) as raced, transaction.atomic():
        Assessment.objects.create(
            family=active.family, occasion=baseline.occasion, created_by=active.lead
        )
    response = exception_handler(raced.value, {})
    assert response is not None and response.status_code == 409
