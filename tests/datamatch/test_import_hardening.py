"""Partner imports under attack or accident: formula cells, rows with several errors,
and a tiny file replacing a big dataset."""

import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from eligibility.datamatch import loading
from eligibility.datamatch.loading import ImportNeedsConfirmation, ImportRejected
from eligibility.datamatch.models import PartnerImport, PartnerRecord
from eligibility.datamatch.validate import (
    RowError,
    errors_of_first_rows,
    validate_csv,
    write_rejected_csv,
)
from tests.datamatch.conftest import AS_OF, ASB_HEADER, csv_bytes

pytestmark = pytest.mark.django_db

ATTENDANCE_HEADER = (
    "record_id,forename,surname,dob,sex,academic_year,term,sessions_possible,"
    "sessions_authorised_absent,sessions_unauthorised_absent"
)


def asb_rows(n: int, prefix: str = "A") -> bytes:
    return csv_bytes(
        ASB_HEADER,
        *(f"{prefix}{i},Sam,Test{i},2011-04-02,M,,2026-01-10,noise,victim" for i in range(n)),
    )


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


# --- Formula injection -------------------------------------------------------------


@pytest.mark.parametrize("name", ["=HYPERLINK(1)", "+cmd", "-x", "@SUM(1)"])
def test_name_starting_with_a_formula_character_is_a_row_error(name):
    data = csv_bytes("record_id,forename,surname", f'r1,"{name}",Lee', f'r2,Ann,"{name}"')
    result = validate_csv(data, "persons", AS_OF)
    assert [(e.line, e.column, e.reason) for e in result.errors] == [
        (2, "forename", "cannot start with =, +, -, @"),
        (3, "surname", "cannot start with =, +, -, @"),
    ]


def test_formula_names_never_load(load):
    data = (
        asb_rows(1)
        + b'A9,"=HYPERLINK(""http://example.test"")",Hale,,,,2026-01-10,noise,victim\r\n'
    )
    imported = load("asb", data, valid_rows_only=True).partner_import
    assert imported.rejected_rows == 1
    assert not PartnerRecord.objects.filter(forename__startswith="=").exists()


def test_rejected_rows_csv_neutralises_formulas():
    data = csv_bytes(
        "record_id,forename,surname,dob",
        "r1,Ann,Lee,2030-01-01",
        '"+cmd|\' /C calc\'!A0",@Ann,"=HYPERLINK(""http://example.test"")",-1',
    )
    out = io.StringIO()
    write_rejected_csv(validate_csv(data, "persons", AS_OF), out)
    _header, first, second = cells(out.getvalue())
    assert first[:4] == ["r1", "Ann", "Lee", "2030-01-01"]
    assert second[:4] == [
        "'+cmd|' /C calc'!A0",
        "'@Ann",
        '\'=HYPERLINK("http://example.test")',
        "'-1",
    ]
    assert not any(
        cell.startswith(("=", "+", "-", "@")) for row in cells(out.getvalue()) for cell in row
    )


def test_rejected_rows_download_neutralises_formulas_stored_before(client, team, load):
    imported = load("asb", asb_rows(1)).partner_import
    # A rejected-rows CSV stored before cells were neutralised when written.
    imported.rejected_csv = 'record_id,forename,error\r\nA2,"=HYPERLINK(""x"")",line 3: bad\r\n'
    imported.save()
    client.force_login(team.analyst)
    download = client.get(reverse("datamatch:rejected-csv", args=[imported.pk]))
    assert cells(download.content.decode())[1] == ["A2", '\'=HYPERLINK("x")', "line 3: bad"]


def test_errors_csv_neutralises_formulas():
    errors = [loading.RowError(2, "sex", "=1+1")]
    assert cells(loading.errors_csv(errors))[1] == ["2", "sex", "'=1+1"]


# --- Every error of a row ----------------------------------------------------------


def test_row_with_two_errors_reports_both():
    data = csv_bytes(ATTENDANCE_HEADER, "r1,Ann,Lee,2011-04-02,Q,2025/26,autumn,10,8,8")
    result = validate_csv(data, "school_attendance", AS_OF)
    assert {(e.line, e.column) for e in result.errors} == {(2, "sex"), (2, "sessions_possible")}


def test_file_with_a_bad_row_loads_nothing_and_reports_every_error_of_it(load):
    data = asb_rows(2) + b"A9,=Sam,,2011-13-02,Q,,2027-01-10,noise,bystander\r\n"
    with pytest.raises(ImportRejected) as rejected:
        load("asb", data)
    assert {(e.line, e.column) for e in rejected.value.errors} == {
        (4, "forename"),
        (4, "surname"),
        (4, "dob"),
        (4, "sex"),
        (4, "incident_date"),
        (4, "role"),
    }
    assert not PartnerImport.objects.exists() and not PartnerRecord.objects.exists()


def test_upload_page_and_api_show_every_error_of_a_row(client, team):
    bad = csv_bytes(ASB_HEADER, "A1,Jo,Hale,2011-13-01,Q,,2026-01-01,noise,victim")
    fields = {"kind": "asb", "agency": team.police.pk, "as_of": AS_OF.isoformat()}
    client.force_login(team.analyst)
    page = client.post(
        reverse("datamatch:imports"), {**fields, "file": SimpleUploadedFile("a.csv", bad)}
    )
    body = page.content.decode()
    assert (
        page.status_code == 400 and "2011-13-01" in body and "&#x27;Q&#x27; is not one of" in body
    )
    api = APIClient()
    api.force_authenticate(team.analyst)
    response = api.post(
        reverse("datamatch-api:partner-import-list"),
        {**fields, "file": SimpleUploadedFile("a.csv", bad)},
        format="multipart",
    )
    assert response.status_code == 400
    assert [(e["line"], e["column"]) for e in response.data["errors"]] == [(2, "dob"), (2, "sex")]


def test_error_caps_count_rows_and_keep_every_error_of_a_row():
    errors = [RowError(2, "dob", "x"), RowError(2, "sex", "y"), RowError(3, "dob", "z")]
    assert errors_of_first_rows(errors, 1) == errors[:2]
    stored = [[2, "dob", "x"], [2, "sex", "y"], [3, "dob", "z"]]
    assert errors_of_first_rows(stored, 2) == stored


# --- A tiny file replacing a big one -----------------------------------------------


def test_header_only_file_does_not_replace_a_dataset(load):
    first = load("asb", asb_rows(10)).partner_import
    with pytest.raises(ImportNeedsConfirmation) as held:
        load("asb", csv_bytes(ASB_HEADER), as_of=date(2026, 6, 30))
    assert (held.value.rows, held.value.previous) == (0, first)
    assert list(PartnerImport.objects.all()) == [first]
    assert PartnerRecord.objects.count() == 10


def test_header_only_file_needs_confirming_even_as_the_first_file(load):
    with pytest.raises(ImportNeedsConfirmation):
        load("asb", csv_bytes(ASB_HEADER))
    assert not PartnerImport.objects.exists()


def test_much_smaller_file_is_held_and_nothing_is_written(load):
    load("asb", asb_rows(10))
    with pytest.raises(ImportNeedsConfirmation) as held:
        load("asb", asb_rows(4, prefix="B"), as_of=date(2026, 6, 30))
    assert "4 rows to load, much fewer than the 10" in held.value.message
    assert PartnerImport.objects.count() == 1 and PartnerRecord.objects.count() == 10


def test_smaller_file_loads_when_confirmed(load):
    load("asb", asb_rows(10))
    outcome = loading.partner_file_import(
        actor=PartnerImport.objects.get().uploaded_by,
        local_authority=PartnerImport.objects.get().local_authority,
        kind="asb",
        agency=PartnerImport.objects.get().agency,
        as_of=date(2026, 6, 30),
        stream=io.BytesIO(asb_rows(2, prefix="B")),
        filename="asb.csv",
        confirm_smaller=True,
    )
    assert outcome.partner_import.loaded_rows == 2


def test_file_at_the_threshold_loads_without_confirming(load):
    load("asb", asb_rows(10))
    assert load("asb", asb_rows(5, prefix="B"), as_of=date(2026, 6, 30)).partner_import


def test_smaller_file_from_another_agency_or_kind_is_not_compared(load, team):
    load("asb", asb_rows(10))
    assert load("asb", asb_rows(1, prefix="B"), agency=team.council).partner_import


def test_smaller_file_is_compared_with_the_file_in_force_at_its_as_of_date(load):
    load("asb", asb_rows(10), as_of=date(2026, 6, 30))
    # Taken before the big file: it replaces nothing (no file was in force then).
    assert load("asb", asb_rows(1, prefix="B"), as_of=date(2026, 3, 31)).partner_import


def test_upload_page_holds_a_smaller_file_until_replace_anyway_is_ticked(client, team, load):
    load("asb", asb_rows(10))
    client.force_login(team.analyst)
    fields = {"kind": "asb", "agency": team.police.pk, "as_of": "2026-06-30"}
    small = asb_rows(2, prefix="B")
    page = client.post(
        reverse("datamatch:imports"), {**fields, "file": SimpleUploadedFile("a.csv", small)}
    )
    body = page.content.decode()
    assert page.status_code == 400 and "much smaller than the one it would replace" in body
    assert "Rows in force now" in body and "Replace anyway" in body
    assert "with under 50% of the rows" in body
    assert PartnerImport.objects.count() == 1
    page = client.post(
        reverse("datamatch:imports"),
        {**fields, "confirm_smaller": "on", "file": SimpleUploadedFile("a.csv", small)},
    )
    assert page.status_code == 302 and PartnerImport.objects.count() == 2


def test_api_refuses_a_smaller_file_unless_confirm_smaller(team, load):
    load("asb", asb_rows(10))
    api = APIClient()
    api.force_authenticate(team.analyst)
    fields = {"kind": "asb", "agency": team.police.pk, "as_of": "2026-06-30"}
    url = reverse("datamatch-api:partner-import-list")
    small = asb_rows(2, prefix="B")
    response = api.post(url, {**fields, "file": SimpleUploadedFile("a.csv", small)})
    assert response.status_code == 400
    assert (response.data["code"], response.data["rows"], response.data["rows_in_force"]) == (
        "confirm_smaller",
        2,
        10,
    )
    assert PartnerImport.objects.count() == 1
    response = api.post(
        url, {**fields, "confirm_smaller": "true", "file": SimpleUploadedFile("a.csv", small)}
    )
    assert response.status_code == 201 and response.data["loaded_rows"] == 2


def test_import_command_refuses_a_smaller_file_unless_confirm_smaller(tmp_path, team, load):
    load("asb", asb_rows(10))
    small = tmp_path / "asb.csv"
    small.write_bytes(csv_bytes(ASB_HEADER))
    options = {
        "kind": "asb",
        "agency": "Police",
        "as_of": date(2026, 6, 30),
        "authority": "E99000099",
    }
    with pytest.raises(CommandError, match="1 of 1 files rejected"):
        call_command("import_partner_data", str(small), **options)
    assert PartnerImport.objects.count() == 1
    call_command("import_partner_data", str(small), confirm_smaller=True, **options)
    assert PartnerImport.objects.count() == 2
