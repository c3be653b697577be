"""A row the data-match cannot use is reported and left out, never a failed run, and the
log never shows its personal data."""

import logging
from datetime import date

import pytest

from eligibility.datamatch import services
from eligibility.datamatch.models import DatamatchRun, PartnerRecord
from families.models import Person
from tests.datamatch.conftest import AS_OF, ASB_HEADER, csv_bytes

pytestmark = pytest.mark.django_db

SPINE_HEADER = "record_id,forename,surname,dob,sex,postcode,la_person_id,household_id,relationship"


@pytest.fixture
def spine(load):
    return load(
        "persons",
        csv_bytes(
            SPINE_HEADER,
            "P1,Robin,Spine,1985-02-03,F,QA1 1AA,LA1,H1,parent_carer",
            "P2,Sam,Spine,2014-07-08,M,QA1 1AA,LA2,H1,child",
            "P3,Kim,Oddyear,1990-01-01,F,QA2 2AB,LA3,H2,parent_carer",
            "P4,Lee,Farfuture,1991-01-01,M,QA2 2AB,LA4,H2,parent_carer",
        ),
    )


def test_spine_and_person_rows_with_unusable_dates_are_skipped_and_reported(
    team, authority, spine, load, caplog
):
    # Dates that earlier versions let in: a spine row from year 49, one from year 9999,
    # and a person typed in with a date of birth of 31 December 9999.
    PartnerRecord.objects.filter(record_id="P3").update(dob=date(49, 1, 1))
    PartnerRecord.objects.filter(record_id="P4").update(dob=date(9999, 12, 31))
    Person.objects.create(
        local_authority=authority, forename="Typo", surname="Person", dob=date(9999, 12, 31)
    )
    load("asb", csv_bytes(ASB_HEADER, "A1,Robin,Spine,1985-02-03,F,QA1 1AA,2026-01-05,x,victim"))

    caplog.set_level(logging.DEBUG)
    run = services.run_start(actor=team.analyst, local_authority=authority, as_of=AS_OF)
    run = services.run_execute(run_id=run.pk)

    assert run.status == DatamatchRun.Status.SUCCEEDED and run.is_current
    assert run.report["skipped"] == {"partner_records": 2, "people": 1}
    assert not Person.objects.filter(la_person_id__in=["LA3", "LA4"]).exists()
    assert Person.objects.filter(la_person_id__in=["LA1", "LA2"]).count() == 2
    assert run.links.filter(record__record_id="A1").exists()
    log = caplog.text
    assert "skipped 2 partner records and 1 people" in log
    for personal in ("0049", "9999", "Oddyear", "Farfuture", "Typo"):
        assert personal not in log

    # And the next quarter runs too.
    again = services.run_start(actor=team.analyst, local_authority=authority, as_of=AS_OF)
    assert services.run_execute(run_id=again.pk).status == DatamatchRun.Status.SUCCEEDED


def test_import_refuses_dates_of_birth_before_1900_and_over_long_values(load):
    result = load(
        "persons",
        csv_bytes(
            SPINE_HEADER,
            "P1,Robin,Spine,0049-02-03,F,QA1 1AA,LA1,H1,parent_carer",
            f"P2,Sam,Spine,2014-07-08,M,QA1 1AA,{'L' * 41},H1,child",
            "P3,Kim,Spine,1990-01-01,F,QA1 1AAAAAAAAA,LA3,H1,parent_carer",
            "P4,Lee,Spine,1991-01-01,M,QA1 1AA,LA4,H1,parent_carer",
        ),
        valid_rows_only=True,
    )
    assert sorted((e[0], e[1]) for e in result.partner_import.errors) == [
        (2, "dob"),
        (3, "la_person_id"),
        (4, "postcode"),
    ]
    assert list(PartnerRecord.objects.values_list("record_id", flat=True)) == ["P4"]
