"""Loading partner files: all or nothing, valid rows only on request, idempotent."""

from datetime import date

import pytest

from eligibility.datamatch.loading import ImportRejected
from eligibility.datamatch.models import PartnerImport, PartnerRecord
from tests.datamatch.conftest import ASB_HEADER, csv_bytes

pytestmark = pytest.mark.django_db

GOOD = csv_bytes(
    ASB_HEADER,
    "A1,Jordan,Hale,2011-04-02,M,qa1 1aa,2026-01-10,criminal damage,perpetrator",
    "A2,Kim,Hale,,F,,14/02/2026,noise,victim",
)


def test_loads_every_row_normalised_with_the_kinds_date(load):
    outcome = load("asb", GOOD)
    assert not outcome.duplicate
    imported = outcome.partner_import
    assert (imported.rows, imported.loaded_rows, imported.rejected_rows) == (2, 2, 0)
    first, second = PartnerRecord.objects.order_by("line")
    assert (first.line, first.record_id, first.postcode) == (2, "A1", "QA1 1AA")
    assert first.event_date == date(2026, 1, 10)
    assert first.attributes == {
        "incident_date": "2026-01-10",
        "incident_type": "criminal damage",
        "role": "perpetrator",
    }
    assert second.dob is None and second.event_date == date(2026, 2, 14)


def test_byte_identical_file_is_a_no_op(load):
    first = load("asb", GOOD)
    again = load("asb", GOOD)
    assert again.duplicate and again.partner_import == first.partner_import
    assert PartnerRecord.objects.count() == 2
    assert PartnerImport.objects.count() == 1


def test_file_with_errors_loads_nothing(load):
    bad = csv_bytes(
        ASB_HEADER,
        "A1,Jordan,Hale,2011-04-02,M,QA1 1AA,2026-01-10,damage,perpetrator",
        "A2,Kim,Hale,2011-13-02,Q,,2026-01-10,noise,bystander",
        "A3,Lee,,2011-01-02,F,,2027-01-10,noise,victim",
    )
    with pytest.raises(ImportRejected) as rejected:
        load("asb", bad)
    reasons = {(e.line, e.column) for e in rejected.value.errors}
    assert {(3, "dob"), (3, "sex"), (3, "role"), (4, "surname"), (4, "incident_date")} <= reasons
    assert not PartnerImport.objects.exists()
    assert not PartnerRecord.objects.exists()


def test_valid_rows_only_on_request_with_rejected_rows_as_csv(load):
    bad = csv_bytes(
        ASB_HEADER,
        "A1,Jordan,Hale,2011-04-02,M,QA1 1AA,2026-01-10,damage,perpetrator",
        "A2,Kim,Hale,2011-13-02,F,,2026-01-10,noise,victim",
    )
    imported = load("asb", bad, valid_rows_only=True).partner_import
    assert (imported.loaded_rows, imported.rejected_rows) == (1, 1)
    assert PartnerRecord.objects.get().record_id == "A1"
    assert "A2,Kim,Hale,2011-13-02" in imported.rejected_csv
    assert "line 3: dob:" in imported.rejected_csv


def test_missing_required_column_rejects_the_file(load):
    with pytest.raises(ImportRejected) as rejected:
        load("asb", csv_bytes("record_id,forename,incident_date", "A1,Jo,2026-01-01"))
    assert (1, "surname") in {(e.line, e.column) for e in rejected.value.errors}


def test_school_attendance_is_dated_at_the_end_of_its_term(load):
    data = csv_bytes(
        "record_id,forename,surname,academic_year,term,sessions_possible,"
        "sessions_authorised_absent,sessions_unauthorised_absent",
        "S1,Jordan,Hale,2025/26,autumn,120,6,8",
    )
    load("school_attendance", data)
    record = PartnerRecord.objects.get()
    assert record.event_date.year == 2025 and record.event_date.month == 12
    assert record.attributes["sessions_unauthorised_absent"] == 8
