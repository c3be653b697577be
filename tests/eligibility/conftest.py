"""An authority running nominations and a panel, with users around it.

- referrer: school partner practitioner who nominates (no authority-wide access)
- coordinator: programme team; screens, builds agendas
- chair: panel chair of the authority
- member: police panel member (sees agenda summaries only)
- kw1, kw2: key workers who can be allocated
- outsider: coordinator of another authority
- auditor: read-only role of the authority
"""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from eligibility import services
from eligibility.models import Nomination, PanelMeeting
from tafcase.accounts.models import Agency, Role, User

TODAY = timezone.localdate()


@dataclass
class Panelworld:
    referrer: User
    coordinator: User
    chair: User
    member: User
    kw1: User
    kw2: User
    outsider: User
    auditor: User
    agencies: dict


def members(surname: str = "Nominee") -> list[dict]:
    return [
        {
            "forename": "Robin",
            "surname": surname,
            "dob": date(1988, 3, 4),
            "sex": "F",
            "role": "parent_carer",
        },
        {
            "forename": "Sam",
            "surname": surname,
            "dob": TODAY.replace(year=TODAY.year - 12) - timedelta(days=40),
            "sex": "M",
            "role": "child",
        },
    ]


def evidence(*codes: str) -> list[dict]:
    return [
        {"code": code, "evidence_date": TODAY - timedelta(days=20), "text": f"{code} seen"}
        for code in codes
    ]


@pytest.fixture
def pw(make_agency, make_user, authority, other_authority) -> Panelworld:
    early_help = make_agency("Early Help")
    police = make_agency("Police", Agency.Kind.POLICE, None)
    school = make_agency("School", Agency.Kind.EDUCATION)
    health = make_agency("Health", Agency.Kind.HEALTH, None)
    elsewhere = make_agency("Elsewhere Early Help", la=other_authority)
    return Panelworld(
        referrer=make_user(
            Role.PARTNER_PRACTITIONER, agency=school, email="ref@example.test", authorities=[]
        ),
        coordinator=make_user(Role.COORDINATOR, agency=early_help, email="coord@example.test"),
        chair=make_user(Role.PANEL_CHAIR, agency=early_help, email="chair@example.test"),
        member=make_user(Role.PANEL_MEMBER, agency=police, email="member@example.test"),
        kw1=make_user(Role.KEY_WORKER, agency=early_help, email="kw1@example.test"),
        kw2=make_user(Role.KEY_WORKER, agency=early_help, email="kw2@example.test"),
        outsider=make_user(
            Role.COORDINATOR,
            agency=elsewhere,
            email="out@example.test",
            authorities=[other_authority],
        ),
        auditor=make_user(Role.AUDITOR, agency=early_help, email="aud@example.test"),
        agencies={"early_help": early_help, "police": police, "school": school, "health": health},
    )


@pytest.fixture
def nominate(pw, authority):
    def nominate(*codes: str, surname: str = "Nominee", actor=None) -> Nomination:
        return services.nomination_submit(
            actor=actor or pw.referrer,
            local_authority=authority,
            route=Nomination.Route.REFERRAL,
            family_name=f"{surname} family",
            members=members(surname),
            reason="Worried about attendance and police call-outs.",
            criteria=evidence(*codes),
            postcode="NB1 1AA",
            consent_given_on=TODAY,
            consent_given_by=0,
        )

    return nominate


@pytest.fixture
def panel(pw, authority) -> PanelMeeting:
    a = pw.agencies
    panel = services.panel_create(
        actor=pw.coordinator,
        local_authority=authority,
        meets_on=TODAY,
        chair=pw.chair,
        member_agencies=[a["early_help"], a["police"], a["health"]],
        quorum=2,
    )
    services.panel_record_attendance(
        actor=pw.chair, panel=panel, agencies=[a["early_help"], a["police"]]
    )
    return panel


@pytest.fixture
def eligible(pw, nominate):
    """Screen a nomination eligible (the referral evidences two headline problems)."""

    def eligible(*codes: str, surname: str = "Nominee") -> Nomination:
        nomination = nominate(*(codes or ("crime_asb", "health")), surname=surname)
        services.nomination_screen(actor=pw.coordinator, nomination=nomination, outcome="eligible")
        nomination.refresh_from_db()
        return nomination

    return eligible
