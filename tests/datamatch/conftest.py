"""Users and helpers for the data-match: the programme team of one authority and others.

- analyst, coordinator: may use the data-match pages
- key_worker, partner, manager, auditor: may not (404 on pages, 403/404 on the API)
- outsider: data analyst of another authority
"""

import io
from dataclasses import dataclass
from datetime import date

import pytest

from eligibility.datamatch import loading
from tafcase.accounts.models import Agency, Role, User

AS_OF = date(2026, 3, 31)


@dataclass
class Team:
    analyst: User
    coordinator: User
    key_worker: User
    partner: User
    manager: User
    auditor: User
    outsider: User
    police: Agency
    council: Agency


@pytest.fixture
def team(make_agency, make_user, other_authority) -> Team:
    council = make_agency("Council Early Help")
    police = make_agency("Police", Agency.Kind.POLICE, None)
    elsewhere = make_agency("Elsewhere", la=other_authority)
    return Team(
        analyst=make_user(Role.DATA_ANALYST, agency=council, email="analyst@example.test"),
        coordinator=make_user(Role.COORDINATOR, agency=council, email="coord@example.test"),
        key_worker=make_user(Role.KEY_WORKER, agency=council, email="kw@example.test"),
        partner=make_user(Role.PARTNER_PRACTITIONER, agency=police, email="pc@example.test"),
        manager=make_user(Role.MANAGER, agency=council, email="mgr@example.test"),
        auditor=make_user(Role.AUDITOR, agency=council, email="aud@example.test"),
        outsider=make_user(
            Role.DATA_ANALYST,
            agency=elsewhere,
            email="out@example.test",
            authorities=[other_authority],
        ),
        police=police,
        council=council,
    )


def csv_bytes(header: str, *rows: str) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode()


ASB_HEADER = "record_id,forename,surname,dob,sex,postcode,incident_date,incident_type,role"


@pytest.fixture
def load(team, authority):
    def load(
        kind: str,
        data: bytes,
        *,
        agency=None,
        valid_rows_only=False,
        as_of=AS_OF,
        confirm_smaller=False,
    ):
        return loading.partner_file_import(
            actor=team.analyst,
            local_authority=authority,
            kind=kind,
            agency=agency or team.police,
            as_of=as_of,
            stream=io.BytesIO(data),
            filename=f"{kind}.csv",
            valid_rows_only=valid_rows_only,
            confirm_smaller=confirm_smaller,
        )

    return load
