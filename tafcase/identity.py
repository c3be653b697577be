"""Identity rules: ages and age bands, postcodes, personal identifiers and plausible dates.

The one home for these rules: families, eligibility (rules and data-match) and outcomes all
call this module, so a person is a child, a postcode is valid or an NHS number is checked
the same way everywhere. Pure functions over plain values; no ORM, no settings, no clock
(callers pass ``today``).

Parsers (``parse_*``) are strict: they return the stored form of a value or raise
:class:`IdentityError`. Normalisers (``normalise_*``) never raise: they give the stored form
of a valid value and a tidied-up (spaces removed, upper case) form of anything else, for
data that must load even when a partner's system holds a typo (``design/datasets.md``).

Error messages are written for the person who typed the value and never repeat it, so they
are safe to log.
"""

from __future__ import annotations

import re
from datetime import date

# --- errors ---------------------------------------------------------------------------


class IdentityError(ValueError):
    """A value that breaks an identity rule. The message never contains the value."""


# --- ages and age bands -----------------------------------------------------------------

# design/rulebooks.md, Conventions: age at D decides child (< 18), adult (>= 18),
# school-age (5-15: compulsory school age, as the rulebooks count it) and young person
# (16-24).
ADULT_AGE = 18
SCHOOL_AGE = range(5, 16)
YOUNG_PERSON_AGE = range(16, 25)


def age_on(dob: date, on: date) -> int:
    """Completed years of age on ``on``; a person is 18 on their 18th birthday.

    Someone born on 29 February has their birthday on 1 March in other years.
    """
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def is_child_age(age: int) -> bool:
    return age < ADULT_AGE


def is_adult_age(age: int) -> bool:
    return age >= ADULT_AGE


def is_school_age(age: int) -> bool:
    return age in SCHOOL_AGE


def is_under_school_age(age: int) -> bool:
    return age < SCHOOL_AGE.start


def is_young_person_age(age: int) -> bool:
    return age in YOUNG_PERSON_AGE


def is_child(dob: date | None, on: date, *, listed_as_child: bool) -> bool:
    """Whether a person counts as a child on ``on``: by age when the date of birth is
    known, otherwise by how they are listed in the family (role or relationship)."""
    if dob is None:
        return listed_as_child
    return is_child_age(age_on(dob, on))


# --- postcodes --------------------------------------------------------------------------

# The six UK formats (A9 9AA, A99 9AA, AA9 9AA, AA99 9AA, A9A 9AA, AA9A 9AA), plus GIR 0AA.
_OUTWARD = r"(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR)"
_INWARD = r"[0-9][A-Z]{2}"
_POSTCODE = re.compile(rf"({_OUTWARD})({_INWARD})")
_OUTWARD_ONLY = re.compile(_OUTWARD)
_PARTIAL_INWARD = re.compile(r"[0-9][A-Z]{0,2}")
_WHITESPACE = re.compile(r"\s+")
POSTCODE_MAX_LENGTH = 8  # "AA9A 9AA": the stored, spaced form
POSTCODE_HELP = "Enter a real postcode, like AB1 2CD."


def compact(value: str) -> str:
    """Spaces removed and upper case: how identifiers are compared (datasets.md)."""
    return _WHITESPACE.sub("", value).upper()


def parse_postcode(value: str) -> str:
    """A UK postcode, with or without the space, in any case → ``"AB1 2CD"``.

    Blank gives ``""``; anything that is not a whole UK postcode raises.
    """
    text = compact(value)
    if not text:
        return ""
    match = _POSTCODE.fullmatch(text)
    if not match:
        raise IdentityError(POSTCODE_HELP)
    return f"{match[1]} {match[2]}"


def normalise_postcode(value: str) -> str:
    """Like :func:`parse_postcode` but never raises: a malformed postcode is upper-cased,
    and spaced before its last three characters when it is long enough to have them."""
    try:
        return parse_postcode(value)
    except IdentityError:
        text = compact(value)
        return f"{text[:-3]} {text[-3:]}" if len(text) >= 5 else text


def postcode_search_prefix(value: str) -> str | None:
    """The start of the stored postcodes that a postcode typed in a search box matches: a
    whole postcode (``"ab12cd"`` → ``"AB1 2CD"``), a sector (``"ab1 2"`` → ``"AB1 2"``) or
    an outward code with its space (``"ab1"`` → ``"AB1 "``, which AB12 postcodes do not
    start with); None when the text is none of these."""
    parts = value.upper().split()
    if (
        len(parts) == 2
        and _OUTWARD_ONLY.fullmatch(parts[0])
        and _PARTIAL_INWARD.fullmatch(parts[1])
    ):
        return f"{parts[0]} {parts[1]}"
    text = "".join(parts)
    if _POSTCODE.fullmatch(text):
        return parse_postcode(text)
    if _OUTWARD_ONLY.fullmatch(text):
        return f"{text} "
    return None


# --- identifiers ------------------------------------------------------------------------

# National Insurance number: two prefix letters, six digits, suffix A-D. HMRC never issues
# D, F, I, Q, U or V as either letter, O as the second, nor the prefixes below. QQ is
# HMRC's specimen prefix ("QQ 12 34 56 C"): accepted, so demonstrations, training and
# tests can use numbers that are certainly nobody's.
_NINO = re.compile(r"(?:[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]|QQ)[0-9]{6}[A-D]")
_NINO_UNUSED_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})
NINO_LENGTH = 9

# Unique Pupil Number (DfE): a check letter, then 12 characters (11 digits and a final
# digit, or a final letter for a temporary UPN). The letters never include I, O or S.
_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN = re.compile(rf"[{_UPN_LETTERS}][0-9]{{11}}[0-9{_UPN_LETTERS}]")
UPN_LENGTH = 13

NHS_NUMBER_LENGTH = 10

# Police National Computer id: year, serial number, check letter. Written YY/NNNNNNNL;
# the year may come as four digits, and the serial without its leading zeros when the
# slash shows where it starts.
_PNC = re.compile(r"(?:[0-9]{2})?([0-9]{2})(?:/([0-9]{1,7})|([0-9]{7}))([A-Z])")
_PNC_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"
PNC_ID_LENGTH = 11

LA_PERSON_ID_MAX_LENGTH = 30


def parse_nino(value: str) -> str:
    """A National Insurance number, spaces allowed → ``"AB123456C"``; blank → ``""``."""
    text = compact(value)
    if not text:
        return ""
    if not _NINO.fullmatch(text) or text[:2] in _NINO_UNUSED_PREFIXES:
        raise IdentityError(
            "Enter a National Insurance number in the right format, like QQ 12 34 56 C."
        )
    return text


def upn_check_letter(last_twelve: str) -> str:
    """The DfE check letter for the 12 characters after it: each character's value
    (digits as themselves, letters by their place in the UPN alphabet) times its position
    (2 to 13), summed, modulo 23."""
    total = 0
    for position, char in enumerate(last_twelve, start=2):
        value = int(char) if char.isdigit() else _UPN_LETTERS.index(char)
        total += position * value
    return _UPN_LETTERS[total % 23]


def parse_upn(value: str) -> str:
    """A Unique Pupil Number with a correct check letter → ``"A123456789012"``."""
    text = compact(value)
    if not text:
        return ""
    if len(text) != UPN_LENGTH or not _UPN.fullmatch(text):
        raise IdentityError("Enter a 13-character Unique Pupil Number, like A123456789012.")
    if upn_check_letter(text[1:]) != text[0]:
        raise IdentityError("Enter a real Unique Pupil Number: the check letter does not match.")
    return text


def nhs_check_digit(first_nine: str) -> int | None:
    """The modulus 11 check digit for the first nine digits; None when there is none (a
    remainder giving 10 means no valid NHS number starts with these digits)."""
    total = sum(int(d) * weight for d, weight in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def parse_nhs_number(value: str, *, check_digit: bool = True) -> str:
    """An NHS number, spaces allowed → ``"9434765919"``. With ``check_digit`` (the
    default) the tenth digit must be the modulus 11 check digit of the other nine."""
    text = compact(value)
    if not text:
        return ""
    if len(text) != NHS_NUMBER_LENGTH or not (text.isascii() and text.isdigit()):
        raise IdentityError("Enter a 10-digit NHS number.")
    if check_digit and nhs_check_digit(text[:9]) != int(text[9]):
        raise IdentityError("Enter a real NHS number: the check digit does not match.")
    return text


def pnc_check_letter(year: str, serial: str) -> str:
    """The check letter of a PNC id: year and 7-digit serial read as one number, mod 23."""
    return _PNC_LETTERS[int(f"{year}{int(serial):07d}") % 23]


def parse_pnc_id(value: str, *, check_letter: bool = True) -> str:
    """A Police National Computer id → ``"YY/NNNNNNNL"`` (two-digit year, seven-digit
    serial, check letter): ``"2012/1234a"`` → ``"12/0001234A"``."""
    text = compact(value)
    if not text:
        return ""
    match = _PNC.fullmatch(text)
    if not match:
        raise IdentityError("Enter a PNC id like 12/0001234A: year, number and check letter.")
    year, serial, letter = match[1], match[2] or match[3], match[4]
    if check_letter and pnc_check_letter(year, serial) != letter:
        raise IdentityError("Enter a real PNC id: the check letter does not match.")
    return f"{year}/{int(serial):07d}{letter}"


def parse_la_person_id(value: str) -> str:
    """The council's own person id: any characters, compared without spaces."""
    text = compact(value)
    if len(text) > LA_PERSON_ID_MAX_LENGTH:
        raise IdentityError(
            f"A council person id has at most {LA_PERSON_ID_MAX_LENGTH} characters."
        )
    return text


# Person identifier fields by name (families.models.Person.IDENTIFIER_FIELDS and the
# data-match's identity columns): the strict parser and the stored length of each.
IDENTIFIER_PARSERS = {
    "upn": parse_upn,
    "nino": parse_nino,
    "nhs_number": parse_nhs_number,
    "pnc_id": parse_pnc_id,
    "la_person_id": parse_la_person_id,
}
IDENTIFIER_LENGTHS = {
    "upn": UPN_LENGTH,
    "nino": NINO_LENGTH,
    "nhs_number": NHS_NUMBER_LENGTH,
    "pnc_id": PNC_ID_LENGTH,
    "la_person_id": LA_PERSON_ID_MAX_LENGTH,
}


def parse_identifier(name: str, value: str) -> str:
    """The stored form of identifier ``name`` (``"nino"``, ``"upn"``…), or raise."""
    return IDENTIFIER_PARSERS[name](value)


def normalise_identifier(name: str, value: str) -> str:
    """Like :func:`parse_identifier` but never raises: a value that breaks the rules is
    kept, without spaces and upper-cased, which is how identifiers are compared."""
    try:
        return parse_identifier(name, value)
    except IdentityError:
        return compact(value)


# --- dates ------------------------------------------------------------------------------

EARLIEST_DATE = date(1900, 1, 1)  # no date of birth or event the service holds is older
FUTURE_EVENT_YEARS = 10  # how far ahead a planned date (a panel, a due date) may be


_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_UK_DATE = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})")
_UK_DATE_TYPED = re.compile(r"([0-9]{1,2})[-/ ]([0-9]{1,2})[-/ ]([0-9]{4})")


def parse_date(value: str, *, lenient: bool = False) -> date:
    """``YYYY-MM-DD`` or ``DD/MM/YYYY`` (the partner data contract), and with ``lenient``
    also ``D/M/YYYY``, ``DD-MM-YYYY`` and ``DD MM YYYY`` (what people type in a search box).
    Raises :class:`IdentityError` for anything else, including impossible dates."""
    text = value.strip()
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = match[1], match[2], match[3]
    elif (match := _UK_DATE.fullmatch(text)) or (
        lenient and (match := _UK_DATE_TYPED.fullmatch(text))
    ):
        day, month, year = match[1], match[2], match[3]
    else:
        raise IdentityError("Enter a date as YYYY-MM-DD or DD/MM/YYYY.")
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise IdentityError("Enter a real date.") from None


def check_not_future(d: date, *, today: date) -> date:
    """Consent, Team Around the Family and contact dates: they happened, so not later
    than today, and not before :data:`EARLIEST_DATE`."""
    if d > today:
        raise IdentityError("The date cannot be in the future.")
    if d < EARLIEST_DATE:
        raise IdentityError(f"The date must be in {EARLIEST_DATE.year} or later.")
    return d


def check_date_of_birth(d: date, *, today: date) -> date:
    """A date of birth: not in the future and not before 1900."""
    if d > today:
        raise IdentityError("The date of birth cannot be in the future.")
    if d < EARLIEST_DATE:
        raise IdentityError(f"The date of birth must be in {EARLIEST_DATE.year} or later.")
    return d


def check_event_date(d: date, *, today: date) -> date:
    """Any other date (evidence, a meeting, a due date): from :data:`EARLIEST_DATE` to
    :data:`FUTURE_EVENT_YEARS` years from today."""
    latest = _years_after(today, FUTURE_EVENT_YEARS)
    if not EARLIEST_DATE <= d <= latest:
        raise IdentityError(f"The date must be between {EARLIEST_DATE.year} and {latest.year}.")
    return d


def is_plausible_date_of_birth(d: date | None, *, today: date) -> bool:
    """True for no date, or a date :func:`check_date_of_birth` accepts."""
    if d is None:
        return True
    try:
        check_date_of_birth(d, today=today)
    except IdentityError:
        return False
    return True


def _years_after(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February into a year that has none
        return d.replace(year=d.year + years, day=28)
