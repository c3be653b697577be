"""The identity rules (tafcase.identity), table by table. All values are synthetic."""

from datetime import date

import pytest

from tafcase import identity
from tafcase.identity import IdentityError

TODAY = date(2026, 3, 15)


@pytest.mark.parametrize(
    ("dob", "on", "age"),
    [
        (date(2008, 3, 15), TODAY, 18),  # 18 on the 18th birthday
        (date(2008, 3, 16), TODAY, 17),  # the day before it
        (date(2020, 2, 29), date(2025, 2, 28), 4),  # leap-day birthdays come on 1 March
        (date(2020, 2, 29), date(2025, 3, 1), 5),
        (date(2026, 3, 15), TODAY, 0),
        (date(1950, 12, 31), date(2026, 1, 1), 75),
    ],
)
def test_age_on_counts_completed_years(dob, on, age):
    assert identity.age_on(dob, on) == age


@pytest.mark.parametrize(
    ("age", "child", "adult", "school_age", "under_school_age", "young_person"),
    [
        (0, True, False, False, True, False),
        (4, True, False, False, True, False),
        (5, True, False, True, False, False),
        (15, True, False, True, False, False),
        (16, True, False, False, False, True),
        (17, True, False, False, False, True),
        (18, False, True, False, False, True),
        (24, False, True, False, False, True),
        (25, False, True, False, False, False),
    ],
)
def test_age_bands_follow_the_rulebook_conventions(
    age, child, adult, school_age, under_school_age, young_person
):
    assert identity.is_child_age(age) is child
    assert identity.is_adult_age(age) is adult
    assert identity.is_school_age(age) is school_age
    assert identity.is_under_school_age(age) is under_school_age
    assert identity.is_young_person_age(age) is young_person


@pytest.mark.parametrize(
    ("dob", "listed_as_child", "child"),
    [
        (None, True, True),  # age unknown: how they are listed decides
        (None, False, False),
        (date(2009, 1, 1), False, True),  # a 17-year-old parent is a child
        (date(2007, 1, 1), True, False),  # a 19-year-old listed as a child is an adult
    ],
)
def test_is_child_goes_by_age_when_it_is_known(dob, listed_as_child, child):
    assert identity.is_child(dob, TODAY, listed_as_child=listed_as_child) is child


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("nb1 2ab", "NB1 2AB"),
        ("NB12AB", "NB1 2AB"),
        ("  sw1a   1aa ", "SW1A 1AA"),
        ("M1 1AE", "M1 1AE"),
        ("B338TH", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN551PT", "DN55 1PT"),
        ("W1A0AX", "W1A 0AX"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("gir0aa", "GIR 0AA"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_parse_postcode_accepts_uk_postcodes_with_or_without_the_space(typed, stored):
    assert identity.parse_postcode(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "AB123CDE",  # eight characters without a space: would not fit spaced
        "NB1",  # an outward code alone
        "12345",
        "NB1 2A",
        "NB1 2ABC",
        "NBC1 2AB",
        "N1 AAB",
        "NB1\x002AB",
        "NB1 2AB extra",
    ],
)
def test_parse_postcode_refuses_anything_else(typed):
    with pytest.raises(IdentityError) as error:
        identity.parse_postcode(typed)
    assert typed.strip() not in str(error.value) or not typed.strip()


@pytest.mark.parametrize(
    ("value", "normalised"),
    [("nb12ab", "NB1 2AB"), ("AB123CDE", "AB123 CDE"), ("nb1", "NB1"), ("x 1", "X1")],
)
def test_normalise_postcode_never_refuses(value, normalised):
    assert identity.normalise_postcode(value) == normalised


@pytest.mark.parametrize(
    ("typed", "prefix"),
    [
        ("nb1 2ab", "NB1 2AB"),
        ("nb12ab", "NB1 2AB"),
        ("nb1", "NB1 "),
        ("sw1a", "SW1A "),
        ("nb1 2", "NB1 2"),
        ("x", None),
        ("hello world", None),
    ],
)
def test_postcode_search_prefix(typed, prefix):
    assert identity.postcode_search_prefix(typed) == prefix


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("QQ 12 34 56 C", "QQ123456C"),  # HMRC's specimen prefix, for synthetic data
        ("ab 12 34 56 c", "AB123456C"),
        ("AB123456D", "AB123456D"),
        ("JG103759A", "JG103759A"),
        ("", ""),
    ],
)
def test_parse_nino(typed, stored):
    if stored is None:
        with pytest.raises(IdentityError):
            identity.parse_nino(typed)
    else:
        assert identity.parse_nino(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "AB123456",  # no suffix letter
        "AB123456E",  # suffix beyond D
        "AB1234567C",  # seven digits: too long for the column
        "DA123456A",  # D is never a first letter
        "AO123456A",  # O is never a second letter
        "GB123456A",  # unused prefix
        "TN123456A",
        "AB12345CA",
        "QA123456A",  # Q only as HMRC's specimen QQ
        "AB 12 34 56 C D",
    ],
)
def test_parse_nino_refuses_bad_formats_and_prefixes(typed):
    with pytest.raises(IdentityError):
        identity.parse_nino(typed)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("B801200005001", "B801200005001"),
        ("b801 2000 05001", "B801200005001"),
        ("A" + "0" * 12, "A000000000000"),
        ("", ""),
    ],
)
def test_parse_upn_accepts_a_correct_check_letter(typed, stored):
    assert identity.parse_upn(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "A801200005001",  # wrong check letter
        "B80120000500",  # 12 characters
        "B8012000050011",  # 14 characters
        "B80120000A001",  # letters only at the ends
        "I801200005001",  # I is not a UPN letter
        "1801200005001",
    ],
)
def test_parse_upn_refuses_wrong_length_format_or_check_letter(typed):
    with pytest.raises(IdentityError):
        identity.parse_upn(typed)


def test_upn_check_letter_for_a_temporary_upn_with_a_final_letter():
    stem = "80120000500A"
    upn = identity.upn_check_letter(stem) + stem
    assert identity.parse_upn(upn) == upn


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("943 476 5919", "9434765919"),
        ("9434765919", "9434765919"),
        ("401 023 2137", "4010232137"),
        ("", ""),
    ],
)
def test_parse_nhs_number_accepts_a_correct_check_digit(typed, stored):
    assert identity.parse_nhs_number(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "9434765918",  # wrong check digit
        "943476591",  # nine digits
        "94347659190",  # eleven digits
        "943476591X",
        "１２３４５６７８９０",  # full-width digits are not ASCII digits
    ],
)
def test_parse_nhs_number_refuses_wrong_length_or_check_digit(typed):
    with pytest.raises(IdentityError):
        identity.parse_nhs_number(typed)


def test_nhs_number_check_can_be_left_to_the_format_alone():
    assert identity.parse_nhs_number("9434765918", check_digit=False) == "9434765918"


def test_nhs_check_digit_none_when_remainder_gives_ten():
    # 0000000060: 6 x 2 = 12, 12 mod 11 = 1, 11 - 1 = 10, so no check digit exists.
    assert identity.nhs_check_digit("000000006") is None


@pytest.mark.parametrize(
    ("year", "serial", "letter"),
    [
        ("12", "1234", identity.pnc_check_letter("12", "1234")),
        ("99", "0000001", identity.pnc_check_letter("99", "1")),
    ],
)
def test_parse_pnc_id_normalises_year_serial_and_letter(year, serial, letter):
    expected = f"{year}/{int(serial):07d}{letter}"
    assert identity.parse_pnc_id(f"{year}/{serial}{letter.lower()}") == expected
    assert identity.parse_pnc_id(f"20{year}/{int(serial):07d}{letter}") == expected
    assert identity.parse_pnc_id(f"{year} {int(serial):07d} {letter}") == expected


def test_pnc_check_letter_is_year_and_serial_modulo_23():
    # 120001234 mod 23 = 22, the 23rd (last) letter of ZABCDEFGHJKLMNPQRTUVWXY.
    assert 120001234 % 23 == 22
    assert identity.pnc_check_letter("12", "1234") == "Y"


@pytest.mark.parametrize(
    "typed", ["12/0001234A", "12/12345678Y", "AB/0001234Y", "12/Y", "12/1234", "121234Y"]
)
def test_parse_pnc_id_refuses_bad_format_or_check_letter(typed):
    with pytest.raises(IdentityError):
        identity.parse_pnc_id(typed)


@pytest.mark.parametrize(
    ("name", "value", "normalised"),
    [
        ("nino", "ab 12 34 56 c", "AB123456C"),
        ("nino", "qq 12 34 56 c", "QQ123456C"),
        ("nino", "dq 12 34 56 c", "DQ123456C"),  # not valid, kept in compared form
        ("nhs_number", "943 476 5919", "9434765919"),
        ("pnc_id", "2012/1234y", "12/0001234Y"),
        ("pnc_id", "12/1234a", "12/1234A"),
        ("la_person_id", " nb 123 ", "NB123"),
    ],
)
def test_normalise_identifier_tidies_without_refusing(name, value, normalised):
    assert identity.normalise_identifier(name, value) == normalised


def test_every_parsed_identifier_fits_its_column():
    for name, parse in identity.IDENTIFIER_PARSERS.items():
        with pytest.raises(IdentityError):
            parse("9" * 40)
        assert name in identity.IDENTIFIER_LENGTHS


@pytest.mark.parametrize(
    ("text", "lenient", "parsed"),
    [
        ("2026-03-15", False, date(2026, 3, 15)),
        ("15/03/2026", False, date(2026, 3, 15)),
        ("0049-01-01", False, date(49, 1, 1)),
        ("15-03-2026", True, date(2026, 3, 15)),
        ("15 03 2026", True, date(2026, 3, 15)),
        ("5/3/2026", True, date(2026, 3, 5)),
    ],
)
def test_parse_date(text, lenient, parsed):
    assert identity.parse_date(text, lenient=lenient) == parsed


@pytest.mark.parametrize(
    ("text", "lenient"),
    [
        ("15-03-2026", False),
        ("2026-02-30", False),
        ("31/04/2026", False),
        ("2026-3-5", True),
        ("5/3/2026", False),
        ("5/3/26", True),
        ("2026-03-15T00:00", True),
        ("", True),
    ],
)
def test_parse_date_refuses_other_formats_and_impossible_dates(text, lenient):
    with pytest.raises(IdentityError):
        identity.parse_date(text, lenient=lenient)


@pytest.mark.parametrize(
    ("dob", "ok"),
    [
        (TODAY, True),
        (date(1900, 1, 1), True),
        (date(1899, 12, 31), False),
        (date(49, 1, 1), False),
        (date(2026, 3, 16), False),
        (date(9999, 12, 31), False),
    ],
)
def test_date_of_birth_is_not_future_nor_before_1900(dob, ok):
    assert identity.is_plausible_date_of_birth(dob, today=TODAY) is ok
    if ok:
        assert identity.check_date_of_birth(dob, today=TODAY) == dob
    else:
        with pytest.raises(IdentityError) as error:
            identity.check_date_of_birth(dob, today=TODAY)
        assert dob.isoformat() not in str(error.value)


@pytest.mark.parametrize(
    ("d", "ok"),
    [
        (TODAY, True),
        (date(2026, 3, 16), False),
        (date(1900, 1, 1), True),
        (date(1899, 12, 31), False),
        (date(1, 1, 1), False),
    ],
)
def test_consent_and_taf_dates_are_not_in_the_future(d, ok):
    if ok:
        assert identity.check_not_future(d, today=TODAY) == d
    else:
        with pytest.raises(IdentityError):
            identity.check_not_future(d, today=TODAY)


@pytest.mark.parametrize(
    ("d", "ok"),
    [
        (date(2036, 3, 15), True),
        (date(2036, 3, 16), False),
        (date(1900, 1, 1), True),
        (date(1899, 12, 31), False),
        (date(9999, 12, 31), False),
    ],
)
def test_event_dates_stay_within_a_sane_window(d, ok):
    if ok:
        assert identity.check_event_date(d, today=TODAY) == d
    else:
        with pytest.raises(IdentityError):
            identity.check_event_date(d, today=TODAY)


def test_event_window_from_a_leap_day():
    assert identity.check_event_date(date(2038, 2, 28), today=date(2028, 2, 29))
