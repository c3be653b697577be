"""A seeded synthetic local authority and one quarter of partner files, with known truth.

Everything here is invented: names come from short lists below, postcodes use the area
letters "QA"-"QD" (no real UK postcode area starts with Q), NHS numbers use the 999
range the NHS reserves for testing, and NI numbers use the "QQ" specimen prefix.

The same arguments produce byte-identical files: one `random.Random(seed)` drives
everything and nothing iterates a set or hash-ordered structure.

Run: python -m eligibility.datamatch.generator --people 25000 --out DIR --seed 1 \
         --as-of 2026-03-31
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from eligibility.datamatch.contract import KINDS, columns_for
from eligibility.datamatch.names import nickname_variants
from tafcase import csv_safe, identity

MALE = [
    "WILLIAM",
    "JAMES",
    "JOHN",
    "THOMAS",
    "ROBERT",
    "RICHARD",
    "MICHAEL",
    "DAVID",
    "DANIEL",
    "MATTHEW",
    "CHRISTOPHER",
    "ANTHONY",
    "JOSEPH",
    "SAMUEL",
    "BENJAMIN",
    "ALEXANDER",
    "EDWARD",
    "NICHOLAS",
    "STEPHEN",
    "PETER",
    "ANDREW",
    "JONATHAN",
    "TIMOTHY",
    "PATRICK",
    "CHARLES",
    "HENRY",
    "OLIVER",
    "ALFRED",
    "FREDERICK",
    "GEORGE",
    "NOAH",
    "LEO",
    "ARTHUR",
    "OSCAR",
    "JACOB",
    "MUHAMMAD",
    "ISAAC",
    "LUCAS",
    "HARRISON",
    "ETHAN",
    "MASON",
    "LOGAN",
    "ADAM",
    "RYAN",
    "CALLUM",
    "CONNOR",
    "KIERAN",
    "LEWIS",
    "JORDAN",
    "LIAM",
    "DYLAN",
    "REECE",
    "OWEN",
    "AARON",
    "MARK",
    "PAUL",
    "GARY",
    "CRAIG",
    "DEAN",
    "LEE",
    "SCOTT",
    "WAYNE",
    "IAN",
    "KEITH",
    "NEIL",
    "SEAN",
    "DARREN",
    "TYLER",
    "KAI",
    "ZAIN",
    "AYAAN",
]
FEMALE = [
    "CATHERINE",
    "KATHERINE",
    "ELIZABETH",
    "MARGARET",
    "REBECCA",
    "JENNIFER",
    "SAMANTHA",
    "VICTORIA",
    "ALEXANDRA",
    "CHARLOTTE",
    "ABIGAIL",
    "DEBORAH",
    "SUSAN",
    "PATRICIA",
    "JACQUELINE",
    "CHRISTINE",
    "AMELIA",
    "OLIVIA",
    "ISABELLA",
    "ISABELLE",
    "NATALIE",
    "JESSICA",
    "EMILY",
    "ELEANOR",
    "GEORGINA",
    "SOPHIE",
    "GRACE",
    "LILY",
    "AVA",
    "MIA",
    "ELLA",
    "POPPY",
    "FREYA",
    "EVIE",
    "RUBY",
    "CHLOE",
    "LUCY",
    "HANNAH",
    "HOLLY",
    "LAUREN",
    "AMY",
    "EMMA",
    "SARAH",
    "LAURA",
    "GEMMA",
    "KERRY",
    "LISA",
    "DONNA",
    "JOANNE",
    "TRACEY",
    "KELLY",
    "CLAIRE",
    "NICOLA",
    "LEANNE",
    "STACEY",
    "DANIELLE",
    "SHANNON",
    "COURTNEY",
    "JADE",
    "AALIYAH",
    "MAYA",
    "ZARA",
    "AMINA",
    "FATIMA",
    "NIAMH",
    "SIOBHAN",
    "MEGAN",
    "CAITLIN",
    "BETHANY",
    "PAIGE",
    "KAYLEIGH",
]
SURNAMES = [
    "SMITH",
    "JONES",
    "TAYLOR",
    "BROWN",
    "WILLIAMS",
    "WILSON",
    "JOHNSON",
    "DAVIES",
    "ROBINSON",
    "WRIGHT",
    "THOMPSON",
    "EVANS",
    "WALKER",
    "WHITE",
    "ROBERTS",
    "GREEN",
    "HALL",
    "WOOD",
    "JACKSON",
    "CLARKE",
    "PATEL",
    "KHAN",
    "LEWIS",
    "JAMES",
    "PHILLIPS",
    "MASON",
    "MITCHELL",
    "ROSE",
    "DAVIS",
    "RODRIGUEZ",
    "COX",
    "ALEXANDER",
    "MORGAN",
    "MOORE",
    "MARTIN",
    "PRICE",
    "CLARK",
    "TURNER",
    "HUGHES",
    "HARRIS",
    "WARD",
    "BAKER",
    "COOPER",
    "HILL",
    "KING",
    "LEE",
    "EDWARDS",
    "HUSSAIN",
    "ALI",
    "AHMED",
    "BEGUM",
    "SHAW",
    "LLOYD",
    "BENNETT",
    "GRIFFITHS",
    "KELLY",
    "MURPHY",
    "OCONNOR",
    "MURRAY",
    "HARRISON",
    "GRAHAM",
    "FOSTER",
    "BUTLER",
    "BARKER",
    "CHAPMAN",
    "ELLIS",
    "MARSHALL",
    "OWEN",
    "POWELL",
    "REYNOLDS",
    "RICHARDSON",
    "WEBB",
    "ROGERS",
    "SIMPSON",
    "STEVENS",
    "HUNT",
    "PALMER",
    "HOLMES",
    "MILLS",
    "GIBSON",
    "KNIGHT",
    "PEARSON",
    "FOX",
    "GRANT",
    "HAYES",
    "SULLIVAN",
    "KENNEDY",
    "WELLS",
    "DIXON",
    "BURNS",
    "ATKINSON",
    "NOWAK",
    "KOWALSKI",
    "OKAFOR",
    "ADEYEMI",
    "MENSAH",
    "SINGH",
    "KAUR",
    "CHOWDHURY",
    "RAHMAN",
    "NGUYEN",
]
STREETS = [
    "High Street",
    "Station Road",
    "Church Lane",
    "Mill Road",
    "Victoria Road",
    "Park Avenue",
    "Queens Road",
    "Kings Road",
    "The Crescent",
    "Manor Way",
    "Elm Grove",
    "Oak Close",
    "Willow Drive",
    "Chapel Street",
    "Albert Road",
    "New Road",
    "Green Lane",
    "Grange Road",
    "School Lane",
    "Orchard Way",
]
TOWNS = ("Ashbury", "Brackley Vale", "Cresswold", "Dunmere")
AREAS = ("QA", "QB", "QC", "QD")  # no real UK postcode area starts with Q

# Per-identity noise rates: each partner holds one (possibly wrong) version of a person.
NOISE = {
    "nickname": 0.06,
    "forename_typo": 0.03,
    "surname_typo": 0.03,
    "surname_variant": 0.03,  # hyphenated / double-barrelled differently
    "name_swap": 0.01,
    "dob_missing": 0.04,
    "dob_transposed": 0.03,
    "dob_typo": 0.01,
    "sex_missing": 0.08,
    "postcode_missing": 0.06,
    "moved": 0.05,
    "identifier_typo": 0.015,
}
SPINE_COVERAGE = 0.93  # share of real people the LA knows about


@dataclass(frozen=True)
class Address:
    line_1: str
    town: str
    postcode: str


@dataclass(frozen=True)
class TruePerson:
    person_id: str
    forename: str
    surname: str
    sex: str
    dob: date
    household_id: str
    relationship: str
    address: Address
    upn: str | None
    nino: str | None
    nhs_number: str
    pnc_id: str | None
    la_person_id: str | None  # None: not on the LA spine


@dataclass(frozen=True)
class GeneratedQuarter:
    """Paths of the written files and the truth behind every row.

    `truth[(kind, record_id)]` is the real person of a row; `la_person_of[person_id]` is
    the spine id a perfect linker would link that person to (None when the LA does not
    know them, so "no link" is the right answer).
    """

    files: dict[str, Path]
    truth: dict[tuple[str, str], str]
    la_person_of: dict[str, str | None]
    people: tuple[TruePerson, ...]


def _age_dob(rng: random.Random, as_of: date, age: int) -> date:
    return as_of - timedelta(days=365 * age + rng.randrange(365) + age // 4)


class _Authority:
    """Builds the population; state kept local to one generation run."""

    def __init__(self, rng: random.Random, as_of: date):
        self.rng = rng
        self.as_of = as_of
        self.people: list[TruePerson] = []
        self.serial = 0
        self.addresses: list[Address] = []

    def _next(self) -> int:
        self.serial += 1
        return self.serial

    def new_address(self) -> Address:
        rng = self.rng
        area = rng.choice(AREAS)
        district = rng.randrange(1, 13)
        pc = f"{area}{district} {rng.randrange(10)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        pc += rng.choice("ABDEFGHJLNPQRSTUWXYZ")
        addr = Address(
            f"{rng.randrange(1, 180)} {rng.choice(STREETS)}", TOWNS[AREAS.index(area)], pc
        )
        self.addresses.append(addr)
        return addr

    def add(
        self,
        *,
        sex: str,
        age: int,
        surname: str,
        household_id: str,
        relationship: str,
        address: Address,
        forename: str | None = None,
        dob: date | None = None,
    ) -> TruePerson:
        rng = self.rng
        n = self._next()
        dob = dob or _age_dob(rng, self.as_of, age)
        age = (self.as_of - dob).days // 365
        on_spine = rng.random() < SPINE_COVERAGE
        person = TruePerson(
            person_id=f"T{n:07d}",
            forename=forename or rng.choice(MALE if sex == "M" else FEMALE),
            surname=surname,
            sex=sex,
            dob=dob,
            household_id=household_id,
            relationship=relationship,
            address=address,
            upn=f"Z{n:012d}" if 3 <= age <= 19 else None,
            nino=f"QQ{n:06d}{'ABCD'[n % 4]}" if age >= 16 else None,
            nhs_number=f"999{n:07d}",
            pnc_id=f"{rng.randrange(90, 100)}/{n:07d}{rng.choice('ABCDEFGHJK')}"
            if age >= 12 and rng.random() < 0.06
            else None,
            la_person_id=f"LA{n:07d}" if on_spine else None,
        )
        self.people.append(person)
        return person

    def household(self) -> None:
        rng = self.rng
        hh = f"H{self._next():07d}"
        address = self.new_address()
        surname = rng.choice(SURNAMES)
        r = rng.random()
        adults: list[TruePerson] = []
        if r < 0.20:  # single adult
            sex = rng.choice("MF")
            adults.append(
                self.add(
                    sex=sex,
                    age=rng.randrange(18, 85),
                    surname=surname,
                    household_id=hh,
                    relationship="other_adult",
                    address=address,
                )
            )
            return
        if r < 0.25:  # sharers
            for _ in range(rng.randrange(2, 4)):
                self.add(
                    sex=rng.choice("MF"),
                    age=rng.randrange(18, 35),
                    surname=rng.choice(SURNAMES),
                    household_id=hh,
                    relationship="other_adult",
                    address=address,
                )
            return
        couple = r >= 0.45
        mother_age = rng.randrange(20, 52)
        mother = self.add(
            sex="F",
            age=mother_age,
            surname=surname,
            household_id=hh,
            relationship="parent_carer",
            address=address,
        )
        adults.append(mother)
        father_surname = surname if rng.random() < 0.7 else rng.choice(SURNAMES)
        if couple:
            adults.append(
                self.add(
                    sex="M",
                    age=min(80, mother_age + rng.randrange(-3, 8)),
                    surname=father_surname,
                    household_id=hh,
                    relationship="parent_carer",
                    address=address,
                )
            )
        kids = 0 if (couple and r < 0.60) else rng.choice((1, 1, 2, 2, 2, 3, 3, 4))
        child_surname = surname
        if father_surname != surname and rng.random() < 0.3:
            child_surname = f"{father_surname}-{surname}"  # double-barrelled
        for _ in range(kids):
            age = rng.randrange(0, max(1, min(18, mother_age - 16)))
            sex = rng.choice("MF")
            child = self.add(
                sex=sex,
                age=age,
                surname=child_surname,
                household_id=hh,
                relationship="child",
                address=address,
            )
            if rng.random() < 0.03:  # twins: same surname, dob and address
                twin_sex = sex if rng.random() < 0.5 else rng.choice("MF")
                names = MALE if twin_sex == "M" else FEMALE
                twin_name = rng.choice([n for n in names if n != child.forename])
                self.add(
                    sex=twin_sex,
                    age=age,
                    dob=child.dob,
                    forename=twin_name,
                    surname=child_surname,
                    household_id=hh,
                    relationship="child",
                    address=address,
                )
        if rng.random() < 0.05:  # a grandparent living with the family
            self.add(
                sex=rng.choice("MF"),
                age=rng.randrange(mother_age + 18, mother_age + 40),
                surname=surname,
                household_id=hh,
                relationship="other_adult",
                address=address,
            )
        # Namesakes: someone elsewhere in the authority with the same name.
        if self.people and rng.random() < 0.02:
            other = rng.choice(self.people)
            self.add(
                sex=other.sex,
                age=rng.randrange(18, 70),
                forename=other.forename,
                surname=other.surname,
                household_id=hh,
                relationship="other_adult",
                address=address,
            )


# ---------------------------------------------------------------------------- noise


def _typo(rng: random.Random, s: str) -> str:
    if len(s) < 3:
        return s
    i = rng.randrange(1, len(s) - 1)
    op = rng.randrange(3)
    if op == 0:  # substitution
        return s[:i] + rng.choice("AEIOURSTLNMDH") + s[i + 1 :]
    if op == 1:  # deletion
        return s[:i] + s[i + 1 :]
    return s[: i - 1] + s[i] + s[i - 1] + s[i + 1 :]  # transposition


def _key_error(rng: random.Random, ident: str) -> str:
    """A keying error in an identifier: one digit changed or two swapped."""
    digits = [i for i, c in enumerate(ident) if c.isdigit()]
    i = rng.choice(digits[1:]) if len(digits) > 1 else digits[0]
    if rng.random() < 0.5 and i + 1 < len(ident) and ident[i + 1].isdigit():
        return ident[:i] + ident[i + 1] + ident[i] + ident[i + 2 :]
    return ident[:i] + str((int(ident[i]) + rng.randrange(1, 10)) % 10) + ident[i + 1 :]


def _surname_variant(rng: random.Random, s: str) -> str:
    if "-" in s:
        a, b = s.split("-", 1)
        return rng.choice((a, b, f"{a} {b}", f"{b}-{a}"))
    return f"{s}-{rng.choice(SURNAMES)}"


def _noisy_name(rng: random.Random, p: TruePerson) -> tuple[str, str]:
    fore, sur = p.forename, p.surname
    variants = nickname_variants(fore)
    if variants and rng.random() < NOISE["nickname"]:
        fore = rng.choice(variants)
    elif rng.random() < NOISE["forename_typo"]:
        fore = _typo(rng, fore)
    if rng.random() < NOISE["surname_variant"]:
        sur = _surname_variant(rng, sur)
    elif rng.random() < NOISE["surname_typo"]:
        sur = _typo(rng, sur)
    if rng.random() < NOISE["name_swap"]:
        fore, sur = sur, fore
    return fore, sur


def _noisy_dob(rng: random.Random, dob: date) -> date | None:
    r = rng.random()
    if r < NOISE["dob_missing"]:
        return None
    if (
        r < NOISE["dob_missing"] + NOISE["dob_transposed"]
        and dob.day <= 12
        and dob.day != dob.month
    ):
        return dob.replace(month=dob.day, day=dob.month)
    if r < NOISE["dob_missing"] + NOISE["dob_transposed"] + NOISE["dob_typo"]:
        return dob.replace(day=min(28, max(1, dob.day + rng.choice((-10, -1, 1, 10)))))
    return dob


def _noisy_postcode(rng: random.Random, postcode: str) -> str | None:
    if rng.random() < NOISE["postcode_missing"]:
        return None
    if rng.random() < 0.3:  # partners' own spacing and case
        return rng.choice((postcode.replace(" ", ""), postcode.lower()))
    return postcode


def _noisy_identity(rng: random.Random, p: TruePerson, moved_to: Address) -> dict[str, Any]:
    """How one partner system holds this person: usually right, sometimes not."""
    # The order of the draws from `rng` is part of the output: keep it.
    fore, sur = _noisy_name(rng, p)
    dob_out = _noisy_dob(rng, p.dob)
    address = moved_to if rng.random() < NOISE["moved"] else p.address
    postcode = _noisy_postcode(rng, address.postcode)
    case = rng.random()
    if case < 0.3:
        fore, sur = fore.title(), sur.title()
    elif case < 0.35:
        fore, sur = fore.lower(), sur.lower()
    return {
        "forename": fore,
        "surname": sur,
        "dob": dob_out,
        "sex": None if rng.random() < NOISE["sex_missing"] else p.sex,
        "address_line_1": address.line_1,
        "town": address.town,
        "postcode": postcode,
    }


# ---------------------------------------------------------------------- kinds


def _age(p: TruePerson, as_of: date) -> int:
    return identity.age_on(p.dob, as_of)


@dataclass(frozen=True)
class _KindPlan:
    eligible: Callable[[int, TruePerson], bool]  # (age, person)
    share: float  # of eligible people who appear in this file
    mean_rows: float  # per person who appears
    identifiers: tuple[tuple[str, float], ...]  # (column, how often the partner has it)


_PLANS: dict[str, _KindPlan] = {
    "school_attendance": _KindPlan(lambda a, p: 4 <= a <= 16, 0.98, 12.0, (("upn", 0.92),)),
    "school_exclusions": _KindPlan(lambda a, p: 6 <= a <= 16, 0.10, 3.0, (("upn", 0.9),)),
    "alternative_provision": _KindPlan(lambda a, p: 11 <= a <= 16, 0.05, 2.0, (("upn", 0.8),)),
    "asb": _KindPlan(lambda a, p: a >= 10, 0.04, 3.0, (("pnc_id", 0.2),)),
    "offending": _KindPlan(lambda a, p: a >= 10, 0.03, 4.0, (("pnc_id", 0.85),)),
    "benefits": _KindPlan(lambda a, p: a >= 18, 0.35, 10.0, (("nino", 0.95),)),
    "employment": _KindPlan(lambda a, p: 16 <= a <= 67, 0.6, 6.0, (("nino", 0.9),)),
    "domestic_abuse": _KindPlan(lambda a, p: True, 0.03, 3.0, (("pnc_id", 0.1),)),
    "childrens_social_care": _KindPlan(
        lambda a, p: a < 18, 0.05, 4.0, (("la_person_id", 0.7), ("nhs_number", 0.3))
    ),
    "health": _KindPlan(lambda a, p: True, 0.08, 9.0, (("nhs_number", 0.9),)),
    "housing": _KindPlan(lambda a, p: p.relationship == "parent_carer" or a >= 18, 0.06, 4.0, ()),
    "early_years": _KindPlan(lambda a, p: a <= 4, 0.5, 2.0, (("la_person_id", 0.5),)),
    "neet": _KindPlan(lambda a, p: 16 <= a <= 24, 0.7, 3.0, (("la_person_id", 0.4),)),
}


def _past(rng: random.Random, as_of: date, days: int) -> date:
    return as_of - timedelta(days=rng.randrange(days))


# One branch per partner file kind: a table of the contract's kinds, read top to bottom.
def _kind_fields(kind: str, rng: random.Random, as_of: date, i: int, age: int) -> dict[str, Any]:  # noqa: C901
    """The kind's own columns for the i-th row of one person (always contract-valid)."""
    if kind == "school_attendance":
        # Rows cycle through the terms of recent academic years, newest first.
        year = as_of.year - (1 if as_of.month < 9 else 0) - i // 3
        possible = rng.choice((110, 120, 130, 140))
        # Most children miss a few sessions a term; about one in twelve misses many.
        auth = rng.randrange(0, 12)
        unauth = rng.randrange(0, 30) if rng.random() < 0.08 else rng.randrange(0, 4)
        return {
            "academic_year": f"{year}/{(year + 1) % 100:02d}",
            "term": ("autumn", "spring", "summer")[i % 3],
            "sessions_possible": possible,
            "sessions_authorised_absent": auth,
            "sessions_unauthorised_absent": unauth,
            "school_urn": f"9{rng.randrange(10**5):05d}",
        }
    if kind == "school_exclusions":
        return {
            "exclusion_type": "permanent" if rng.random() < 0.05 else "suspension",
            "start_date": _past(rng, as_of, 700),
            "sessions": rng.randrange(1, 20),
            "school_urn": f"9{rng.randrange(10**5):05d}",
        }
    if kind == "alternative_provision":
        start = _past(rng, as_of, 700)
        end = start + timedelta(days=rng.randrange(30, 200))
        return {
            "start_date": start,
            "end_date": end if end <= as_of else None,
            "reason": rng.choice(("behaviour", "medical", "awaiting placement")),
        }
    if kind == "asb":
        return {
            "incident_date": _past(rng, as_of, 700),
            "incident_type": rng.choice(("noise", "vandalism", "nuisance", "intimidation")),
            "role": rng.choice(("perpetrator", "victim", "witness")),
        }
    if kind == "offending":
        offence = _past(rng, as_of, 900)
        outcome = offence + timedelta(days=rng.randrange(10, 200))
        return {
            "offence_date": offence,
            "outcome_date": outcome if outcome <= as_of else None,
            "outcome": rng.choice(("caution", "conditional discharge", "community order", "")),
            "proven": rng.choice("YN"),
        }
    if kind in ("benefits", "employment", "childrens_social_care", "neet"):
        start = _past(rng, as_of, 1500)
        end = start + timedelta(days=rng.randrange(30, 700))
        fields: dict[str, Any] = {
            "start_date": start,
            "end_date": end if end <= as_of and rng.random() < 0.6 else None,
        }
        if kind == "benefits":
            # Most claimants are in work or claim for their children, not out of work.
            fields["benefit"] = rng.choices(
                ("JSA", "ESA", "IS", "UC_SEARCHING", "UC_PREPARING", "UC_WORKING", "OTHER"),
                (1, 2, 1, 2, 1, 7, 6),
            )[0]
        elif kind == "employment":
            fields["hours_per_week"] = rng.choice((8, 16, 20, 30, 37, 40))
        elif kind == "childrens_social_care":
            fields["status"] = rng.choice(("CIN", "CP", "LAC", "EARLY_HELP"))
        else:
            fields["status"] = rng.choices(("NEET", "EET"), (1, 5))[0]
        return fields
    if kind == "domestic_abuse":
        return {
            "incident_date": _past(rng, as_of, 700),
            "role": "child_in_household" if age < 16 else rng.choice(("victim", "perpetrator")),
            "marac": rng.choice("YN"),
            "risk_level": rng.choice(("standard", "medium", "high")),
        }
    if kind == "health":
        return {
            "need": rng.choice(
                (
                    "mental_health",
                    "substance_misuse",
                    "alcohol_misuse",
                    "physical_health",
                    "autism_adhd_ehcp",
                )
            ),
            "recorded_date": _past(rng, as_of, 1000),
        }
    if kind == "housing":
        return {
            "event": rng.choice(
                (
                    "rent_arrears",
                    "eviction_notice",
                    "homeless_application",
                    "temporary_accommodation",
                )
            ),
            "event_date": _past(rng, as_of, 700),
        }
    if kind == "early_years":
        return {
            "event": rng.choices(("two_year_funding_eligible", "development_concern"), (4, 1))[0],
            "event_date": _past(rng, as_of, 300),
        }
    raise AssertionError(kind)  # pragma: no cover


def _fmt(value: Any, dmy: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y") if dmy else value.isoformat()
    return str(value)


def _write(path: Path, kind: str, rows: list[dict[str, Any]], dmy: bool) -> None:
    header = [c.name for c in columns_for(kind)]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv_safe.writer(f, lineterminator="\r\n")
        w.writerow(header)
        for row in rows:
            w.writerow([_fmt(row.get(h), dmy) for h in header])


def _spine_row(rng: random.Random, p: TruePerson) -> dict[str, Any]:
    return {
        "record_id": p.la_person_id,
        "forename": p.forename.title(),
        "surname": p.surname.title(),
        "dob": p.dob,
        "sex": p.sex,
        "address_line_1": p.address.line_1,
        "town": p.address.town,
        "postcode": p.address.postcode,
        "la_person_id": p.la_person_id,
        "household_id": p.household_id,
        "relationship": p.relationship,
        # The LA holds partner identifiers for some people (from past matches).
        "upn": p.upn if p.upn and rng.random() < 0.7 else None,
        "nhs_number": p.nhs_number if rng.random() < 0.5 else None,
        "nino": p.nino if p.nino and rng.random() < 0.4 else None,
    }


def _partner_identity(
    rng: random.Random, p: TruePerson, plan: _KindPlan, la: _Authority, as_of: date
) -> dict[str, Any]:
    """The identifying columns one partner holds for this person, noise included."""
    identity = _noisy_identity(rng, p, la.addresses[rng.randrange(len(la.addresses))])
    if identity["dob"] and identity["dob"] > as_of:
        # A partner system would refuse a birth date after its own extract date.
        identity["dob"] = p.dob
    for column, share in plan.identifiers:
        value = getattr(p, column)
        if value and rng.random() < share:
            if rng.random() < NOISE["identifier_typo"]:
                value = _key_error(rng, value)
            identity[column] = value
    return identity


def _partner_rows(
    rng: random.Random,
    kind: str,
    population: tuple[TruePerson, ...],
    la: _Authority,
    as_of: date,
    truth: dict[tuple[str, str], str],
) -> list[dict[str, Any]]:
    """One partner file's rows; each row's true person is added to `truth`."""
    plan = _PLANS[kind]
    rows: list[dict[str, Any]] = []
    prefix = "".join(w[0] for w in kind.split("_")).upper()
    for p in population:
        age = _age(p, as_of)
        if not plan.eligible(age, p) or rng.random() >= plan.share:
            continue
        identity = _partner_identity(rng, p, plan, la, as_of)
        n_rows = 1 + min(int(rng.expovariate(1 / (plan.mean_rows - 1 or 1))), 30)
        for i in range(n_rows):
            record_id = f"{prefix}{len(rows) + 1:08d}"
            rows.append(
                {"record_id": record_id, **identity, **_kind_fields(kind, rng, as_of, i, age)}
            )
            truth[(kind, record_id)] = p.person_id
    return rows


def generate_quarter(people: int, out: Path, *, seed: int, as_of: date) -> GeneratedQuarter:
    """Write `persons.csv` (the LA spine) and one CSV per partner kind into `out`.

    Every file satisfies the import contract for `as_of`. Returns the paths and the
    truth. Roughly 8 partner rows per person (25,000 people → about 200,000 rows).
    """
    rng = random.Random(seed)
    la = _Authority(rng, as_of)
    while len(la.people) < people:
        la.household()
    population = tuple(la.people[:people])
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    truth: dict[tuple[str, str], str] = {}

    spine_rows = []
    for p in population:
        if p.la_person_id is None:
            continue
        age = _age(p, as_of)
        row = _spine_row(rng, p)
        if age < 0:  # pragma: no cover - ages are never negative
            continue
        spine_rows.append(row)
        truth[("persons", p.la_person_id)] = p.person_id
    files["persons"] = out / "persons.csv"
    _write(files["persons"], "persons", spine_rows, dmy=False)

    for k_index, kind in enumerate(k for k in KINDS if k != "persons"):
        rows = _partner_rows(rng, kind, population, la, as_of, truth)
        files[kind] = out / f"{kind}.csv"
        # Half the partners export UK-style dates, as the contract allows.
        _write(files[kind], kind, rows, dmy=k_index % 2 == 1)

    la_person_of = {p.person_id: p.la_person_id for p in population}
    with (out / "truth.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv_safe.writer(f, lineterminator="\r\n")
        w.writerow(["kind", "record_id", "true_person_id", "la_person_id"])
        for (kind, record_id), pid in truth.items():
            w.writerow([kind, record_id, pid, la_person_of[pid] or ""])
    return GeneratedQuarter(files, truth, la_person_of, population)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=25_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 3, 31))
    args = parser.parse_args(argv)
    q = generate_quarter(args.people, args.out, seed=args.seed, as_of=args.as_of)
    total = sum(1 for k, _ in q.truth if k != "persons")
    sys.stdout.write(f"wrote {len(q.files)} files, {total} partner rows, to {args.out}\n")


if __name__ == "__main__":
    main()

__all__ = ["GeneratedQuarter", "TruePerson", "generate_quarter", "main"]
