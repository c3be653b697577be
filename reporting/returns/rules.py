"""The national returns' rules as pure functions: programme years, reproducible samples,
small-count suppression, the Family Progress Data points and what each column says at a
point, the Cost Saving Calculator's before/after windows and its cost arithmetic.

No Django and no ORM: plain values in, plain values out (house style, rule 4). The
services and selectors load rows, call these and store or show what they return.
Households, members and partner records are the rulebook's own values
(``eligibility.rules``), so a return reads a family exactly as screening does.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from eligibility.rules import Household, Kind, Member, Record, dates
from eligibility.rules.dates import ONE_DAY, Window
from reporting.rules import SUPPRESS_BELOW
from tafcase import identity

# --- programme years ------------------------------------------------------------------

#: A programme year runs from 1 April to 31 March (the UK financial year).
YEAR_STARTS_IN_MONTH = 4


def programme_year_of(d: date) -> int:
    """The programme year a date falls in, named by the calendar year it starts in:
    31 March 2026 is in 2025 (2025 to 2026), 1 April 2026 in 2026."""
    return d.year if d.month >= YEAR_STARTS_IN_MONTH else d.year - 1


def programme_year_bounds(year: int) -> tuple[date, date]:
    """First and last day of a programme year, both included."""
    return date(year, YEAR_STARTS_IN_MONTH, 1), date(year + 1, YEAR_STARTS_IN_MONTH, 1) - ONE_DAY


def programme_year_label(year: int) -> str:
    """``2025 to 2026``, as GOV.UK writes a financial year."""
    return f"{year} to {year + 1}"


# --- samples --------------------------------------------------------------------------

#: The least share of a year's attached families each return samples (reporting.md §3).
FPD_MIN_PERCENT = 10
CSC_MIN_PERCENT = 25


def sample_size(population: int, percent: int) -> int:
    """How many of ``population`` a ``percent`` sample takes: rounded up, so a sample is
    never below its percentage, and at least one while there is anyone to take."""
    if not 0 < percent <= 100:
        raise ValueError("A sample is between 1% and 100%.")
    if population <= 0:
        return 0
    return min(population, max(1, math.ceil(population * percent / 100)))


def draw_sample(population: Iterable[int], *, percent: int, seed: int) -> list[int]:
    """``percent`` of ``population`` (ids) drawn at random with ``seed``, sorted. The
    population is sorted first, so the same seed and the same ids always give the same
    sample, whatever order the ids arrive in."""
    ids = sorted(set(population))
    return sorted(random.Random(seed).sample(ids, sample_size(len(ids), percent)))


# --- small counts ---------------------------------------------------------------------

#: Counts below this show as "<5" to anyone who may not drill down (reporting.md §4): the
#: report cards' threshold, so every report hides the same counts.
SMALL_COUNT = SUPPRESS_BELOW


def is_suppressed(n: int, *, exact: bool) -> bool:
    """Whether a count is hidden: 1 to 4 for someone who may not see names. Nought is
    shown, as it points at nobody."""
    return not exact and 0 < n < SMALL_COUNT


def shown_count(n: int, *, exact: bool) -> str:
    return f"<{SMALL_COUNT}" if is_suppressed(n, exact=exact) else f"{n:,}"


def percent_of(part: int, whole: int) -> str:
    """``part`` as a whole-number percentage of ``whole`` (``"0%"`` of nothing)."""
    if whole <= 0:
        return "0%"
    return f"{Decimal(part * 100) / Decimal(whole):.0f}%"


# --- Family Progress Data: the points -------------------------------------------------

#: Each point describes the months up to it: the six before attachment, then the first
#: and second six months after, so no event is counted at two points.
POINT_WINDOW_MONTHS = 6
#: Health needs are recorded rarely, so a need recorded in the year before a point counts.
HEALTH_LOOK_BACK_MONTHS = 12


@dataclass(frozen=True)
class Point:
    key: str
    label: str
    months: int
    on: date
    window: Window

    @property
    def csv_name(self) -> str:
        return self.key


POINTS: tuple[tuple[str, str, int], ...] = (
    ("attachment", "At attachment", 0),
    ("6_months", "6 months after attachment", 6),
    ("12_months", "12 months after attachment", 12),
)


def progress_points(attached_on: date, today: date) -> tuple[Point, ...]:
    """The points of a family attached on ``attached_on`` that have been reached by
    ``today``: attachment, then 6 and 12 calendar months after it."""
    points = []
    for key, label, months in POINTS:
        on = dates.months_after(attached_on, months)
        if on > today:
            break
        start = dates.months_after(attached_on, months - POINT_WINDOW_MONTHS)
        points.append(Point(key, label, months, on, Window(start, on)))
    return tuple(points)


# --- Family Progress Data: the columns ------------------------------------------------


class Level(StrEnum):
    FAMILY = "family"
    MEMBER = "member"
    BOTH = "both"


@dataclass(frozen=True)
class Field:
    """One column of the Family Progress Data CSV, and how the page describes it."""

    name: str
    label: str
    level: Level
    source: str
    kinds: tuple[str, ...] = ()
    # Set when tafcase holds nothing for the column: it is always blank, and this says why.
    unavailable: str = ""


FIELDS: tuple[Field, ...] = (
    Field(
        "adults",
        "Adults in the household",
        Level.FAMILY,
        "Family members living in the household at the point (parents, carers and other "
        "adults), aged 18 or over, or listed as adults when the date of birth is not known.",
    ),
    Field(
        "children",
        "Children in the household",
        Level.FAMILY,
        "Family members under 18 at the point, or listed as children when the date of "
        "birth is not known.",
    ),
    Field(
        "agencies_involved",
        "Agencies on the Team Around the Family",
        Level.FAMILY,
        "Agencies on the family's Team Around the Family on the date of the point.",
    ),
    Field(
        "criteria_met",
        "Problems: how many criteria are met",
        Level.FAMILY,
        "The rulebook in force evaluated on the date of the point, from recorded evidence "
        "and the partner records the current data-match linked to the family's members.",
    ),
    Field(
        "criteria",
        "Problems: which criteria are met",
        Level.FAMILY,
        "The same evaluation: the met criteria's codes, separated by semicolons, or none.",
    ),
    Field(
        "member_role",
        "Member's place in the family",
        Level.MEMBER,
        "Parent or carer, child, or other adult, as recorded on the family.",
    ),
    Field(
        "age_band",
        "Age band",
        Level.MEMBER,
        "Age on the date of the point, in bands; blank without a date of birth.",
    ),
    Field("sex", "Sex", Level.MEMBER, "As recorded on the person (F, M or X)."),
    Field(
        "out_of_work_benefit",
        "On an out-of-work benefit",
        Level.BOTH,
        "An out-of-work benefit claim (as the rulebook lists them) open on the date of the "
        "point; for the family, any adult.",
        kinds=(Kind.BENEFITS,),
    ),
    Field(
        "in_work",
        "In work",
        Level.BOTH,
        "An employment record open on the date of the point; for the family, any adult.",
        kinds=(Kind.EMPLOYMENT,),
    ),
    Field(
        "school_absence_percent",
        "School absence (% of sessions)",
        Level.BOTH,
        "Authorised and unauthorised absence as a share of possible sessions, in terms "
        "ending in the six months up to the point; children of school age only.",
        kinds=(Kind.SCHOOL_ATTENDANCE,),
    ),
    Field(
        "exclusions",
        "School exclusions and suspensions",
        Level.BOTH,
        "Exclusions and suspensions starting in the six months up to the point.",
        kinds=(Kind.SCHOOL_EXCLUSIONS,),
    ),
    Field(
        "proven_offences",
        "Proven offences",
        Level.BOTH,
        "Offences proven (by their outcome date) in the six months up to the point.",
        kinds=(Kind.OFFENDING,),
    ),
    Field(
        "asb_incidents",
        "Anti-social behaviour incidents",
        Level.BOTH,
        "Incidents with the member as perpetrator in the six months up to the point; for "
        "the family, incidents on different days.",
        kinds=(Kind.ASB,),
    ),
    Field(
        "social_care_status",
        "Children's social care status",
        Level.BOTH,
        "The highest status open on the date of the point: looked after (LAC), child "
        "protection (CP), child in need (CIN), early help, or none.",
        kinds=(Kind.CHILDRENS_SOCIAL_CARE,),
    ),
    Field(
        "domestic_abuse_incidents",
        "Domestic abuse incidents",
        Level.BOTH,
        "Incidents involving the member in the six months up to the point; for the family, "
        "incidents on different days.",
        kinds=(Kind.DOMESTIC_ABUSE,),
    ),
    Field(
        "health_needs",
        "Health needs",
        Level.BOTH,
        "Needs a health partner recorded in the twelve months up to the point (mental "
        "health, substance or alcohol misuse, physical health, autism, ADHD or an EHCP).",
        kinds=(Kind.HEALTH,),
    ),
    Field(
        "housing_events",
        "Housing problems",
        Level.BOTH,
        "Rent arrears, eviction notices, homelessness applications and temporary "
        "accommodation recorded in the six months up to the point.",
        kinds=(Kind.HOUSING,),
    ),
    Field(
        "neet",
        "Not in education, employment or training",
        Level.BOTH,
        "A young person aged 16 to 24 recorded as NEET on the date of the point.",
        kinds=(Kind.NEET,),
    ),
    Field(
        "housing_tenure",
        "Housing tenure",
        Level.FAMILY,
        "",
        unavailable="tafcase holds no tenure: no partner dataset sends it and families' "
        "records do not ask for it.",
    ),
    Field(
        "ae_attendances",
        "A&E attendances",
        Level.BOTH,
        "",
        unavailable="Health partners send recorded needs only, never hospital or A&E activity.",
    ),
    Field(
        "police_call_outs",
        "Police call-outs",
        Level.FAMILY,
        "",
        unavailable="The police send anti-social behaviour, offending and domestic abuse "
        "records, not call-outs; those incidents are in their own columns.",
    ),
)

ID_COLUMNS = (
    "family_ref",
    "row_type",
    "member_no",
    "programme_year",
    "attached_month",
    "point",
    "months_after_attachment",
)
COLUMNS = ID_COLUMNS + tuple(f.name for f in FIELDS)

FIELD_BY_NAME = {f.name: f for f in FIELDS}


@dataclass(frozen=True)
class Person:
    """What a return may say about a member: never a name, date of birth or identifier
    leaves this module; the date of birth only becomes an age band."""

    person_id: str
    number: int
    role: str
    dob: date | None
    sex: str


AGE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, identity.SCHOOL_AGE.start - 1, "0-4"),
    (identity.SCHOOL_AGE.start, 10, "5-10"),
    (11, identity.SCHOOL_AGE.stop - 1, "11-15"),
    (identity.SCHOOL_AGE.stop, identity.ADULT_AGE - 1, "16-17"),
    (identity.ADULT_AGE, identity.YOUNG_PERSON_AGE.stop - 1, "18-24"),
    (identity.YOUNG_PERSON_AGE.stop, 34, "25-34"),
    (35, 49, "35-49"),
    (50, 64, "50-64"),
    (65, None, "65+"),
)


def age_band(dob: date | None, on: date) -> str:
    """The band of the age on ``on``; blank without a date of birth."""
    if dob is None:
        return ""
    age = identity.age_on(dob, on)
    for low, high, label in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return label
    return ""


# The order children's social care statuses rank in, highest first.
SOCIAL_CARE_RANK = ("LAC", "CP", "CIN", "EARLY_HELP")


@dataclass(frozen=True)
class Coverage:
    """Which partner datasets the authority holds, and up to when: a kind's data covers a
    point on or before the date its latest extract was taken."""

    data_as_of: Mapping[str, date]

    def covers(self, kinds: Sequence[str], on: date) -> bool:
        return all(k in self.data_as_of and on <= self.data_as_of[k] for k in kinds)


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _of(records: Iterable[Record], kind: str) -> list[Record]:
    return [r for r in records if r.kind == kind]


def _in(records: Iterable[Record], window: Window) -> list[Record]:
    return [r for r in records if window.contains(r.date)]


def _open_on(records: Iterable[Record], on: date) -> list[Record]:
    return [r for r in records if r.is_open_on(on)]


def _absence(records: Iterable[Record], window: Window) -> str:
    possible = absent = 0
    for r in _in(records, window):
        possible += r.number("sessions_possible")
        absent += r.number("sessions_authorised_absent") + r.number("sessions_unauthorised_absent")
    return f"{Decimal(absent * 100) / Decimal(possible):.1f}" if possible else ""


def _highest_status(records: Iterable[Record], on: date) -> str:
    statuses = {r.attr("status") for r in _open_on(records, on)}
    return next((s for s in SOCIAL_CARE_RANK if s in statuses), "none")


def _distinct(values: Iterable[str]) -> str:
    return ";".join(sorted({v for v in values if v}))


@dataclass(frozen=True)
class _Scope:
    """The people a row describes at a point and their records."""

    point: Point
    members: tuple[Member, ...]
    records: tuple[Record, ...]
    family: bool
    out_of_work: frozenset[str]

    def kind(self, kind: str) -> list[Record]:
        ids = {m.person_id for m in self.members}
        return [r for r in _of(self.records, kind) if r.person_id in ids]

    def adults(self) -> tuple[Member, ...]:
        return tuple(m for m in self.members if m.is_adult(self.point.on))

    def school_age(self) -> tuple[Member, ...]:
        return tuple(m for m in self.members if m.is_school_age(self.point.on))

    def young(self) -> tuple[Member, ...]:
        return tuple(m for m in self.members if m.is_young_person(self.point.on))


def _benefit(s: _Scope) -> str:
    adults = {m.person_id for m in s.adults()}
    if not adults:
        return ""
    claims = [
        r
        for r in _open_on(s.kind(Kind.BENEFITS), s.point.on)
        if r.person_id in adults and r.attr("benefit") in s.out_of_work
    ]
    return _yes_no(bool(claims))


def _in_work(s: _Scope) -> str:
    adults = {m.person_id for m in s.adults()}
    if not adults:
        return ""
    jobs = [r for r in _open_on(s.kind(Kind.EMPLOYMENT), s.point.on) if r.person_id in adults]
    return _yes_no(bool(jobs))


def _school_absence(s: _Scope) -> str:
    pupils = {m.person_id for m in s.school_age()}
    if not pupils:
        return ""
    records = [r for r in s.kind(Kind.SCHOOL_ATTENDANCE) if r.person_id in pupils]
    return _absence(records, s.point.window)


def _exclusions(s: _Scope) -> str:
    pupils = {m.person_id for m in s.members if m.is_child(s.point.on)}
    if not pupils:
        return ""
    events = _in(s.kind(Kind.SCHOOL_EXCLUSIONS), s.point.window)
    return str(sum(r.person_id in pupils for r in events))


def _offences(s: _Scope) -> str:
    events = _in(s.kind(Kind.OFFENDING), s.point.window)
    return str(sum(r.attr("proven") == "Y" for r in events))


def _incidents(s: _Scope, kind: str, roles: frozenset[str] | None) -> str:
    events = [
        r for r in _in(s.kind(kind), s.point.window) if roles is None or r.attr("role") in roles
    ]
    # A family's incident is often sent once for each member it involved.
    return str(len({r.date for r in events}) if s.family else len(events))


def _social_care(s: _Scope) -> str:
    return _highest_status(s.kind(Kind.CHILDRENS_SOCIAL_CARE), s.point.on)


def _health(s: _Scope) -> str:
    window = Window.ending(s.point.on, HEALTH_LOOK_BACK_MONTHS)
    return _distinct(r.attr("need") for r in _in(s.kind(Kind.HEALTH), window)) or "none"


def _housing(s: _Scope) -> str:
    return _distinct(r.attr("event") for r in _in(s.kind(Kind.HOUSING), s.point.window)) or "none"


def _neet(s: _Scope) -> str:
    young = {m.person_id for m in s.young()}
    if not young:
        return ""
    spells = [
        r
        for r in _open_on(s.kind(Kind.NEET), s.point.on)
        if r.person_id in young and r.attr("status") == "NEET"
    ]
    return _yes_no(bool(spells))


PERPETRATOR = frozenset({"perpetrator"})

PARTNER_VALUES: dict[str, Callable[[_Scope], str]] = {
    "out_of_work_benefit": _benefit,
    "in_work": _in_work,
    "school_absence_percent": _school_absence,
    "exclusions": _exclusions,
    "proven_offences": _offences,
    "asb_incidents": lambda s: _incidents(s, Kind.ASB, PERPETRATOR),
    "social_care_status": _social_care,
    "domestic_abuse_incidents": lambda s: _incidents(s, Kind.DOMESTIC_ABUSE, None),
    "health_needs": _health,
    "housing_events": _housing,
    "neet": _neet,
}


def _partner_values(scope: _Scope, coverage: Coverage) -> dict[str, str]:
    """Each partner-derived column: blank where the authority has no data of its kind
    covering the point (never "no" for "not known")."""
    values = {}
    for name, derive in PARTNER_VALUES.items():
        field = FIELD_BY_NAME[name]
        known = coverage.covers(field.kinds, scope.point.on)
        values[name] = derive(scope) if known else ""
    return values


@dataclass(frozen=True)
class FamilyFacts:
    """One sampled family as the return reads it: its pseudonymous reference, attachment
    date, members (numbered for the CSV) and, per point, the household the rulebook saw
    and the criteria it found met."""

    reference: str
    attached_on: date
    people: tuple[Person, ...]


def family_rows(
    facts: FamilyFacts,
    point: Point,
    household: Household,
    criteria_met: Sequence[str],
    *,
    coverage: Coverage,
    out_of_work: Iterable[str],
) -> list[dict[str, str]]:
    """The CSV rows of one family at one point: a family row, then one row per member
    living in the household then. Every column is present; blank means not known or not
    applicable."""
    base = {
        "family_ref": facts.reference,
        "programme_year": programme_year_label(programme_year_of(facts.attached_on)),
        "attached_month": f"{facts.attached_on:%Y-%m}",
        "point": point.key,
        "months_after_attachment": str(point.months),
    }
    blank = dict.fromkeys(COLUMNS, "")
    oow = frozenset(out_of_work)
    family_scope = _Scope(point, household.members, household.records, True, oow)
    family = {
        **blank,
        **base,
        "row_type": "family",
        "adults": str(len(family_scope.adults())),
        "children": str(len(household.members) - len(family_scope.adults())),
        "agencies_involved": str(len(household.taf_agencies)),
        "criteria_met": str(len(criteria_met)),
        "criteria": ";".join(sorted(criteria_met)) or "none",
        **_partner_values(family_scope, coverage),
    }
    rows = [family]
    people = {p.person_id: p for p in facts.people}
    for member in household.members:
        person = people.get(member.person_id)
        if person is None:
            continue
        scope = _Scope(point, (member,), household.records, False, oow)
        rows.append(
            {
                **blank,
                **base,
                "row_type": "member",
                "member_no": str(person.number),
                "member_role": person.role,
                "age_band": age_band(person.dob, point.on),
                "sex": person.sex,
                **_partner_values(scope, coverage),
            }
        )
    return rows


@dataclass(frozen=True)
class FieldCoverage:
    field: Field
    families_with_data: int
    members_with_data: int


def field_coverage(
    rows: Iterable[Mapping[str, str]], *, point: str = "attachment"
) -> tuple[int, int, list[FieldCoverage]]:
    """How many family and member rows at ``point`` there are, and for each column how
    many of them carry a value."""
    families = members = 0
    with_data: dict[tuple[str, str], int] = {}
    for row in rows:
        if row["point"] != point:
            continue
        level = row["row_type"]
        if level == "family":
            families += 1
        else:
            members += 1
        for field in FIELDS:
            if row[field.name] != "":
                key = (field.name, level)
                with_data[key] = with_data.get(key, 0) + 1
    return (
        families,
        members,
        [
            FieldCoverage(
                f, with_data.get((f.name, "family"), 0), with_data.get((f.name, "member"), 0)
            )
            for f in FIELDS
        ],
    )


# --- the Cost Saving Calculator -------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """A reactive-service event tafcase can count: partner records of ``kind`` whose
    ``attribute`` is one of ``values``, counted on the record's own date (for a care
    episode, the day it started)."""

    code: str
    label: str
    kind: str
    attribute: str
    values: tuple[str, ...]


MEASURES: tuple[Measure, ...] = (
    Measure(
        "asb_incident",
        "Anti-social behaviour incident (as perpetrator)",
        Kind.ASB,
        "role",
        ("perpetrator",),
    ),
    Measure("proven_offence", "Proven offence", Kind.OFFENDING, "proven", ("Y",)),
    Measure(
        "domestic_abuse_incident",
        "Domestic abuse incident (recorded for the victim)",
        Kind.DOMESTIC_ABUSE,
        "role",
        ("victim",),
    ),
    Measure(
        "suspension",
        "Suspension (fixed-period exclusion)",
        Kind.SCHOOL_EXCLUSIONS,
        "exclusion_type",
        ("suspension",),
    ),
    Measure(
        "permanent_exclusion",
        "Permanent exclusion",
        Kind.SCHOOL_EXCLUSIONS,
        "exclusion_type",
        ("permanent",),
    ),
    Measure("eviction_notice", "Eviction notice", Kind.HOUSING, "event", ("eviction_notice",)),
    Measure(
        "homeless_application",
        "Homelessness application",
        Kind.HOUSING,
        "event",
        ("homeless_application",),
    ),
    Measure(
        "temporary_accommodation",
        "Placement in temporary accommodation",
        Kind.HOUSING,
        "event",
        ("temporary_accommodation",),
    ),
    Measure(
        "child_in_need",
        "Child in need episode started",
        Kind.CHILDRENS_SOCIAL_CARE,
        "status",
        ("CIN",),
    ),
    Measure(
        "child_protection_plan",
        "Child protection plan started",
        Kind.CHILDRENS_SOCIAL_CARE,
        "status",
        ("CP",),
    ),
    Measure(
        "looked_after",
        "Child became looked after",
        Kind.CHILDRENS_SOCIAL_CARE,
        "status",
        ("LAC",),
    ),
)
MEASURE_BY_CODE = {m.code: m for m in MEASURES}

#: How far the calculator looks either side of attachment (parameters; reporting.md §3).
DEFAULT_MONTHS = 12
MAX_MONTHS = 36


def before_after_windows(
    attached_on: date, *, months_before: int, months_after: int
) -> tuple[Window, Window]:
    """The periods compared for a family attached on ``attached_on``: the ``months_before``
    up to and including the attachment day, ``(A - before, A]``, and the
    ``months_after`` that follow it, ``(A, A + after]``. An event on the attachment day
    counts before: it is part of why the family came onto the programme."""
    return (
        Window(dates.months_before(attached_on, months_before), attached_on),
        Window(attached_on, dates.months_after(attached_on, months_after)),
    )


def after_period_complete(attached_on: date, *, months_after: int, data_as_of: date) -> bool:
    """Whether the partner data reach the end of the period after attachment: a family
    whose period is not over yet would count fewer events after only because less time
    has passed."""
    return dates.months_after(attached_on, months_after) <= data_as_of


PENNY = Decimal("0.01")


def _money(value: Decimal) -> Decimal:
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


def adjusted(gross: Decimal, *, deadweight_percent: int, attribution_percent: int) -> Decimal:
    """The share of a gross figure left after deadweight (the change that would have
    happened anyway) and attribution (the share of the rest owed to the programme):
    ``gross × (1 − deadweight) × attribution``, to the penny."""
    for name, value in (("deadweight", deadweight_percent), ("attribution", attribution_percent)):
        if not 0 <= value <= 100:
            raise ValueError(f"The {name} is a percentage from 0 to 100.")
    return _money(gross * (100 - deadweight_percent) * attribution_percent / Decimal(10_000))


@dataclass(frozen=True)
class CostLine:
    """One unit cost against the cohort's events before and after attachment."""

    key: object
    unit_value: Decimal
    before: int
    after: int
    # The events before, scaled to the length of the period after (equal lengths: before).
    expected_after: Decimal
    change: Decimal
    gross: Decimal
    adjusted: Decimal


def cost_line(
    key: object,
    unit_value: Decimal,
    *,
    before: int,
    after: int,
    months_before: int,
    months_after: int,
    deadweight_percent: int,
    attribution_percent: int,
) -> CostLine:
    """Events avoided times the unit cost. With periods of different lengths the events
    before are scaled to the length of the period after, so a longer look-back never
    reads as a saving by itself. Fewer events after is a positive figure; more is a
    negative one."""
    if months_before <= 0 or months_after <= 0:
        raise ValueError("Both periods are at least one month long.")
    if before < 0 or after < 0:
        raise ValueError("Event counts are never negative.")
    expected = Decimal(before) * months_after / Decimal(months_before)
    change = expected - after
    gross = _money(change * unit_value)
    return CostLine(
        key,
        unit_value,
        before,
        after,
        expected.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
        change.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
        gross,
        adjusted(
            gross, deadweight_percent=deadweight_percent, attribution_percent=attribution_percent
        ),
    )


@dataclass(frozen=True)
class Total:
    key: str
    gross: Decimal
    adjusted: Decimal


def totals_by(lines: Iterable[CostLine], key: Callable[[CostLine], str]) -> list[Total]:
    """Gross and adjusted figures summed by ``key`` (a bearing agency, a kind of cost),
    in order of the key; sums of the lines' own rounded figures, so the table adds up."""
    sums: dict[str, tuple[Decimal, Decimal]] = {}
    for line in lines:
        gross, adj = sums.get(key(line), (Decimal(0), Decimal(0)))
        sums[key(line)] = (gross + line.gross, adj + line.adjusted)
    return [Total(k, g, a) for k, (g, a) in sorted(sums.items())]


# --- unit costs -----------------------------------------------------------------------

PRICE_YEAR_FORMAT = "2023/24"


def parse_price_year(text: str) -> str:
    """A price year as ``2023/24`` (a financial year) or ``2023`` (a calendar year);
    ValueError otherwise."""
    text = text.strip()
    if len(text) == 4 and text.isdigit():
        return text
    first, _, second = text.partition("/")
    if (
        len(first) == 4
        and first.isdigit()
        and len(second) == 2
        and second.isdigit()
        and (int(first) + 1) % 100 == int(second)
    ):
        return text
    raise ValueError(f"Enter the price year like {PRICE_YEAR_FORMAT} or 2023.")
