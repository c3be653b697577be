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

from eligibility.datamatch.models import DatamatchRun, PartnerImport, PartnerRecord, RecordLink
from families.models import Family, Membership, Person
from reporting.returns import rules
from tafcase.accounts import services as account_services
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


def partner_data(
    authority: LocalAuthority,
    actor: User,
    as_of: date,
    records: list[tuple[Person, str, date, date | None, dict]],
    *,
    kinds: tuple[str, ...] = (),
) -> DatamatchRun:
    """A current data-match run as of `as_of` that linked each (person, kind, date,
    end date, attributes) record to its person, with one import per kind taken on
    `as_of` (and an empty import for each of `kinds` that has no records)."""
    agency = Agency.objects.filter(name="Data partner").first() or account_services.agency_create(
        name="Data partner", kind=Agency.Kind.OTHER, local_authority=None
    )
    DatamatchRun.objects.filter(local_authority=authority).update(is_current=False)
    run = DatamatchRun.objects.create(
        local_authority=authority,
        as_of=as_of,
        status=DatamatchRun.Status.SUCCEEDED,
        is_current=True,
        started_by=actor,
    )
    imports: dict[str, PartnerImport] = {}
    for kind in {*kinds, *(r[1] for r in records)}:
        imports[kind] = PartnerImport.objects.create(
            local_authority=authority,
            kind=kind,
            agency=agency,
            as_of=as_of,
            filename=f"{kind}.csv",
            sha256=f"{kind}-{run.pk}",
            rows=0,
            loaded_rows=0,
            uploaded_by=actor,
        )
    for n, (person, kind, day, end, attributes) in enumerate(records):
        record = PartnerRecord.objects.create(
            partner_import=imports[kind],
            local_authority=authority,
            kind=kind,
            agency=agency,
            line=n + 2,
            record_id=f"R{run.pk}-{n}",
            forename=person.forename,
            surname=person.surname,
            event_date=day,
            end_date=end,
            attributes=attributes,
        )
        RecordLink.objects.create(
            run=run, record=record, person=person, method=RecordLink.Method.IDENTIFIER
        )
    return run
