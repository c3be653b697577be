"""People and families for the national returns' tests.

- coordinator, analyst: the programme team of the authority (read and write)
- manager: reads and, by reporting.access.can_edit_reports, writes
- auditor: reads only
- key_worker, partner: no reports (404)
- elsewhere: a coordinator of another authority, with families of its own
"""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from families.models import Family, Membership, Person
from reporting.returns import rules
from tafcase.accounts.models import Agency, LocalAuthority, Role, User

#: A programme year whose families are a year and more past attachment.
YEAR = rules.programme_year_of(timezone.localdate()) - 2
YEAR_START, YEAR_END = rules.programme_year_bounds(YEAR)


@dataclass
class Team:
    authority: LocalAuthority
    other: LocalAuthority
    coordinator: User
    analyst: User
    manager: User
    auditor: User
    key_worker: User
    partner: User
    elsewhere: User


@pytest.fixture
def team(authority, other_authority, make_agency, make_user) -> Team:
    early_help = make_agency("Early Help")
    police = make_agency("Police", Agency.Kind.POLICE, None)
    return Team(
        authority=authority,
        other=other_authority,
        coordinator=make_user(Role.COORDINATOR, agency=early_help, email="coord@example.test"),
        analyst=make_user(Role.DATA_ANALYST, agency=early_help, email="analyst@example.test"),
        manager=make_user(Role.MANAGER, agency=early_help, email="manager@example.test"),
        auditor=make_user(Role.AUDITOR, agency=early_help, email="auditor@example.test"),
        key_worker=make_user(Role.KEY_WORKER, agency=early_help, email="kw@example.test"),
        partner=make_user(Role.PARTNER_PRACTITIONER, agency=police, email="pc@example.test"),
        elsewhere=make_user(
            Role.COORDINATOR,
            agency=make_agency("Elsewhere Early Help", Agency.Kind.LA_EARLY_HELP, other_authority),
            email="elsewhere@example.test",
            authorities=[other_authority],
        ),
    )


def attach(
    authority: LocalAuthority,
    count: int,
    *,
    start: date = YEAR_START,
    step_days: int = 3,
    members: bool = True,
) -> list[Family]:
    """`count` families attached from `start`, `step_days` apart, each with a mother
    (born 1990) and a son (born 2014) unless `members` is False."""
    families = Family.objects.bulk_create(
        [
            Family(
                local_authority=authority,
                name=f"Returned family {n}",
                status=Family.Status.ACTIVE,
                programme_start=start + timedelta(days=step_days * n),
            )
            for n in range(count)
        ]
    )
    if members:
        for family in families:
            for forename, sex, dob, role in (
                ("Mum", "F", date(1990, 5, 1), Membership.Role.PARENT_CARER),
                ("Son", "M", date(2014, 9, 1), Membership.Role.CHILD),
            ):
                person = Person.objects.create(
                    local_authority=authority,
                    forename=forename,
                    surname=f"Surname{family.pk}",
                    dob=dob,
                    sex=sex,
                    nhs_number="",
                )
                Membership.objects.create(
                    family=family, person=person, role=role, started_on=family.programme_start
                )
    return families
