"""One test per rule of the import contract (`design/datasets.md`)."""

import hashlib
import io
from datetime import date

import pytest

from eligibility.datamatch.contract import KINDS, columns_for
from eligibility.datamatch.validate import validate_csv, write_rejected_csv
from tafcase.identity import normalise_postcode

AS_OF = date(2026, 3, 31)
HEADER = "record_id,forename,surname,dob"


def run(text: str, kind: str = "persons", as_of: date = AS_OF):
    return validate_csv(text.encode("utf-8"), kind, as_of)


def errors(result):
    return [(e.line, e.column) for e in result.errors]


def attendance(possible: str, authorised: str, unauthorised: str):
    return run(
        "record_id,forename,surname,sessions_possible,sessions_authorised_absent,"
        f"sessions_unauthorised_absent\nr1,Ann,Lee,{possible},{authorised},{unauthorised}\n",
        kind="school_attendance",
    )


def test_valid_file_gives_typed_normalised_rows():
    r = run(
        "record_id,forename,surname,dob,sex,postcode,upn,nhs_number\n"
        "a1, Ann ,Lee,2010-05-04,f,ab12cd,z 1234 5678,943 476 5919\n"
    )
    assert r.ok
    assert r.rows == [
        {
            "record_id": "A1",
            "forename": "Ann",
            "surname": "Lee",
            "dob": date(2010, 5, 4),
            "sex": "F",
            "postcode": "AB1 2CD",
            "upn": "Z12345678",
            "nhs_number": "9434765919",
        }
    ]
    assert r.row_lines == [2]


def test_bom_is_allowed():
    r = validate_csv(b"\xef\xbb\xbf" + f"{HEADER}\nr1,Ann,Lee,\n".encode(), "persons", AS_OF)
    assert r.ok and r.rows[0]["record_id"] == "R1"
    assert r.warnings == []


def test_non_utf8_file_is_rejected():
    r = validate_csv(f"{HEADER}\nr1,Ann,L".encode() + b"\xe9e,\n", "persons", AS_OF)
    assert not r.ok
    assert "UTF-8" in r.errors[0].reason


def test_column_names_are_case_insensitive():
    r = run("RECORD_ID,Forename,SurName,DoB\nr1,Ann,Lee,2001-01-01\n")
    assert r.ok and r.rows[0]["dob"] == date(2001, 1, 1)


def test_column_order_is_free():
    r = run("dob,surname,record_id,forename\n2001-01-01,Lee,r1,Ann\n")
    assert r.ok and r.rows[0]["forename"] == "Ann" and r.rows[0]["surname"] == "Lee"


def test_unknown_columns_are_ignored_with_a_warning():
    r = run("record_id,forename,surname,shoe_size\nr1,Ann,Lee,7\n")
    assert r.ok
    assert "shoe_size" not in r.rows[0]
    assert r.warnings == ["unknown column 'shoe_size' ignored"]


def test_missing_required_column_rejects_the_file():
    r = run("record_id,forename\nr1,Ann\n")
    assert errors(r) == [(1, "surname")]
    assert r.rows == []


def test_duplicate_column_is_rejected():
    r = run("record_id,forename,surname,Surname\nr1,Ann,Lee,Lee\n")
    assert errors(r) == [(1, "Surname")]


def test_empty_file_is_rejected():
    assert errors(run("")) == [(1, "")]


def test_rfc4180_quoting_with_embedded_comma_quote_and_newline():
    r = run('record_id,forename,surname\nr1,"Ann, ""Annie""","Lee\nSmith"\nr2,Bo,Ng\n')
    assert r.ok
    assert r.rows[0]["forename"] == 'Ann, "Annie"'
    assert r.rows[0]["surname"] == "Lee\nSmith"
    # r2 starts on physical line 4 because r1 spans lines 2-3.
    assert r.row_lines == [2, 4]


def test_error_line_is_the_physical_line_after_a_multiline_record():
    r = run('record_id,forename,surname,dob\nr1,"A\nnn",Lee,\nr2,Bo,Ng,not-a-date\n')
    assert errors(r) == [(4, "dob")]


def test_wrong_number_of_fields_is_a_row_error():
    r = run("record_id,forename,surname\nr1,Ann,Lee,extra\nr2,Bo,Ng\n")
    assert errors(r) == [(2, "")]
    assert [row["record_id"] for row in r.rows] == ["R2"]


def test_blank_lines_are_skipped():
    r = run("record_id,forename,surname\n\nr1,Ann,Lee\n\n")
    assert r.ok and r.row_lines == [3]


def test_accepts_iso_dates():
    assert run(f"{HEADER}\nr1,Ann,Lee,2012-02-29\n").rows[0]["dob"] == date(2012, 2, 29)


def test_accepts_dd_mm_yyyy_dates():
    assert run(f"{HEADER}\nr1,Ann,Lee,03/04/2012\n").rows[0]["dob"] == date(2012, 4, 3)


@pytest.mark.parametrize("bad", ["2012/04/03", "3/4/2012", "31/02/2012", "20120403", "yesterday"])
def test_rejects_other_date_formats_and_impossible_dates(bad):
    assert errors(run(f"{HEADER}\nr1,Ann,Lee,{bad}\n")) == [(2, "dob")]


def test_rejects_future_date_relative_to_as_of():
    r = run(f"{HEADER}\nr1,Ann,Lee,2026-04-01\nr2,Bo,Ng,2026-03-31\n")
    assert errors(r) == [(2, "dob")]
    assert "as-of" in r.errors[0].reason
    assert [row["record_id"] for row in r.rows] == ["R2"]  # the as-of day itself is fine


def test_future_end_date_is_a_row_error_too():
    r = run(
        "record_id,forename,surname,benefit,start_date,end_date\n"
        "r1,Ann,Lee,JSA,2025-01-01,2026-06-30\n",
        kind="benefits",
    )
    assert errors(r) == [(2, "end_date")]


def test_blank_means_unknown():
    r = run("record_id,forename,surname,dob,sex,postcode\nr1,Ann,Lee, , ,\n")
    assert r.ok
    assert r.rows[0]["dob"] is None and r.rows[0]["sex"] is None and r.rows[0]["postcode"] is None


def test_identifiers_lose_spaces_and_are_upper_cased():
    r = run(
        "record_id,forename,surname,nino,pnc_id,la_person_id\nr1,Ann,Lee,qq 12 34 56 c,"
        "19/123456 a,la 001\n"
    )
    assert r.rows[0]["nino"] == "QQ123456C"
    assert r.rows[0]["pnc_id"] == "19/123456A"
    assert r.rows[0]["la_person_id"] == "LA001"


@pytest.mark.parametrize("raw", ["ab12cd", "AB1 2CD", " ab1  2cd ", "Ab12Cd"])
def test_postcode_is_normalised_to_upper_case_with_one_space(raw):
    assert (
        run(f"record_id,forename,surname,postcode\nr1,Ann,Lee,{raw}\n").rows[0]["postcode"]
        == "AB1 2CD"
    )
    assert normalise_postcode("sw1a1aa") == "SW1A 1AA"


def test_nhs_number_must_be_ten_digits():
    r = run("record_id,forename,surname,nhs_number\nr1,Ann,Lee,123 456 789\nr2,Bo,Ng,12345678x0\n")
    assert errors(r) == [(2, "nhs_number"), (3, "nhs_number")]


def test_record_id_is_required():
    assert errors(run("record_id,forename,surname\n ,Ann,Lee\n")) == [(2, "record_id")]


def test_forename_is_required():
    assert errors(run("record_id,forename,surname\nr1,,Lee\n")) == [(2, "forename")]


def test_surname_is_required():
    assert errors(run("record_id,forename,surname\nr1,Ann,\n")) == [(2, "surname")]


def test_duplicate_record_id_is_a_row_error():
    r = run("record_id,forename,surname\nr1,Ann,Lee\nr2,Bo,Ng\n R 1,Cy,Oh\n")
    assert errors(r) == [(4, "record_id")]  # compared as identifiers: " R 1" is "R1"
    assert "line 2" in r.errors[0].reason


def test_sex_outside_vocabulary_is_a_row_error():
    r = run("record_id,forename,surname,sex\nr1,Ann,Lee,Q\nr2,Bo,Ng,m\n")
    assert errors(r) == [(2, "sex")]
    assert r.rows[0]["sex"] == "M"


@pytest.mark.parametrize(
    ("kind", "column", "good", "bad"),
    [
        ("persons", "relationship", "child", "grandchild"),
        ("school_attendance", "term", "autumn", "winter"),
        ("school_exclusions", "exclusion_type", "permanent", "expelled"),
        ("asb", "role", "witness", "bystander"),
        ("offending", "proven", "Y", "maybe"),
        ("benefits", "benefit", "UC_WORKING", "PIP"),
        ("domestic_abuse", "risk_level", "high", "extreme"),
        ("domestic_abuse", "marac", "N", "no"),
        ("childrens_social_care", "status", "LAC", "CLA"),
        ("health", "need", "autism_adhd_ehcp", "asthma"),
        ("housing", "event", "rent_arrears", "arrears"),
        ("early_years", "event", "development_concern", "concern"),
        ("neet", "status", "NEET", "unknown"),
    ],
)
def test_values_outside_a_vocabulary_are_row_errors(kind, column, good, bad):
    r = run(f"record_id,forename,surname,{column}\nr1,Ann,Lee,{good}\nr2,Bo,Ng,{bad}\n", kind)
    assert errors(r) == [(3, column)]
    assert r.rows[0][column] == good


@pytest.mark.parametrize("bad", ["-1", "1.5", "+3", "ten", "1e3"])
def test_numbers_must_be_non_negative_integers(bad):
    r = attendance("100", bad, "0")
    assert errors(r) == [(2, "sessions_authorised_absent")]


def test_absence_sessions_cannot_exceed_possible():
    assert errors(attendance("100", "60", "41")) == [(2, "sessions_possible")]


def test_absence_sessions_may_equal_possible():
    r = attendance("100", "60", "40")
    assert r.ok and r.rows[0]["sessions_possible"] == 100


def test_blank_absence_counts_as_unknown_not_an_error():
    assert attendance("100", "", "100").ok


@pytest.mark.parametrize(("value", "ok"), [("2025/26", True), ("2025/27", False), ("2025", False)])
def test_academic_year_format(value, ok):
    r = run(f"record_id,forename,surname,academic_year\nr1,Ann,Lee,{value}\n", "school_attendance")
    assert r.ok is ok


def test_unknown_kind_raises():
    with pytest.raises(KeyError):
        run(f"{HEADER}\n", kind="library_loans")


def test_every_kind_accepts_a_header_of_all_its_columns():
    for kind in KINDS:
        header = ",".join(c.name for c in columns_for(kind))
        r = run(f"{header}\n", kind)
        assert r.ok and r.warnings == [], kind


def test_sha256_is_of_the_bytes_for_idempotent_reupload():
    data = f"{HEADER}\nr1,Ann,Lee,\n".encode()
    r1, r2 = validate_csv(data, "persons", AS_OF), validate_csv(data, "persons", AS_OF)
    assert r1.sha256 == r2.sha256 == hashlib.sha256(data).hexdigest()
    assert validate_csv(data + b"\n", "persons", AS_OF).sha256 != r1.sha256


def test_rejected_rows_are_written_with_an_error_column():
    r = run(f"{HEADER},foo\nr1,Ann,Lee,2030-01-01,x\nr2,Bo,Ng,,y\nr3,,Oh,bad,z\n")
    out = io.StringIO()
    assert write_rejected_csv(r, out) == 2
    lines = out.getvalue().splitlines()
    assert lines[0] == f"{HEADER},foo,error"
    assert lines[1].startswith("r1,Ann,Lee,2030-01-01,x,line 2: dob: 2030-01-01 is after")
    assert lines[2].startswith("r3,,Oh,bad,z,line 4: ")
    assert "forename: is required" in lines[2] and "dob:" in lines[2]


def test_validation_throughput_smoke():
    # A smoke check on throughput; the full 1M-row figure is in benchmark.validation_speed.
    import time

    body = "".join(f"r{i},Ann,Lee,2010-05-04,F,ab1 2cd,Z{i}\n" for i in range(20_000))
    data = ("record_id,forename,surname,dob,sex,postcode,upn\n" + body).encode()
    t = time.perf_counter()
    r = validate_csv(data, "persons", AS_OF)
    assert r.ok and len(r.rows) == 20_000
    assert time.perf_counter() - t < 5
