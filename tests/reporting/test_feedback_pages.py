"""The feedback and quality-sample pages: who reaches each (allowed; another authority's
user and another agency's user who cannot see the family, 404; signed out, the sign-in
page; read-only roles sending a change, 403), what bad input does (a form error or 404,
never a write), and that the hand-over page shows nothing of the case."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from families.models import Family
from reporting.feedback import services
from reporting.feedback.models import (
    FamilyFeedback,
    FeedbackHandover,
    KeyPlayerFeedback,
    QualitySample,
    QualitySampleCase,
)
from reporting.rules import Period
from tafcase.accounts.models import Role
from tafcase.audit.models import AuditEvent

# The feedback tests build on the outcomes `team` (the families world), which
# replaces the returns tests' own `team` from tests/reporting/conftest.py here.
from tests.families.conftest import make_family, world  # noqa: F401
from tests.outcomes.conftest import active, team  # noqa: F401
from tests.reporting.feedback_fixtures import (
    ANSWERS,
    KEY_PLAYER_ANSWERS,
    TODAY,
    answer,
    closed_families,
    fb,  # noqa: F401
    hand_over,
)

pytestmark = pytest.mark.django_db

SIGN_IN = "/account/sign-in/"


def as_user(client, user):
    client.force_login(user)
    return client


def goes_to_sign_in(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(SIGN_IN)


# --- starting family feedback ----------------------------------------------------------


def start_url(fb):
    return reverse("reporting:feedback:start", args=[fb.w.family.pk])


@pytest.mark.parametrize("who", ["lead", "coordinator"])
def test_the_familys_workers_open_the_feedback_start_page(client, fb, who):
    response = as_user(client, getattr(fb.w, who)).get(start_url(fb))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Hand over the device" in page and f"The review on {TODAY:%-d %B %Y}" in page
    assert AuditEvent.objects.filter(
        actor=getattr(fb.w, who), action="viewed", family_id=fb.w.family.pk
    ).exists()


@pytest.mark.parametrize("who", ["other_coordinator", "school"])
def test_users_who_cannot_see_the_family_get_404_and_start_nothing(client, fb, who):
    c = as_user(client, getattr(fb.w, who))
    assert c.get(start_url(fb)).status_code == 404
    assert c.post(start_url(fb), {"occasion": "review"}).status_code == 404
    assert not FeedbackHandover.objects.exists()


@pytest.mark.parametrize("who", ["auditor", "police", "panel_member", "elsewhere"])
def test_users_who_see_the_family_but_may_not_change_it_get_403(client, fb, who):
    c = as_user(client, getattr(fb.w, who))
    assert c.get(start_url(fb)).status_code == 403
    assert c.post(start_url(fb), {"occasion": "review"}).status_code == 403
    assert not FeedbackHandover.objects.exists()


def test_signed_out_the_start_page_goes_to_sign_in(client, fb):
    assert goes_to_sign_in(client.get(start_url(fb)))
    assert goes_to_sign_in(client.post(start_url(fb), {"occasion": "review"}))
    assert not FeedbackHandover.objects.exists()


def test_handing_over_signs_the_worker_out_and_opens_the_questionnaire(client, fb):
    c = as_user(client, fb.w.lead)
    response = c.post(start_url(fb), {"occasion": f"review-{fb.review.pk}"})
    assert response.status_code == 302
    assert re.fullmatch(r"/reports/feedback/answer/[A-Za-z0-9_-]{43}/", response["Location"])
    handover = FeedbackHandover.objects.get()
    assert (handover.review, handover.occasion, handover.started_by) == (
        fb.review,
        "review",
        fb.w.lead,
    )
    # Signed out: the case is one sign-in away, whatever the family types or presses.
    family_page = reverse("families:detail", args=[fb.w.family.pk])
    assert goes_to_sign_in(c.get(family_page))
    assert goes_to_sign_in(c.get(start_url(fb)))
    assert c.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(
    "occasion",
    ["", "sometime", "review-abc", "closure-1", "review-99999999999999999999999"],
)
def test_a_bad_occasion_is_a_form_error_and_starts_nothing(client, fb, occasion):
    response = as_user(client, fb.w.lead).post(start_url(fb), {"occasion": occasion})
    assert response.status_code == 200
    assert "Choose what the feedback is about" in response.content.decode()
    assert not FeedbackHandover.objects.exists()
    assert client.get(start_url(fb)).status_code == 200  # still signed in


def test_another_familys_review_is_not_a_choice(client, fb):
    response = as_user(client, fb.w.lead).post(
        start_url(fb), {"occasion": f"review-{fb.other_review.pk}"}
    )
    assert response.status_code == 200
    assert not FeedbackHandover.objects.exists()


@pytest.mark.parametrize("family_id", ["0", "99999999", "99999999999999999999999"])
def test_an_unknown_family_is_404(client, fb, family_id):
    url = start_url(fb).replace(str(fb.w.family.pk), family_id)
    assert as_user(client, fb.w.lead).get(url).status_code == 404


def test_the_family_page_links_to_feedback_for_those_who_may_change_it(client, fb):
    url = reverse("families:detail", args=[fb.w.family.pk])
    link = f'href="{start_url(fb)}"'
    assert link in as_user(client, fb.w.lead).get(url).content.decode()
    for who in ("police", "auditor"):
        page = as_user(client, getattr(fb.w, who)).get(url)
        assert page.status_code == 200 and link not in page.content.decode()


# --- the hand-over page ----------------------------------------------------------------


def answer_url(token):
    return reverse("reporting:feedback:answer", args=[token])


def form_data(**overrides):
    return {**{k: str(v) for k, v in ANSWERS.items()}, "answered_by": "adult", **overrides}


def test_the_handover_page_shows_the_questions_and_nothing_of_the_case(client, fb):
    w = fb.w
    _, token = hand_over(w)
    page = client.get(answer_url(token)).content.decode()
    assert "How satisfied are you with the help you got?" in page
    assert "How helpful was your key worker?" in page
    assert settings.PROGRAMME_NAME in page
    for secret in (
        w.family.name,
        w.family.reference,
        w.parent.surname,
        w.lead.full_name,
        w.family.postcode,
        "Troubled Families",
        "/families/",
        "Sign out",
    ):
        assert secret not in page
    # No link to anywhere on the site but its static files (the form posts to itself).
    links = re.findall(r'href="([^"#][^"]*)"', page)
    assert links and all(link.startswith("/static/") for link in links)
    assert re.findall(r'action="([^"]*)"', page) == []


def test_even_a_signed_in_browser_sees_nothing_of_the_case_on_the_handover_page(client, fb):
    _, token = hand_over(fb.w)
    page = as_user(client, fb.w.lead).get(answer_url(token)).content.decode()
    assert fb.w.family.name not in page and fb.w.lead.full_name not in page


def test_answering_stores_the_answers_once_and_thanks_the_family(client, fb):
    w = fb.w
    _, token = hand_over(w, review=fb.review)
    response = client.post(answer_url(token), form_data(biggest_difference="Being listened to"))
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:feedback:thanks", args=[token])
    feedback = FamilyFeedback.objects.get()
    assert (feedback.family, feedback.review, feedback.answered_by) == (
        w.family,
        fb.review,
        "adult",
    )
    assert feedback.biggest_difference == "Being listened to"
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    page = thanks.content.decode()
    assert "Thank you" in page and w.family.name not in page
    assert reverse("reporting:feedback:return", args=[token]) in page
    # The link is spent: a second send and a reload save nothing.
    again = client.post(answer_url(token), form_data(satisfaction="1"))
    assert again.status_code == 404 and "no longer works" in again.content.decode()
    assert client.get(answer_url(token)).status_code == 404
    assert FamilyFeedback.objects.count() == 1 and FamilyFeedback.objects.get().satisfaction == 5


@pytest.mark.parametrize(
    "bad",
    [
        {"satisfaction": "9"},
        {"satisfaction": ""},
        {"plan_useful": "very"},
        {"answered_by": "the dog"},
        {"biggest_difference": "x" * 2001},
    ],
)
def test_bad_answers_are_form_errors_and_the_link_still_works(client, fb, bad):
    handover, token = hand_over(fb.w)
    response = client.post(answer_url(token), form_data(**bad))
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    handover.refresh_from_db()
    assert handover.used_at is None and not FamilyFeedback.objects.exists()


def test_answered_by_may_be_left_blank(client, fb):
    _, token = hand_over(fb.w)
    data = form_data()
    del data["answered_by"]
    assert client.post(answer_url(token), data).status_code == 302
    assert FamilyFeedback.objects.get().answered_by == ""


@pytest.mark.parametrize("token", ["x" * 43, "A" * 20])
def test_an_unknown_link_is_404_and_saves_nothing(client, fb, token):
    assert client.get(answer_url(token)).status_code == 404
    assert client.post(answer_url(token), form_data()).status_code == 404
    assert client.get(reverse("reporting:feedback:thanks", args=[token])).status_code == 404
    assert not FamilyFeedback.objects.exists()


@pytest.mark.parametrize("path", ["abc", "a" * 101, "abc%20def" * 4, "..%2F" * 6])
def test_a_malformed_link_is_404(client, fb, path):
    assert client.get(f"/reports/feedback/answer/{path}/").status_code == 404


def test_an_expired_link_is_404_and_saves_nothing(client, fb):
    _, token = hand_over(
        fb.w, at=timezone.now() - timedelta(minutes=services.HANDOVER_MINUTES, seconds=1)
    )
    assert client.get(answer_url(token)).status_code == 404
    assert client.post(answer_url(token), form_data()).status_code == 404
    assert not FamilyFeedback.objects.exists()


def test_returning_to_the_case_needs_sign_in_and_sight_of_the_family(client, fb):
    w = fb.w
    _, token = hand_over(w)
    client.post(answer_url(token), form_data())
    back = reverse("reporting:feedback:return", args=[token])
    assert goes_to_sign_in(client.get(back))
    family_page = reverse("families:detail", args=[w.family.pk])
    response = as_user(client, w.lead).get(back)
    assert response.status_code == 302 and response["Location"] == family_page
    assert as_user(client, w.school).get(back).status_code == 404
    assert as_user(client, w.other_coordinator).get(back).status_code == 404


def test_there_is_no_return_through_an_unanswered_or_unknown_link(client, fb):
    _, token = hand_over(fb.w)
    c = as_user(client, fb.w.lead)
    assert c.get(reverse("reporting:feedback:return", args=[token])).status_code == 404
    assert c.get(reverse("reporting:feedback:return", args=["y" * 43])).status_code == 404


# --- key-player feedback ---------------------------------------------------------------

KEY_PLAYERS = reverse("reporting:feedback:key-players")


def key_player_data(**overrides):
    return {
        "period": Period.containing(TODAY).key,
        **{k: str(v) for k, v in KEY_PLAYER_ANSWERS.items()},
        "improvement": "More joint visits.",
        **overrides,
    }


def test_a_key_worker_gives_feedback_once_a_quarter(client, fb):
    w = fb.w
    c = as_user(client, w.lead)
    page = c.get(KEY_PLAYERS)
    assert page.status_code == 200
    assert "Which programme" not in page.content.decode()  # one authority: not asked
    response = c.post(KEY_PLAYERS, key_player_data())
    assert response.status_code == 302 and response["Location"] == reverse("home")
    row = KeyPlayerFeedback.objects.get()
    assert (row.user, row.local_authority, row.answered_as) == (
        w.lead,
        w.family.local_authority,
        "key_worker",
    )
    again = c.post(KEY_PLAYERS, key_player_data(process_helps="1"))
    assert again.status_code == 409
    assert "already given feedback" in again.content.decode()
    assert KeyPlayerFeedback.objects.get().process_helps == 4


def test_a_panel_member_of_the_authority_gives_feedback_as_a_panel_member(client, fb, make_user):
    member = make_user(
        Role.PANEL_MEMBER, agency=fb.w.agencies["early_help"], email="member@example.test"
    )
    response = as_user(client, member).post(KEY_PLAYERS, key_player_data())
    assert response.status_code == 302
    assert KeyPlayerFeedback.objects.get().answered_as == "panel_member"


def test_a_partner_key_worker_chooses_which_authoritys_programme(
    client, fb, make_user, make_family, other_authority
):
    w = fb.w
    worker = make_user(
        Role.KEY_WORKER, agency=w.agencies["police"], email="pkw@example.test", authorities=[]
    )
    Family.objects.filter(pk=w.family.pk).update(lead_professional=worker)
    theirs = make_family(w.coordinator, n_members=0, name="Across the border")
    Family.objects.filter(pk=theirs.pk).update(
        local_authority=other_authority, lead_professional=worker
    )
    c = as_user(client, worker)
    page = c.get(KEY_PLAYERS).content.decode()
    assert "Which programme is your feedback about?" in page
    assert other_authority.name in page and w.family.local_authority.name in page
    for bad in ("", "99999999", "abc"):
        refused = c.post(KEY_PLAYERS, key_player_data(authority=bad))
        assert refused.status_code == 200 and "Choose a programme" in refused.content.decode()
    assert not KeyPlayerFeedback.objects.exists()
    response = c.post(KEY_PLAYERS, key_player_data(authority=str(other_authority.pk)))
    assert response.status_code == 302
    assert KeyPlayerFeedback.objects.get().local_authority == other_authority


@pytest.mark.parametrize(
    "bad",
    [
        {"period": "2026-Q9"},
        {"period": "1999-Q1"},  # not this quarter or the last
        {"period": ""},
        {"process_helps": "7"},
        {"support": ""},
        {"improvement": "x" * 2001},
    ],
)
def test_bad_key_player_answers_are_form_errors_and_save_nothing(client, fb, bad):
    response = as_user(client, fb.w.lead).post(KEY_PLAYERS, key_player_data(**bad))
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert not KeyPlayerFeedback.objects.exists()


def test_an_authority_sent_by_someone_of_one_authority_is_ignored(client, fb, other_authority):
    """Only people with several programmes are asked which; anyone else's answer is about
    their own, whatever the request says."""
    data = key_player_data(authority=str(other_authority.pk))
    assert as_user(client, fb.w.lead).post(KEY_PLAYERS, data).status_code == 302
    assert KeyPlayerFeedback.objects.get().local_authority == fb.w.family.local_authority


@pytest.mark.parametrize("who", ["coordinator", "auditor", "police", "manager"])
def test_people_who_are_not_key_players_get_404(client, fb, who):
    c = as_user(client, getattr(fb.w, who))
    assert c.get(KEY_PLAYERS).status_code == 404
    assert c.post(KEY_PLAYERS, key_player_data()).status_code == 404
    assert not KeyPlayerFeedback.objects.exists()


def test_a_panel_member_of_no_authority_and_no_panel_gets_404(client, fb):
    assert as_user(client, fb.w.panel_member).get(KEY_PLAYERS).status_code == 404


def test_signed_out_key_player_feedback_goes_to_sign_in(client, fb):
    assert goes_to_sign_in(client.get(KEY_PLAYERS))
    assert goes_to_sign_in(client.post(KEY_PLAYERS, key_player_data()))
    assert not KeyPlayerFeedback.objects.exists()


def test_home_links_key_workers_to_their_feedback(client, fb):
    assert KEY_PLAYERS in as_user(client, fb.w.lead).get(reverse("home")).content.decode()
    assert KEY_PLAYERS not in as_user(client, fb.w.auditor).get(reverse("home")).content.decode()


# --- the summary -----------------------------------------------------------------------

SUMMARY = reverse("reporting:feedback:summary")


@pytest.mark.parametrize(("who", "shown"), [("coordinator", ">3<"), ("manager", "&lt;5")])
def test_report_readers_see_the_summary_small_counts_hidden_outside_the_programme_team(
    client, fb, who, shown
):
    for _ in range(3):
        answer(fb.w)
    response = as_user(client, getattr(fb.w, who)).get(SUMMARY)
    assert response.status_code == 200
    assert shown in response.content.decode()


def test_another_authoritys_coordinator_sees_their_own_figures_only(client, fb):
    for _ in range(6):
        answer(fb.w)
    ours = as_user(client, fb.w.coordinator).get(SUMMARY).content.decode()
    theirs = as_user(client, fb.w.other_coordinator).get(SUMMARY).content.decode()
    assert ">6<" in ours and ">6<" not in theirs


@pytest.mark.parametrize("who", ["lead", "police", "school", "panel_member"])
def test_people_who_do_not_read_reports_get_404_for_the_summary(client, fb, who):
    assert as_user(client, getattr(fb.w, who)).get(SUMMARY).status_code == 404


def test_signed_out_the_summary_goes_to_sign_in(client, fb):
    assert goes_to_sign_in(client.get(SUMMARY))


def test_the_reports_page_links_to_the_summary(client, fb):
    assert SUMMARY in as_user(client, fb.w.coordinator).get("/reports/").content.decode()


# --- the quality sample ----------------------------------------------------------------

SAMPLES = reverse("reporting:feedback:samples")
DRAW = reverse("reporting:feedback:draw")


@pytest.fixture
def drawn(fb, make_family):
    closed_families(fb.w, make_family, [10, 20, 30])
    return services.quality_sample_draw(
        actor=fb.w.coordinator,
        authority=fb.w.family.local_authority,
        period_start=TODAY - timedelta(days=40),
        period_end=TODAY,
        percent=100,
        seed=5,
    )


def sample_url(sample):
    return reverse("reporting:feedback:sample", args=[sample.pk])


def case_url(case):
    return reverse("reporting:feedback:case", args=[case.pk])


def draw_data(**overrides):
    return {
        "period_start": str(TODAY - timedelta(days=40)),
        "period_end": str(TODAY),
        "percent": "10",
        **overrides,
    }


@pytest.mark.parametrize(("who", "can_draw"), [("coordinator", True), ("auditor", False)])
def test_the_programme_team_and_auditor_see_the_samples(client, fb, drawn, who, can_draw):
    page = as_user(client, getattr(fb.w, who)).get(SAMPLES)
    assert page.status_code == 200
    assert sample_url(drawn) in page.content.decode()
    assert (DRAW in page.content.decode()) is can_draw


def test_another_authoritys_coordinator_sees_none_of_our_samples(client, fb, drawn):
    c = as_user(client, fb.w.other_coordinator)
    assert sample_url(drawn) not in c.get(SAMPLES).content.decode()
    assert c.get(sample_url(drawn)).status_code == 404
    assert c.get(case_url(drawn.cases.first())).status_code == 404


@pytest.mark.parametrize("who", ["manager", "lead", "police", "school", "panel_member"])
def test_everyone_else_gets_404_for_samples(client, fb, drawn, who):
    c = as_user(client, getattr(fb.w, who))
    case = drawn.cases.first()
    for url in (SAMPLES, DRAW, sample_url(drawn), case_url(case)):
        assert c.get(url).status_code == 404, url
    assert c.post(DRAW, draw_data()).status_code == 404
    assert c.post(case_url(case), {"engagement": "good"}).status_code == 404
    assert QualitySample.objects.count() == 1


def test_signed_out_every_sample_page_goes_to_sign_in(client, fb, drawn):
    case = drawn.cases.first()
    for url in (SAMPLES, DRAW, sample_url(drawn), case_url(case)):
        assert goes_to_sign_in(client.get(url)), url
        assert goes_to_sign_in(client.post(url, draw_data())), url
    assert QualitySample.objects.count() == 1


def test_a_coordinator_draws_a_sample_and_sees_its_cases(client, fb, make_family):
    w = fb.w
    closed_families(w, make_family, [5 + n for n in range(12)])
    c = as_user(client, w.coordinator)
    assert c.get(DRAW).status_code == 200
    response = c.post(DRAW, draw_data())
    sample = QualitySample.objects.get()
    assert response.status_code == 302 and response["Location"] == sample_url(sample)
    assert (sample.percent, sample.closed_cases, sample.cases.count()) == (10, 12, 2)
    page = c.get(sample_url(sample)).content.decode()
    for case in sample.cases.select_related("family"):
        assert case.family.name in page and case_url(case) in page
    assert str(sample.seed) in page
    listed = AuditEvent.objects.get(object_type="quality sample")
    assert sorted(listed.family_ids) == sorted(sample.cases.values_list("family_id", flat=True))


def test_the_auditor_may_not_draw_a_sample(client, fb, make_family):
    closed_families(fb.w, make_family, [10])
    c = as_user(client, fb.w.auditor)
    assert c.get(DRAW).status_code == 403
    assert c.post(DRAW, draw_data()).status_code == 403
    assert not QualitySample.objects.exists()


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"period_start": "2026-13-45"}, "Start of the period must be a real date"),
        ({"period_end": "yesterday"}, "must be a real date"),
        ({"period_end": str(TODAY - timedelta(days=50))}, "on or after its start"),
        ({"period_end": str(TODAY + timedelta(days=5))}, "future"),
        ({"percent": "ten"}, "whole number"),
        ({"percent": "0"}, "at least 1%"),
        ({"percent": "101"}, "more than 100%"),
        ({}, "No cases were closed"),
    ],
)
def test_a_bad_draw_is_a_form_error_and_draws_nothing(client, fb, bad, message):
    response = as_user(client, fb.w.coordinator).post(DRAW, draw_data(**bad))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not QualitySample.objects.exists()


def test_a_period_overlapping_a_drawn_sample_is_refused(client, fb, drawn):
    response = as_user(client, fb.w.coordinator).post(DRAW, draw_data())
    assert response.status_code == 200 and "overlaps" in response.content.decode()
    assert QualitySample.objects.count() == 1


@pytest.mark.parametrize("sample_id", ["0", "99999999", "99999999999999999999999"])
def test_an_unknown_sample_or_case_is_404(client, fb, drawn, sample_id):
    c = as_user(client, fb.w.coordinator)
    assert c.get(f"/reports/feedback/quality/{sample_id}/").status_code == 404
    assert c.get(f"/reports/feedback/quality/cases/{sample_id}/").status_code == 404
    assert c.get("/reports/feedback/quality/abc/").status_code == 404


def review_data(**overrides):
    return {
        "engagement": "good",
        "engagement_notes": "Weekly visits.",
        "multi_agency": "requires_improvement",
        "multi_agency_notes": "",
        "multi_agency_gaps": "No housing officer.",
        "creativity": "outstanding",
        "creativity_notes": "",
        **overrides,
    }


@pytest.mark.parametrize("who", ["coordinator", "auditor"])
def test_the_programme_team_and_the_auditor_review_a_sampled_case_once(client, fb, drawn, who):
    """The auditor holds a read-only role, but reviewing sampled cases is their job (as
    with claims): no role may see a sampled case and not review it, so the 403 for a
    read-only role is on drawing a sample (test_the_auditor_may_not_draw_a_sample)."""
    user = getattr(fb.w, who)
    case = drawn.cases.first()
    c = as_user(client, user)
    page = c.get(case_url(case))
    assert page.status_code == 200 and case.family.name in page.content.decode()
    assert AuditEvent.objects.filter(
        actor=user, action="viewed", object_type="reporting.qualitysamplecase"
    ).exists()
    response = c.post(case_url(case), review_data())
    assert response.status_code == 302 and response["Location"] == sample_url(drawn)
    case.refresh_from_db()
    assert (case.engagement, case.reviewed_by) == ("good", user)
    again = c.post(case_url(case), review_data(engagement="inadequate"), follow=True)
    assert "already been reviewed" in again.content.decode()
    case.refresh_from_db()
    assert case.engagement == "good"
    shown = c.get(case_url(case)).content.decode()
    assert "Requires improvement" in shown and "No housing officer." in shown


@pytest.mark.parametrize(
    "bad",
    [
        {"engagement": ""},
        {"multi_agency": "brilliant"},
        {"creativity": "1"},
        {"creativity_notes": "x" * 2001},
    ],
)
def test_a_bad_review_is_a_form_error_and_saves_nothing(client, fb, drawn, bad):
    case = drawn.cases.first()
    response = as_user(client, fb.w.coordinator).post(case_url(case), review_data(**bad))
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert not QualitySampleCase.objects.filter(reviewed_at__isnull=False).exists()


def test_a_coordinator_working_in_another_authority_gets_404(client, fb, drawn):
    c = as_user(client, fb.w.both)
    session = c.session
    session["working_authority_id"] = fb.w.other_coordinator.authorities.get().pk
    session.save()
    assert c.get(sample_url(drawn)).status_code == 404
    assert c.get(case_url(drawn.cases.first())).status_code == 404


# --- a constant number of queries ------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_sample_pages_and_the_summary_run_as_many_queries_for_many_rows_as_for_few(
    client, fb, make_family
):
    w = fb.w
    c = as_user(client, w.coordinator)
    c.get(reverse("home"))  # a session's first request also checks two-factor, once
    closed_families(w, make_family, [10])
    small = services.quality_sample_draw(
        actor=w.coordinator,
        authority=w.family.local_authority,
        period_start=TODAY - timedelta(days=15),
        period_end=TODAY,
        percent=100,
        seed=1,
    )
    before = {
        "list": _queries(c, SAMPLES),
        "sample": _queries(c, sample_url(small)),
        "summary": _queries(c, SUMMARY),
    }
    closed_families(w, make_family, [20 + n for n in range(20)], name="Many")
    large = services.quality_sample_draw(
        actor=w.coordinator,
        authority=w.family.local_authority,
        period_start=TODAY - timedelta(days=45),
        period_end=TODAY - timedelta(days=16),
        percent=100,
        seed=1,
    )
    for case in large.cases.all()[:10]:
        services.quality_case_review(
            actor=w.auditor,
            case=case,
            engagement="good",
            engagement_notes="",
            multi_agency="good",
            multi_agency_notes="",
            multi_agency_gaps="",
            creativity="good",
            creativity_notes="",
        )
    for _ in range(10):
        answer(w)
    assert large.cases.count() == 20
    after = {
        "list": _queries(c, SAMPLES),
        "sample": _queries(c, sample_url(large)),
        "summary": _queries(c, SUMMARY),
    }
    assert after == before, (before, after)
