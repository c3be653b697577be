"""The documents a family is given (the plan and how things have changed): numbered pages,
the document's title and marking, who to contact, lines for the household's adults and the
lead professional to sign and date kept on one page, and never "Troubled Families"."""

import re
from datetime import date

import pytest
from django.urls import reverse

from families import services as family_services
from outcomes import services
from tests.conftest import assert_pdf_pages_marked, pdf_pages
from tests.outcomes.conftest import TODAY

pytestmark = pytest.mark.django_db

FAMILY_PDFS = ("outcomes:plan-pdf", "outcomes:distance-pdf")


@pytest.fixture
def household(active):
    """The family with a second carer in the household, a grandparent who lives elsewhere
    and an adult it is unsafe to contact: only the first two carers sign."""
    lead = active.lead
    add = family_services.member_add
    add(
        actor=lead,
        family=active.family,
        role="parent_carer",
        forename="Sam",
        surname="Okafor",
        dob=date(1985, 3, 4),
    )
    add(
        actor=lead,
        family=active.family,
        role="wider_family",
        forename="Ruth",
        surname="Elder",
        dob=date(1950, 1, 1),
    )
    add(
        actor=lead,
        family=active.family,
        role="other_adult",
        forename="Lee",
        surname="Unsafe",
        dob=date(1980, 1, 1),
        no_contact_for_safety=True,
    )
    return active


def pages(client, user, name, family):
    client.force_login(user)
    response = client.get(reverse(name, args=[family.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    return pdf_pages(response.content)


@pytest.mark.parametrize("name", FAMILY_PDFS)
def test_family_pdf_names_who_to_contact_and_who_signs(client, household, settings, name):
    settings.PROGRAMME_NAME = "Brighter Futures"
    settings.PROGRAMME_CONTACT = "01632 960000, brighterfutures@example.gov.uk"
    w = household
    texts = pages(client, w.lead, name, w.family)
    title = "Brighter Futures: our family plan" if name == "outcomes:plan-pdf" else "changed"
    assert_pdf_pages_marked(texts, title=title, marking="OFFICIAL-SENSITIVE")
    text = "\f".join(texts)
    # Who to contact: the lead professional, their agency and email, and the programme team.
    contact = re.sub(r"\s+", " ", text)
    assert f"Your lead professional is {w.lead.full_name}, Early Help." in contact
    assert "Email: lead@example.test" in contact
    assert "01632 960000, brighterfutures@example.gov.uk" in contact
    # The adults of the household sign by name, oldest first, then the lead professional.
    signers = re.findall(r"^\s*(.+?)\s+Signed _+\s+Date _+", text, re.MULTILINE)
    assert signers == ["Sam Okafor", "Dana Testing", f"{w.lead.full_name}, lead professional"]
    assert "Kit Testing" not in signers
    assert "Brighter Futures" in text and "Troubled" not in text


def test_family_pdf_without_a_programme_contact_or_lead_professional_still_says_so(
    client, household, settings
):
    settings.PROGRAMME_CONTACT = ""
    w = household
    w.family.__class__.objects.filter(pk=w.family.pk).update(lead_professional=None)
    text = "\f".join(pages(client, w.coordinator, "outcomes:plan-pdf", w.family))
    assert "Your lead professional has not been chosen yet." in text
    assert "team:" not in text
    assert re.search(r"^\s*Lead professional\s+Signed _+\s+Date _+", text, re.MULTILINE)


def test_a_long_plan_repeats_its_title_and_keeps_the_agreement_on_one_page(
    client, household, settings
):
    w = household
    for n in range(6):
        goal = services.goal_add(
            actor=w.lead, family=w.family, title=f"Goal {n}", criterion="education", target="Better"
        )
        for m in range(6):
            services.action_add(
                actor=w.lead,
                goal=goal,
                description=f"Step {n}.{m}: " + "a longer description of what will be done " * 4,
                due_on=TODAY,
                owner_agency=w.agencies["police"],
            )
    texts = pages(client, w.lead, "outcomes:plan-pdf", w.family)
    assert len(texts) >= 2
    assert_pdf_pages_marked(
        texts, title=f"{settings.PROGRAMME_NAME}: our family plan", marking="OFFICIAL-SENSITIVE"
    )
    # The table's header repeats on every page it continues on.
    assert all("What will be done" in page for page in texts[1:] if "Step" in page)
    agreement = [page for page in texts if "Our agreement" in page]
    assert len(agreement) == 1
    assert agreement[0].count("Signed ____") == 3
