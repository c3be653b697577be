"""A small authority for access tests: one family, its TAF, and users around it.

- lead: the family's lead professional (Early Help key worker)
- police: partner practitioner at an agency on the TAF with sharing consent
- school: partner practitioner at an agency not on the TAF (the outsider)
- coordinator: programme team of the family's authority
- auditor: read-only role of the same authority (managers see aggregates, not families)
- elsewhere: coordinator of another authority whose agency is on the TAF (a partner here)
- other_coordinator: coordinator of another authority, not on the TAF (an outsider)
- panel_member: a read-only panel member at the police agency on the TAF
- both: a coordinator who serves this authority and another
"""

from dataclasses import dataclass
from datetime import date

import pytest
from django.utils import timezone

from families import services
from families.models import CaseNote, Consent, Family, Membership, Person
from tafcase.accounts.models import Agency, Role, User

TODAY = timezone.localdate()


@dataclass
class World:
    family: Family
    parent: Person
    child: Person
    membership: Membership
    consent: Consent
    involvement: object
    note: CaseNote
    lead: User
    police: User
    school: User
    coordinator: User
    auditor: User
    elsewhere: User
    other_coordinator: User
    panel_member: User
    both: User
    agencies: dict


@pytest.fixture
def world(make_agency, make_user, authority, other_authority) -> World:
    early_help = make_agency("Early Help")
    police_agency = make_agency("Police", Agency.Kind.POLICE, None)
    school_agency = make_agency("School", Agency.Kind.EDUCATION)
    lead = make_user(Role.KEY_WORKER, agency=early_help, email="lead@example.test", authorities=[])
    police = make_user(
        Role.PARTNER_PRACTITIONER, agency=police_agency, email="police@example.test", authorities=[]
    )
    school = make_user(
        Role.PARTNER_PRACTITIONER, agency=school_agency, email="school@example.test", authorities=[]
    )
    coordinator = make_user(Role.COORDINATOR, agency=early_help, email="coord@example.test")
    auditor = make_user(Role.AUDITOR, agency=early_help, email="auditor@example.test")
    elsewhere_agency = make_agency(
        "Elsewhere Early Help", Agency.Kind.LA_EARLY_HELP, other_authority
    )
    elsewhere = make_user(
        Role.COORDINATOR,
        agency=elsewhere_agency,
        email="elsewhere@example.test",
        authorities=[other_authority],
    )
    other_coordinator = make_user(
        Role.COORDINATOR,
        agency=make_agency(
            "Elsewhere Social Care", Agency.Kind.CHILDRENS_SOCIAL_CARE, other_authority
        ),
        email="other-coord@example.test",
        authorities=[other_authority],
    )
    panel_member = make_user(
        Role.PANEL_MEMBER, agency=police_agency, email="panel@example.test", authorities=[]
    )
    both = make_user(
        Role.COORDINATOR,
        agency=early_help,
        email="both@example.test",
        authorities=[authority, other_authority],
    )
    family = services.family_create(
        actor=coordinator,
        local_authority=authority,
        name="Testing family",
        postcode="nb1 2ab",
        lead_professional=lead,
    )
    parent = services.member_add(
        actor=lead,
        family=family,
        role="parent_carer",
        forename="Dana",
        surname="Testing",
        dob=date(1990, 1, 2),
        nhs_number="943 476 5919",
    ).person
    membership = services.member_add(
        actor=lead,
        family=family,
        role="child",
        forename="Kit",
        surname="Testing",
        dob=date(2014, 5, 6),
    )
    consent = services.consent_record(
        actor=lead, family=family, given_by=parent, given_on=TODAY, scope=Consent.Scope.SHARE_TAF
    )
    involvement = services.involvement_add(
        actor=lead,
        family=family,
        agency=police_agency,
        role="Neighbourhood team",
        statutory=False,
        started_on=TODAY,
    )
    services.involvement_add(
        actor=lead,
        family=family,
        agency=elsewhere_agency,
        role="Early help across the border",
        statutory=False,
        started_on=TODAY,
    )
    note = services.note_add(
        actor=lead,
        family=family,
        contact_type="home_visit",
        contact_date=TODAY,
        text="Visited the family.",
        confidentiality="normal",
        people=[parent],
    )
    return World(
        family=family,
        parent=parent,
        child=membership.person,
        membership=membership,
        consent=consent,
        involvement=involvement,
        note=note,
        lead=lead,
        police=police,
        school=school,
        coordinator=coordinator,
        auditor=auditor,
        elsewhere=elsewhere,
        other_coordinator=other_coordinator,
        panel_member=panel_member,
        both=both,
        agencies={"early_help": early_help, "police": police_agency, "school": school_agency},
    )


@pytest.fixture
def make_family(authority):
    """make_family(actor, n_members=3, **fields): a family with members, via services."""

    def make(actor, n_members: int = 3, **fields) -> Family:
        family = services.family_create(
            actor=actor,
            local_authority=authority,
            name=fields.pop("name", "Another family"),
            **fields,
        )
        for index in range(n_members):
            services.member_add(
                actor=actor,
                family=family,
                role="child",
                forename=f"Child{index}",
                surname="Another",
                dob=date(2015, 1, 1),
            )
        return family

    return make
