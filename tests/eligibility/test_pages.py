"""Every nomination, screening, panel and rulebook page: allowed users, other authority
(404), anonymous (sign-in) and read-only or wrong roles writing (403)."""

import pytest
from django.urls import reverse

from eligibility import services
from eligibility.models import AgendaItem, Nomination, PanelMeeting
from families import services as family_services
from families.models import Family
from tafcase.audit.models import AuditEvent
from tests.conftest import assert_pdf_pages_marked, pdf_pages, pdf_text
from tests.eligibility.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def agenda(pw, panel, eligible):
    nomination = eligible(surname="Agenda")
    services.agenda_build(actor=pw.coordinator, panel=panel)
    return panel, AgendaItem.objects.get(nomination=nomination)


def status(client, user, url, method="get", data=None):
    client.force_login(user) if user else client.logout()
    return getattr(client, method)(url, data or {}).status_code


def login_redirect(client, url, method="get"):
    client.logout()
    response = getattr(client, method)(url)
    return response.status_code == 302 and "/account/sign-in/" in response["Location"]


def test_nomination_pages(client, pw, nominate):
    nomination = nominate("crime_asb", "health")
    detail = reverse("eligibility:nomination", args=[nomination.pk])
    screen = reverse("eligibility:screen", args=[nomination.pk])
    evidence = reverse("eligibility:evidence-add", args=[nomination.pk])
    new = reverse("eligibility:nomination-new")
    listing = reverse("eligibility:nominations")
    for url in (detail, screen, evidence, new, listing):
        assert login_redirect(client, url), url
    for user in (pw.referrer, pw.coordinator, pw.auditor):
        assert status(client, user, detail) == 200
    for user in (pw.outsider, pw.member, pw.kw1, pw.chair):
        assert status(client, user, detail) == 404
    assert status(client, pw.coordinator, screen) == 200
    for user in (pw.referrer, pw.auditor):
        assert status(client, user, screen) == 403
    assert status(client, pw.outsider, screen) == 404
    assert status(client, pw.coordinator, evidence) == 200
    for user in (pw.referrer, pw.auditor):
        assert status(client, user, evidence) == 403
    assert status(client, pw.outsider, evidence) == 404
    for user in (pw.referrer, pw.coordinator, pw.kw1):
        assert status(client, user, new) == 200
    assert status(client, pw.auditor, new) == 403
    assert status(client, pw.auditor, new, "post", {"family_name": "x"}) == 403


def test_nomination_list_shows_only_what_user_may_see(client, pw, nominate):
    nomination = nominate("crime_asb")
    listing = reverse("eligibility:nominations")
    client.force_login(pw.coordinator)
    body = client.get(listing).content.decode()
    assert nomination.reference in body and "Queue by stage" in body
    client.force_login(pw.outsider)
    assert nomination.reference not in client.get(listing).content.decode()
    client.force_login(pw.kw1)
    assert nomination.reference not in client.get(listing).content.decode()


def test_referrer_sees_a_receipt_but_nothing_of_the_family(client, pw, nominate):
    nomination = nominate("crime_asb", "health")
    client.force_login(pw.referrer)
    body = client.get(reverse("eligibility:nomination", args=[nomination.pk])).content.decode()
    assert "Nomination received" in body and nomination.reference in body
    assert nomination.family.reference not in body
    assert "Robin" not in body and "Awaiting screening" not in body
    client.force_login(pw.coordinator)
    body = client.get(reverse("eligibility:nomination", args=[nomination.pk])).content.decode()
    assert "Robin" in body and "crime_asb seen" in body


def test_screening_page_explains_each_criterion(client, pw, nominate):
    nomination = nominate("crime_asb", "health")
    client.force_login(pw.coordinator)
    body = client.get(reverse("eligibility:screen", args=[nomination.pk])).content.decode()
    assert "The rulebook says: eligible" in body
    for label in ("Children not attending school regularly", "crime or anti-social behaviour"):
        assert label in body
    assert "crime_asb seen" in body
    assert AuditEvent.objects.filter(
        actor=pw.coordinator, action="viewed", family_id=nomination.family_id
    ).exists()


def test_screening_form_override_needs_reason(client, pw, nominate):
    nomination = nominate("crime_asb")
    client.force_login(pw.coordinator)
    url = reverse("eligibility:screen", args=[nomination.pk])
    response = client.post(url, {"outcome": "eligible"})
    assert response.status_code == 200
    assert "Say why you disagree" in response.content.decode()
    response = client.post(url, {"outcome": "eligible", "override_reason": "Police intel"})
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert nomination.stage == Nomination.Stage.ELIGIBLE


def test_panel_pages(client, pw, agenda, other_authority):
    panel, item = agenda
    pages = {
        "panel": reverse("eligibility:panel", args=[panel.pk]),
        "minutes": reverse("eligibility:panel-minutes", args=[panel.pk]),
        "decide": reverse("eligibility:item-decide", args=[panel.pk, item.pk]),
        "move": reverse("eligibility:item-move", args=[panel.pk, item.pk]),
        "build": reverse("eligibility:panel-build", args=[panel.pk]),
    }
    posts = {
        "build": reverse("eligibility:panel-build", args=[panel.pk]),
        "sort": reverse("eligibility:panel-sort", args=[panel.pk]),
        "attendance": reverse("eligibility:panel-attendance", args=[panel.pk]),
        "rate": reverse("eligibility:item-rate", args=[panel.pk, item.pk]),
    }
    for url in (*pages.values(), reverse("eligibility:panels"), reverse("eligibility:panel-new")):
        assert login_redirect(client, url), url
    for url in posts.values():
        assert login_redirect(client, url, "post"), url
    for user in (pw.chair, pw.coordinator):
        for url in pages.values():
            assert status(client, user, url) == 200, (user, url)
    for user in (pw.member, pw.auditor):
        assert status(client, user, pages["panel"]) == 200
        assert status(client, user, pages["minutes"]) == 200
        assert status(client, user, pages["decide"]) == 403
        assert status(client, user, pages["move"]) == 403
        assert status(client, user, pages["build"]) == 403
        for url in posts.values():
            assert status(client, user, url, "post") == 403, (user, url)
    for user in (pw.outsider, pw.referrer, pw.kw1):
        for url in pages.values():
            assert status(client, user, url) == 404, (user, url)
        for url in posts.values():
            assert status(client, user, url, "post") == 404, (user, url)
    assert status(client, pw.chair, posts["rate"], "post", {"likelihood": "2"}) == 302
    item.refresh_from_db()
    assert item.likelihood == 2


def test_chair_chooses_which_nominations_go_on_the_agenda(client, pw, panel, eligible):
    chosen = eligible(surname="Chosen")
    left = eligible(surname="Left")
    url = reverse("eligibility:panel-build", args=[panel.pk])
    client.force_login(pw.chair)
    body = client.get(url).content.decode()
    for nomination in (chosen, left):
        assert f'value="{nomination.pk}"' in body
        assert nomination.family.name in body and nomination.reference in body
    assert "local criteria met" in body and "agencies involved" in body
    response = client.post(url, {"nominations": [chosen.pk]})
    assert response.status_code == 302
    assert list(AgendaItem.objects.filter(panel=panel).values_list("nomination", flat=True)) == [
        chosen.pk
    ]
    left.refresh_from_db()
    assert left.stage == Nomination.Stage.ELIGIBLE
    # What is on the agenda is no longer offered.
    body = client.get(url).content.decode()
    assert f'value="{chosen.pk}"' not in body and f'value="{left.pk}"' in body


def test_choosing_nothing_or_unknown_nominations_is_a_form_error(
    client, pw, panel, eligible, nominate
):
    waiting = eligible(surname="Waiting")
    not_screened = nominate("crime_asb", surname="Unscreened")
    url = reverse("eligibility:panel-build", args=[panel.pk])
    client.force_login(pw.coordinator)
    response = client.post(url, {})
    assert response.status_code == 200
    assert "Choose at least one nomination to add." in response.content.decode()
    for bad in (
        [not_screened.pk],
        ["not-a-number"],
        [999999],
        [str(2**70)],
        [waiting.pk, not_screened.pk],
    ):
        response = client.post(url, {"nominations": bad})
        assert response.status_code == 200, bad
        assert "Choose nominations that are waiting for a panel." in response.content.decode()
        assert f'value="{waiting.pk}" aria-describedby' in response.content.decode()
    assert not AgendaItem.objects.filter(panel=panel).exists()


def test_likelihood_is_rated_in_words_with_or_without_javascript(
    client, pw, agenda, other_authority
):
    panel, item = agenda
    url = reverse("eligibility:item-rate", args=[panel.pk, item.pk])
    client.force_login(pw.chair)
    body = client.get(reverse("eligibility:panel", args=[panel.pk])).content.decode()
    assert 'type="radio" value="3"' in body and ">High</label>" in body
    assert ">Low</label>" in body and ">Medium</label>" in body
    # Without JavaScript: post, then back to the agenda.
    response = client.post(url, {"likelihood": "1"})
    assert response.status_code == 302 and response["Location"].endswith(f"/panels/{panel.pk}/")
    item.refresh_from_db()
    assert item.likelihood == 1
    # The script asks for JSON and stays on the page.
    json = {"HTTP_ACCEPT": "application/json"}
    response = client.post(url, {"likelihood": "3"}, **json)
    assert response.status_code == 200
    assert response.json() == {"likelihood": 3, "label": "High"}
    item.refresh_from_db()
    assert item.likelihood == 3
    for bad in ("4", "high", "0"):
        response = client.post(url, {"likelihood": bad}, **json)
        assert response.status_code == 400, bad
        assert "Choose low, medium or high" in response.json()["error"]
    item.refresh_from_db()
    assert item.likelihood == 3
    assert client.post(url, {"likelihood": ""}, **json).json()["label"] == "Not rated"
    for user, code in ((pw.member, 403), (pw.auditor, 403), (pw.outsider, 404), (pw.kw1, 404)):
        client.force_login(user)
        assert client.post(url, {"likelihood": "2"}, **json).status_code == code, user
    client.logout()
    assert client.post(url, {"likelihood": "2"}, **json).status_code == 302
    item.refresh_from_db()
    assert item.likelihood is None


def test_panel_list_and_new(client, pw):
    panels, new = reverse("eligibility:panels"), reverse("eligibility:panel-new")
    for user in (pw.chair, pw.member, pw.coordinator, pw.auditor):
        assert status(client, user, panels) == 200
    for user in (pw.referrer, pw.kw1):
        assert status(client, user, panels) == 403
    for user in (pw.chair, pw.coordinator):
        assert status(client, user, new) == 200
    for user in (pw.member, pw.auditor, pw.referrer):
        assert status(client, user, new) == 403
        assert status(client, user, new, "post", {"quorum": 1}) == 403


def test_panel_member_sees_agenda_summary_only(client, pw, agenda):
    panel, item = agenda
    family = item.nomination.family
    client.force_login(pw.member)
    body = client.get(reverse("eligibility:panel", args=[panel.pk])).content.decode()
    assert family.reference in body and family.name not in body
    client.force_login(pw.coordinator)
    body = client.get(reverse("eligibility:panel", args=[panel.pk])).content.decode()
    assert family.name in body


def test_decision_page_accepts_and_allocates(client, pw, agenda):
    panel, item = agenda
    client.force_login(pw.chair)
    url = reverse("eligibility:item-decide", args=[panel.pk, item.pk])
    body = client.get(url).content.decode()
    assert "weighted caseload 0.0 of 8" in body
    response = client.post(
        url,
        {
            "decision": "accept",
            "level": "expert_help",
            "lead_professional": str(pw.kw2.pk),
            "reasons": "Good chance of turnaround",
        },
    )
    assert response.status_code == 302
    family = Family.objects.get(pk=item.nomination.family_id)
    assert (family.status, family.lead_professional) == (Family.Status.ACTIVE, pw.kw2)


def test_minutes_pdf(client, pw, agenda):
    panel, _ = agenda
    client.force_login(pw.chair)
    response = client.get(reverse("eligibility:panel-minutes", args=[panel.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    item = panel.items.get()
    assert item.nomination.family.reference in text and "Chair's signature" in text
    assert "likelihood not rated" in " ".join(text.split())  # never "none"
    assert AuditEvent.objects.filter(action="exported", object_id=str(panel.pk)).exists()


def test_minutes_pdf_keeps_each_decision_on_one_page_with_its_family(client, pw, panel, eligible):
    """Minutes long enough to span pages: no row splits, so a family's name and the
    decision about it are on the same page; the headers and marking repeat."""
    surnames = [f"Surname{n:02d}" for n in range(14)]
    for surname in surnames:
        eligible(surname=surname)
    services.agenda_build(actor=pw.coordinator, panel=panel)
    for item in panel.items.select_related("nomination__family"):
        surname = item.nomination.family.name.split()[0].removeprefix("the ")
        AgendaItem.objects.filter(pk=item.pk).update(
            decision=AgendaItem.Decision.DEFER,
            reasons="The panel wants the school's view first. " * 8 + f"[{surname}]",
        )
    client.force_login(pw.chair)
    response = client.get(reverse("eligibility:panel-minutes", args=[panel.pk]))
    pages = pdf_pages(response.content)
    assert len(pages) >= 2
    assert_pdf_pages_marked(pages, title="panel minutes", marking="OFFICIAL-SENSITIVE")
    for page in pages:
        if any(s in page for s in surnames):
            assert "Decision" in page  # the table's header, repeated
    for item in panel.items.select_related("nomination__family"):
        family = item.nomination.family
        surname = family.name.split()[0].removeprefix("the ")
        on = [n for n, page in enumerate(pages) if family.reference in page]
        assert len(on) == 1, family.reference
        assert f"[{surname}]" in pages[on[0]], family.reference
        assert surname in pages[on[0]]  # the name, as the chair sees it


def test_rulebook_page(client, pw, make_user):
    administrator = make_user("administrator", agency=pw.agencies["early_help"])
    url = reverse("eligibility:frameworks")
    assert login_redirect(client, url)
    for user in (pw.coordinator, pw.auditor, pw.chair):
        assert status(client, user, url) == 403
        assert status(client, user, url, "post", {"action": "switch", "code": "SF2022"}) == 403
    assert status(client, administrator, url) == 200
    assert status(client, administrator, url, "post", {"action": "switch", "code": "SF2022"}) == 302
    body = client.get(url).content.decode()
    assert "SF2022" in body and "Supporting Families" in body
    response = client.post(
        url, {"action": "local", "code": "young_carer", "label": "A child who is a young carer"}
    )
    assert response.status_code == 302
    assert "young_carer" in client.get(url).content.decode()


def test_nomination_form_end_to_end(client, pw):
    client.force_login(pw.referrer)
    data = {
        "family_name": "Formfamily",
        "postcode": "NB1 1AA",
        "reason": "School attendance",
        "consent_given_on": TODAY.isoformat(),
        "consent_given_by": "0",
        "member-0-forename": "Alex",
        "member-0-surname": "Formfamily",
        "member-0-dob": "1985-01-01",
        "member-0-role": "parent_carer",
        "criterion-0-code": "education",
        "criterion-0-evidence_date": TODAY.isoformat(),
        "criterion-0-text": "Attendance 82% this term",
    }
    response = client.post(reverse("eligibility:nomination-new"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    nomination = Nomination.objects.get()
    assert nomination.family.evidence.get().text == "Attendance 82% this term"
    # Without consent: refused, nothing written.
    data["consent_given_on"] = ""
    data["family_name"] = "Other"
    response = client.post(reverse("eligibility:nomination-new"), data)
    assert response.status_code == 200
    assert "Enter the date the family agreed" in response.content.decode()
    assert Nomination.objects.count() == 1


def test_overrides_are_reported(client, pw, nominate):
    agreed = nominate("crime_asb", "health", surname="Agreed")
    overridden = nominate("crime_asb", surname="Overridden")
    services.nomination_screen(actor=pw.coordinator, nomination=agreed, outcome="eligible")
    services.nomination_screen(
        actor=pw.coordinator,
        nomination=overridden,
        outcome="eligible",
        override_reason="Police intelligence",
    )
    client.force_login(pw.coordinator)
    url = reverse("eligibility:nominations")
    assert 'href="?stage=overrides">1</a>' in client.get(url).content.decode()
    body = client.get(url, {"stage": "overrides"}).content.decode()
    assert overridden.reference in body and agreed.reference not in body
    assert "Showing 1 to 1 of 1." in body
    # Parameters that mean nothing list everything rather than fail.
    for params in ({"stage": "nonsense"}, {"page": "x"}, {"page": "999"}):
        assert "Showing 1 to 2 of 2." in client.get(url, params).content.decode()


def test_referrer_is_not_told_a_family_was_known_before(client, pw, nominate):
    first = nominate("crime_asb")
    family = first.family
    for status in ("screening", "not_eligible"):
        family_services.family_transition(actor=pw.coordinator, family=family, to_status=status)
    again = services.nomination_merge(
        actor=pw.coordinator, nomination=nominate("health"), into=family
    )
    assert again.is_re_referral
    client.force_login(pw.referrer)
    for url in (
        reverse("eligibility:nomination", args=[again.pk]),
        reverse("eligibility:nominations"),
    ):
        body = client.get(url).content.decode()
        assert "Re-referral" not in body and family.reference not in body
    client.force_login(pw.coordinator)
    body = client.get(reverse("eligibility:nomination", args=[again.pk])).content.decode()
    assert "Re-referral" in body


def test_coordinator_sees_known_families_at_screening_and_merges(client, pw, nominate):
    known = nominate("crime_asb").family
    again = nominate("health")
    client.force_login(pw.coordinator)
    body = client.get(reverse("eligibility:screen", args=[again.pk])).content.decode()
    assert known.reference in body and "Same family: merge" in body
    client.force_login(pw.referrer)
    merge = reverse("eligibility:merge", args=[again.pk])
    assert client.post(merge, {"into": known.pk}).status_code in (403, 404)
    client.force_login(pw.coordinator)
    assert client.post(merge, {"into": "not-a-number"}).status_code == 404
    assert client.post(merge, {"into": known.pk}).status_code == 302
    again.refresh_from_db()
    assert again.family_id == known.pk


def test_partner_agency_panel_member_sees_panels_their_agency_sits_on(
    client, pw, agenda, make_user, make_agency
):
    panel, item = agenda
    sergeant = make_user(
        "panel_member", agency=pw.agencies["police"], email="sgt@example.test", authorities=[]
    )
    health_only = make_user(
        "panel_member",
        agency=make_agency("Dentists", "health", None),
        email="dent@example.test",
        authorities=[],
    )
    url = reverse("eligibility:panel", args=[panel.pk])
    assert status(client, sergeant, url) == 200
    assert (
        status(client, sergeant, reverse("eligibility:nomination", args=[item.nomination_id]))
        == 200
    )
    assert status(client, health_only, url) == 404
    assert (
        status(client, sergeant, reverse("eligibility:item-decide", args=[panel.pk, item.pk]))
        == 403
    )


def test_partners_of_agencies_across_authorities_can_nominate(client, pw, authority):
    """Police, health and other partners serve several councils: they say which one the
    family lives in, then nominate (they used to get 403 from a button the page offered)."""
    officer = pw.member.__class__.objects.create_user(
        "pc@example.test",
        "pw",
        full_name="PC Test",
        agency=pw.agencies["police"],
        roles=["partner_practitioner"],
    )
    client.force_login(officer)
    new = reverse("eligibility:nomination-new")
    first = client.get(new)
    assert first.status_code == 200 and b"Which council does the family live in?" in first.content
    assert client.get(new, {"local_authority": "abc"}).status_code == 200  # a form error
    chosen = client.get(new, {"local_authority": authority.pk})
    assert chosen.status_code == 200 and b"Family name" in chosen.content


def test_panel_member_cannot_nominate_or_write(client, pw):
    assert status(client, pw.member, reverse("eligibility:nomination-new")) == 403


def test_chair_agenda_links_only_to_families_the_chair_may_open(client, pw, agenda):
    panel, item = agenda
    client.force_login(pw.chair)
    body = client.get(reverse("eligibility:panel", args=[panel.pk])).content.decode()
    assert item.nomination.family.name in body  # the chair sees every name on the agenda
    family_url = reverse("families:detail", args=[item.nomination.family_id])
    assert family_url not in body  # but is not sent to a family page they cannot open
    assert client.get(family_url).status_code == 404


def test_panel_chair_must_serve_the_panels_authority(client, pw, other_authority):
    from rest_framework.test import APIClient

    elsewhere_chair = pw.member.__class__.objects.create_user(
        "chair2@example.test",
        "pw",
        full_name="Elsewhere Chair",
        agency=pw.agencies["police"],
        roles=["panel_chair"],
    )
    elsewhere_chair.authorities.set([other_authority])
    api = APIClient()
    api.force_authenticate(pw.coordinator)
    response = api.post(
        reverse("eligibility-api:panel-list"),
        {
            "meets_on": "2027-01-05",
            "chair": elsewhere_chair.pk,
            "member_agencies": [pw.agencies["police"].pk],
            "quorum": 1,
        },
        format="json",
    )
    assert response.status_code == 400 and "chair" in response.json()
    assert not PanelMeeting.objects.filter(chair=elsewhere_chair).exists()
