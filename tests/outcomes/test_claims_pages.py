"""The claims pages (outcomes.claims.views): who may see and do what on each page, the
whole journey from opening a window to submission through the pages, bad input, and the
window page's query budget.

# SECURITY: claims name families. The programme team (coordinator, data analyst) of the
# window's authority does everything; the auditor reads and decides the sample; the
# manager sees totals and declares, never names; everyone else gets 404."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from families.models import Family
from outcomes.claims import services
from outcomes.claims.models import Claim, ClaimRun, ClaimWindow, ResultsTarget
from tafcase.accounts.models import Role
from tafcase.audit.models import AuditEvent
from tests.families.conftest import TODAY, World, make_family, world  # noqa: F401
from tests.outcomes.conftest import active, open_window, run, validate_all  # noqa: F401

pytestmark = pytest.mark.django_db


def status(client, user, url, method="get", data=None):
    client.force_login(user)
    return getattr(client, method)(url, data or {}).status_code


def outsiders(w):
    """Users who must not learn a window or claim exists."""
    return (w.other_coordinator, w.elsewhere, w.police, w.school, w.lead, w.other_worker)


# --- who may read what ------------------------------------------------------------------


def test_the_programme_team_and_auditor_read_every_page(client, proposed):
    w, window, claim = proposed
    for user in (w.coordinator, w.analyst, w.auditor):
        for url in (
            reverse("claims:windows"),
            reverse("claims:window", args=[window.pk]),
            reverse("claims:run-progress", args=[window.pk]),
            reverse("claims:claim", args=[claim.pk]),
            reverse("claims:pipeline"),
        ):
            assert status(client, user, url) == 200, (user, url)


def test_the_manager_sees_windows_totals_and_the_pipeline_but_no_claim(client, proposed):
    w, window, claim = proposed
    client.force_login(w.manager)
    assert client.get(reverse("claims:windows")).status_code == 200
    assert client.get(reverse("claims:pipeline")).status_code == 200
    page = client.get(reverse("claims:window", args=[window.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Totals by result" in body
    assert claim.reference not in body and w.family.name not in body
    assert w.family.reference not in body
    assert "page" not in page.context or page.context.get("page") is None
    assert client.get(reverse("claims:claim", args=[claim.pk])).status_code == 404


def test_a_claim_of_another_window_is_reached_only_by_its_authority(client, proposed):
    w, _window, claim = proposed
    for user in (*outsiders(w), w.manager):
        assert status(client, user, reverse("claims:claim", args=[claim.pk])) == 404, user


def test_outsiders_get_404_on_every_page(client, proposed):
    w, window, claim = proposed
    urls = [
        reverse("claims:window", args=[window.pk]),
        reverse("claims:run-progress", args=[window.pk]),
        reverse("claims:claim", args=[claim.pk]),
    ]
    for user in outsiders(w):
        for url in urls:
            assert status(client, user, url) == 404, (user, url)
    lists = [reverse("claims:windows"), reverse("claims:pipeline")]
    for user in (w.police, w.school, w.lead, w.other_worker):
        for url in lists:
            assert status(client, user, url) == 404, (user, url)


def test_another_authoritys_coordinator_sees_only_their_own_windows_and_pipeline(client, proposed):
    w, window, _claim = proposed
    client.force_login(w.other_coordinator)
    listing = client.get(reverse("claims:windows"))
    assert listing.status_code == 200 and listing.context["windows"] == []
    assert reverse("claims:window", args=[window.pk]) not in listing.content.decode()
    pipeline = client.get(reverse("claims:pipeline")).context["pipeline"]
    assert pipeline.attached == 0 and pipeline.validated == 0


def test_anonymous_users_are_sent_to_sign_in(client, proposed):
    _w, window, claim = proposed
    for url, method in [
        (reverse("claims:windows"), "get"),
        (reverse("claims:windows"), "post"),
        (reverse("claims:pipeline"), "get"),
        (reverse("claims:window", args=[window.pk]), "get"),
        (reverse("claims:run-progress", args=[window.pk]), "get"),
        (reverse("claims:run", args=[window.pk]), "post"),
        (reverse("claims:declare", args=[window.pk]), "post"),
        (reverse("claims:claim", args=[claim.pk]), "get"),
        (reverse("claims:claim-audit", args=[claim.pk]), "post"),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/sign-in/" in response["Location"], url


# --- who may do what --------------------------------------------------------------------


def window_posts(window):
    return [
        reverse("claims:run", args=[window.pk]),
        reverse("claims:validate-all", args=[window.pk]),
        reverse("claims:sample", args=[window.pk]),
        reverse("claims:submit", args=[window.pk]),
    ]


def claim_posts(claim):
    return [
        (reverse("claims:claim-validate", args=[claim.pk]), {}),
        (reverse("claims:claim-reject", args=[claim.pk]), {"reason": "No"}),
        (reverse("claims:claim-payment", args=[claim.pk]), {"paid_on": TODAY.isoformat()}),
        (reverse("claims:claim-spot-check", args=[claim.pk]), {"reason": "No"}),
        (reverse("claims:claim-adjust", args=[claim.pk]), {"amount": -10, "reason": "No"}),
    ]


def test_the_auditor_and_manager_get_403_running_a_window(client, proposed):
    w, window, claim = proposed
    for user in (w.auditor, w.manager):
        assert status(client, user, reverse("claims:windows"), "post", {"name": "X"}) == 403
        for url in window_posts(window):
            assert status(client, user, url, "post") == 403, (user, url)
    for url, data in claim_posts(claim):
        assert status(client, w.auditor, url, "post", data) == 403, url
        assert status(client, w.manager, url, "post", data) == 404, url
    assert Claim.objects.filter(window=window, status="proposed").count() == 3
    assert not ClaimRun.objects.filter(window=window, status="queued").exists()


def test_only_the_manager_declares(client, proposed):
    w, window, _claim = proposed
    url = reverse("claims:declare", args=[window.pk])
    for user in (w.coordinator, w.analyst, w.auditor):
        assert status(client, user, url, "post") == 403, user
    for user in outsiders(w):
        assert status(client, user, url, "post") == 404, user


def test_only_the_auditor_decides_the_sample(client, proposed):
    w, _window, claim = proposed
    url = reverse("claims:claim-audit", args=[claim.pk])
    data = {"decision": "pass", "note": ""}
    for user in (w.coordinator, w.analyst):
        assert status(client, user, url, "post", data) == 403, user
    for user in (*outsiders(w), w.manager):
        assert status(client, user, url, "post", data) == 404, user


def test_outsiders_get_404_on_every_post(client, proposed):
    w, window, claim = proposed
    for user in outsiders(w):
        for url in window_posts(window):
            assert status(client, user, url, "post") == 404, (user, url)
        for url, data in claim_posts(claim):
            assert status(client, user, url, "post", data) == 404, (user, url)
    for user in (w.police, w.school, w.lead, w.other_worker):
        assert status(client, user, reverse("claims:windows"), "post", {"name": "X"}) == 404


def test_the_analyst_validates_and_rejects(client, proposed):
    w, _window, claim = proposed
    client.force_login(w.analyst)
    client.post(reverse("claims:claim-validate", args=[claim.pk]))
    claim.refresh_from_db()
    assert claim.status == Claim.Status.VALIDATED and claim.validated_by == w.analyst
    response = client.post(reverse("claims:claim-reject", args=[claim.pk]), {"reason": " "})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    client.post(reverse("claims:claim-reject", args=[claim.pk]), {"reason": "Moved away"})
    claim.refresh_from_db()
    assert claim.status == Claim.Status.REJECTED and claim.rejection_reason == "Moved away"


# --- the journey ----------------------------------------------------------------------


def test_a_window_goes_from_opening_to_submission_through_the_pages(client, people):
    w = people
    client.force_login(w.coordinator)
    response = client.post(
        reverse("claims:windows"),
        {
            "name": "Quarter 3",
            "cutoff_date": TODAY.isoformat(),
            "deadline": (TODAY + timedelta(days=30)).isoformat(),
            "sample_percent": "10",
        },
    )
    window = ClaimWindow.objects.get(name="Quarter 3")
    assert response.status_code == 302 and response["Location"] == reverse(
        "claims:window", args=[window.pk]
    )
    client.post(reverse("claims:run", args=[window.pk]))
    claim_run = ClaimRun.objects.get(window=window)
    assert claim_run.status == ClaimRun.Status.QUEUED
    page = client.get(reverse("claims:window", args=[window.pk])).content.decode()
    assert 'id="progress"' in page and "Check progress again" in page
    assert "run-progress.js" in page and 'http-equiv="refresh"' not in page
    progress = client.get(reverse("claims:run-progress", args=[window.pk])).json()
    assert progress["status"] == "queued" and progress["percent"] == 0
    services.claim_run_execute(run_id=claim_run.pk)  # what the worker does
    progress = client.get(reverse("claims:run-progress", args=[window.pk])).json()
    assert progress["status"] == "succeeded" and progress["percent"] == 100
    page = client.get(reverse("claims:window", args=[window.pk])).content.decode()
    assert "Validate all 3 proposed claims" in page and 'id="progress"' not in page

    client.post(reverse("claims:validate-all", args=[window.pk]))
    assert set(Claim.objects.filter(window=window).values_list("status", flat=True)) == {
        "validated"
    }
    client.post(reverse("claims:sample", args=[window.pk]))
    window.refresh_from_db()
    assert window.stage == ClaimWindow.Stage.SAMPLED
    sampled = list(Claim.objects.filter(window=window, sampled=True))
    assert sampled

    client.force_login(w.auditor)
    listing = client.get(reverse("claims:window", args=[window.pk]) + "?only=sampled")
    assert [c.pk for c in listing.context["page"]] == [c.pk for c in sampled]
    for claim in sampled:
        page = client.get(reverse("claims:claim", args=[claim.pk])).content.decode()
        assert "Audit decision" in page
        client.post(
            reverse("claims:claim-audit", args=[claim.pk]),
            {"decision": "pass", "note": "Evidence checked"},
        )
    assert {c.status for c in Claim.objects.filter(pk__in=[c.pk for c in sampled])} == {
        "audit_passed"
    }

    client.force_login(w.manager)
    page = client.get(reverse("claims:window", args=[window.pk])).content.decode()
    assert "Declare these totals" in page and "£3,000" in page
    client.post(reverse("claims:declare", args=[window.pk]))
    window.refresh_from_db()
    assert window.stage == ClaimWindow.Stage.DECLARED and window.declared_by == w.manager

    client.force_login(w.coordinator)
    client.post(reverse("claims:submit", args=[window.pk]))
    window.refresh_from_db()
    assert window.stage == ClaimWindow.Stage.SUBMITTED
    assert set(Claim.objects.filter(window=window).values_list("status", flat=True)) == {
        "submitted"
    }


def test_a_service_refusal_is_shown_not_raised(client, proposed):
    w, window, _claim = proposed
    client.force_login(w.coordinator)
    response = client.post(reverse("claims:sample", args=[window.pk]), follow=True)
    assert response.status_code == 200
    assert "Validate or reject every proposed claim" in response.content.decode()
    client.force_login(w.manager)
    response = client.post(reverse("claims:declare", args=[window.pk]), follow=True)
    assert "Draw the audit sample before the declaration" in response.content.decode()


def test_the_auditor_sees_why_they_cannot_audit_a_claim_they_validated(client, people, make_user):
    w = people
    both = make_user(
        Role.COORDINATOR, Role.AUDITOR, agency=w.agencies["early_help"], email="x@example.test"
    )
    window = open_window(w)
    run(w, window)
    for claim in Claim.objects.filter(window=window):
        services.claim_validate(actor=both, claim=claim)
    [sampled] = services.window_sample_draw(actor=w.coordinator, window=window, seed=1)
    client.force_login(both)
    response = client.post(
        reverse("claims:claim-audit", args=[sampled]), {"decision": "pass", "note": ""}
    )
    assert response.status_code == 200
    assert "someone else must audit it" in response.content.decode()
    assert Claim.objects.get(pk=sampled).status == Claim.Status.VALIDATED


def test_after_submission_payment_spot_check_and_adjustment_are_recorded(client, submitted):
    w, window, claim = submitted
    client.force_login(w.coordinator)
    page = client.get(reverse("claims:claim", args=[claim.pk])).content.decode()
    assert "Record payment" in page and "first open a new claim window" in page
    client.post(reverse("claims:claim-payment", args=[claim.pk]), {"paid_on": TODAY.isoformat()})
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID and claim.paid_on == TODAY
    later = open_window(w, name="Quarter 4")
    client.post(
        reverse("claims:claim-adjust", args=[claim.pk]),
        {"amount": "-1000", "reason": "Family moved before attachment", "window": later.pk},
    )
    adjustment = Claim.objects.get(adjustment_of=claim)
    assert adjustment.window == later and adjustment.amount == -1000
    other = Claim.objects.filter(window=window).exclude(pk=claim.pk).first()
    client.post(reverse("claims:claim-spot-check", args=[other.pk]), {"reason": "No evidence"})
    other.refresh_from_db()
    assert other.status == Claim.Status.SPOT_CHECK_REJECTED
    page = client.get(reverse("claims:claim", args=[claim.pk])).content.decode()
    assert adjustment.reference in page and TODAY.strftime("%-d %B %Y") in page


def test_an_adjustment_cannot_target_another_authoritys_window(client, submitted):
    w, _window, claim = submitted
    elsewhere = ClaimWindow.objects.create(
        local_authority=w.other_coordinator.agency.local_authority,
        framework_code=claim.framework_code,
        name="Elsewhere",
        cutoff_date=TODAY,
        deadline=TODAY,
        created_by=w.other_coordinator,
    )
    client.force_login(w.coordinator)
    response = client.post(
        reverse("claims:claim-adjust", args=[claim.pk]),
        {"amount": "-10", "reason": "No", "window": elsewhere.pk},
    )
    assert response.status_code == 200  # not a choice on the form
    assert not Claim.objects.filter(adjustment_of=claim).exists()


# --- bad input ------------------------------------------------------------------------


def test_bad_dates_are_form_errors(client, people):
    client.force_login(people.coordinator)
    for cutoff, deadline in [
        ("2026-02-30", "2026-03-01"),
        ("not a date", ""),
        ("99999-01-01", "2026-01-01"),
        (TODAY.isoformat(), (TODAY - timedelta(days=1)).isoformat()),
    ]:
        response = client.post(
            reverse("claims:windows"),
            {"name": "Q", "cutoff_date": cutoff, "deadline": deadline, "sample_percent": "10"},
        )
        assert response.status_code == 200, (cutoff, deadline)
        assert "There is a problem" in response.content.decode()
    assert not ClaimWindow.objects.exists()
    response = client.post(
        reverse("claims:windows"),
        {"name": "Q", "cutoff_date": TODAY, "deadline": TODAY, "sample_percent": "1000"},
    )
    assert response.status_code == 200 and not ClaimWindow.objects.exists()


def test_a_second_open_window_is_a_form_error(client, proposed):
    w, _window, _claim = proposed
    client.force_login(w.coordinator)
    response = client.post(
        reverse("claims:windows"),
        {"name": "Q", "cutoff_date": TODAY, "deadline": TODAY, "sample_percent": "10"},
    )
    assert response.status_code == 200
    assert "already has an open claim window" in response.content.decode()


def test_bad_ids_are_404(client, proposed):
    w, _window, _claim = proposed
    client.force_login(w.coordinator)
    for url in (
        "/claims/abc/",
        "/claims/claim/abc/",
        "/claims/0/",
        "/claims/99999999999999999999999/",
        "/claims/claim/99999999999999999999999/",
        "/claims/9223372036854775808/progress.json",
        "/claims/999999/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post("/claims/99999999999999999999999/run/").status_code == 404
    assert client.post("/claims/claim/99999999999999999999/audit/").status_code == 404


def test_bad_filters_and_pages_show_the_table(client, proposed):
    w, window, _claim = proposed
    client.force_login(w.coordinator)
    url = reverse("claims:window", args=[window.pk])
    for query in ("?status=bogus", "?only=<script>", "?page=99999", "?page=abc"):
        assert client.get(url + query).status_code == 200, query
    assert len(client.get(url + "?status=proposed").context["page"]) == 3
    assert len(client.get(url + "?status=validated").context["page"]) == 0


def test_an_adjustment_to_a_bad_window_id_is_a_form_error(client, submitted):
    w, _window, claim = submitted
    client.force_login(w.coordinator)
    for value in ("abc", "99999999999999999999999", ""):
        response = client.post(
            reverse("claims:claim-adjust", args=[claim.pk]),
            {"amount": "-10", "reason": "No", "window": value},
        )
        assert response.status_code == 200, value
    assert not Claim.objects.filter(adjustment_of__isnull=False).exists()


# --- audit and query budget -----------------------------------------------------------


def test_reads_are_audited_with_the_families_shown(client, proposed):
    w, window, claim = proposed
    client.force_login(w.coordinator)
    client.get(reverse("claims:window", args=[window.pk]))
    event = AuditEvent.objects.filter(
        action="viewed", object_type="outcomes.claimwindow", object_id=str(window.pk)
    ).get()
    assert set(event.family_ids) == set(
        Claim.objects.filter(window=window).values_list("family_id", flat=True)
    )
    client.get(reverse("claims:claim", args=[claim.pk]))
    assert AuditEvent.objects.filter(
        action="viewed", object_type="outcomes.claim", family_id=claim.family_id
    ).exists()
    client.force_login(w.manager)
    client.get(reverse("claims:window", args=[window.pk]))
    manager_view = AuditEvent.objects.filter(actor=w.manager, object_type="outcomes.claimwindow")
    assert manager_view.get().family_ids == []
    client.get(reverse("claims:windows"))
    client.get(reverse("claims:pipeline"))
    assert AuditEvent.objects.filter(actor=w.manager, summary="Listed claims pipeline").exists()


def _window_page_queries(client, user, window) -> int:
    client.force_login(user)
    url = reverse("claims:window", args=[window.pk])
    client.get(url)  # a session's first request also checks two-factor, once
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_window_page_costs_the_same_for_one_claim_and_twenty_two(client, people, make_family):  # noqa: F811
    w = people
    window = open_window(w)
    run(w, window)
    Claim.objects.filter(window=window).exclude(family=w.family).delete()
    one = _window_page_queries(client, w.coordinator, window)
    for n in range(19):
        family = make_family(w.coordinator, n_members=0, name=f"More {n}")
        Family.objects.filter(pk=family.pk).update(programme_start=TODAY - timedelta(days=30))
    run(w, window)
    assert Claim.objects.filter(window=window).count() == 20 + 2
    twenty_two = _window_page_queries(client, w.coordinator, window)
    assert one == twenty_two


# --- the family page, home and navigation -----------------------------------------------


def test_the_family_page_shows_results_to_the_familys_workers_and_programme_team(client, people):
    w = people
    services.results_refresh(authority=w.family.local_authority)
    url = reverse("families:detail", args=[w.family.pk])
    for user in (w.lead, w.coordinator, w.analyst, w.auditor):
        client.force_login(user)
        page = client.get(url)
        assert page.status_code == 200
        assert 'id="results"' in page.content.decode(), user
        assert page.context["family_results"], user
    for user in (w.police, w.elsewhere):  # TAF partners see the family, not its results
        client.force_login(user)
        page = client.get(url)
        assert page.status_code == 200 and 'id="results"' not in page.content.decode(), user
    assert status(client, w.other_worker, url) == 404


def test_home_and_navigation_link_to_claims_for_the_roles_that_use_them(client, people):
    w = people
    for user in (w.coordinator, w.analyst, w.auditor, w.manager):
        client.force_login(user)
        page = client.get(reverse("home")).content.decode()
        assert f'href="{reverse("claims:windows")}"' in page, user
        assert "will appear here." not in page.split("Claim windows")[-1][:200]
    for user in (w.lead, w.police):
        client.force_login(user)
        assert (
            f'href="{reverse("claims:windows")}"'
            not in client.get(reverse("home")).content.decode()
        )


# --- the pipeline's target --------------------------------------------------------------


def test_the_coordinator_sets_the_target_and_the_pipeline_reads_against_it(client, submitted):
    w, _window, claim = submitted
    # One of the submitted claims is a results payment; attachment fees do not count.
    Claim.objects.filter(pk=claim.pk).update(result_code="sustained_progress")
    client.force_login(w.coordinator)
    page = client.get(reverse("claims:pipeline"))
    assert "No target has been set" in page.content.decode()
    assert page.context["pipeline"].results_claimed == 1
    response = client.post(reverse("claims:pipeline"), {"target": "4"})
    assert response.status_code == 302
    target = ResultsTarget.objects.get(local_authority=w.family.local_authority)
    assert target.target == 4 and target.set_by == w.coordinator
    pipeline = client.get(reverse("claims:pipeline")).context["pipeline"]
    assert (pipeline.target, pipeline.target_percent, pipeline.still_needed) == (4, 25, 3)
    assert "1 of 4" in client.get(reverse("claims:pipeline")).content.decode()
    client.post(reverse("claims:pipeline"), {"target": "4"})  # unchanged: written once
    client.post(reverse("claims:pipeline"), {"target": "8"})
    summaries = list(
        AuditEvent.objects.filter(object_type="outcomes.resultstarget")
        .order_by("pk")
        .values_list("summary", flat=True)
    )
    assert summaries == ["Results target set to 4", "Results target set to 8 (was 4)"]


@pytest.mark.parametrize("target", ["", "0", "-3", "2.5", "ten", "10000000000000000000000"])
def test_a_target_that_is_not_a_whole_number_is_a_form_error(client, proposed, target):
    w, _window, _claim = proposed
    client.force_login(w.coordinator)
    response = client.post(reverse("claims:pipeline"), {"target": target})
    assert response.status_code == 200 and response.context["form"].errors
    assert "There is a problem" in response.content.decode()
    assert not ResultsTarget.objects.exists()


def test_only_the_programme_team_sets_the_target(client, proposed):
    w, _window, _claim = proposed
    for user in (w.manager, w.auditor):
        assert status(client, user, reverse("claims:pipeline"), "post", {"target": "5"}) == 403
        assert "Set the target" not in client.get(reverse("claims:pipeline")).content.decode()
    for user in (w.police, w.school, w.lead, w.other_worker):
        assert status(client, user, reverse("claims:pipeline"), "post", {"target": "5"}) == 404
    client.logout()
    response = client.post(reverse("claims:pipeline"), {"target": "5"})
    assert response.status_code == 302 and "/sign-in/" in response["Location"]
    assert not ResultsTarget.objects.exists()


def test_another_authoritys_target_is_not_shown(client, proposed, other_authority):
    w, _window, _claim = proposed
    services.results_target_set(actor=w.coordinator, authority=w.family.local_authority, target=9)
    client.force_login(w.other_coordinator)
    assert client.get(reverse("claims:pipeline")).context["pipeline"].target is None
    client.post(reverse("claims:pipeline"), {"target": "3"})  # sets their own authority's
    assert dict(ResultsTarget.objects.values_list("local_authority_id", "target")) == {
        w.family.local_authority_id: 9,
        other_authority.pk: 3,
    }


def test_the_adjustment_form_sent_twice_records_one_adjustment(client, submitted):
    w, _window, claim = submitted
    later = open_window(w, name="Quarter 4")
    client.force_login(w.coordinator)
    page = client.get(reverse("claims:claim", args=[claim.pk]))
    key = page.context["adjust_form"]["idempotency_key"].value()
    assert key and f'value="{key}"' in page.content.decode()
    form = {"amount": "-500", "reason": "Moved away", "window": later.pk, "idempotency_key": key}
    for _ in range(2):  # a double click
        assert client.post(reverse("claims:claim-adjust", args=[claim.pk]), form).status_code == 302
    assert Claim.objects.filter(adjustment_of=claim).count() == 1
