"""Partner records for the demo's own families: why each was attached, and how it has
got on since.

The generated quarter (generator.py) invents residents of its own, so without these rows
the families people work with in the demo would have no partner data: no needs at
attachment, hence no results to claim, only attachment fees. Each attached family gets
two or three TF2015 headline problems in the year before it was attached, from the
partner that would hold them, and a course since: a problem carries on until a
turnaround date and stops after it (attendance recovers, a parent starts work, no more
police call-outs, no new social care episode). Turnarounds are spread so that some
families' results were met by the previous quarter end, some in the quarter just ended,
and the rest are in progress; a few that held have broken down since (a new incident).

Health is the one problem whose outcome partner data cannot show: an improving family
with it also gets a practitioner's recorded evidence of engagement with treatment in the
six months before each date its results are evaluated on (``FamilyData.statements``).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from eligibility.rules.dates import Term, months_after, months_before, terms_ending_by
from families.models import Family, Membership, Person
from tafcase import identity

DAY = timedelta(days=1)

# Of the families attached at least six months before the previous quarter end, the share
# whose results were met by then; of those attached six months before the quarter just
# ended (and not already met), the share met during it. The rest are in progress.
MET_BY_PREVIOUS = 0.17
MET_THIS_QUARTER = 0.16
# Of the families met by the previous quarter end, the share with a new incident since.
LAPSED = 0.03
# Of the improving families with a parent out of work, the share where only the job holds
# (a continuous employment result instead of sustained progress on every problem).
WORK_ONLY = 0.25
# Of the active families not yet met, the share whose problems all carry on to the latest
# data; the rest of those in progress had one recent setback (or were attached recently).
STRUGGLING = 0.4

# How often an attached family has each problem (two or three of them are chosen).
NEEDS = {
    "crime_asb": 0.35,
    "education": 0.3,
    "children_need_help": 0.25,
    "worklessness": 0.5,
    "domestic_abuse": 0.3,
    "health": 0.2,
}
# Problems a single new record breaks at once: the one that decides when a family's
# results can first be met is one of these when the family has one.
DECISIVE = ("crime_asb", "domestic_abuse", "children_need_help", "worklessness")
# Which of a person's identifiers each partner holds (besides name, birth date, address).
IDENTIFIERS = {
    "school_attendance": ("upn",),
    "childrens_social_care": ("la_person_id",),
    "health": ("nhs_number",),
}
BENEFITS = ("JSA", "UC_SEARCHING", "ESA", "UC_PREPARING", "IS")
ADULT_HEALTH_NEEDS = ("mental_health", "mental_health", "substance_misuse", "alcohol_misuse")
HEALTH_SOURCE = "Northbridge Community Health NHS Trust"
HEALTH_PROGRESS = [
    "Attending talking therapy every fortnight; GP reports mood much improved.",
    "Keeping every appointment with the recovery service; tests clear since the last review.",
    "Engaging well with treatment; school nurse reports things calmer at home.",
]


@dataclass(frozen=True)
class Course:
    """One attached family's problems and how each has gone since attachment.

    ``until[need]`` is the last day the problem was still recorded (the attachment date
    when nothing was recorded after it); a need in ``ongoing`` is still a problem at the
    latest data. ``lapse_on`` is a new incident after results were met.
    """

    family_id: int
    attached: date
    label: str  # met_by_previous, met_this_quarter, in_progress or struggling
    needs: tuple[str, ...]
    until: dict[str, date]
    ongoing: frozenset[str] = frozenset()
    lapse_on: date | None = None
    lapse_need: str | None = None


@dataclass
class _Member:
    person: Person
    role: str

    def age(self, on: date) -> int:
        return identity.age_on(self.person.dob, on) if self.person.dob else 30

    def is_adult(self, on: date) -> bool:
        return self.role != Membership.Role.CHILD and self.age(on) >= identity.ADULT_AGE


@dataclass
class FamilyData:
    """Rows by partner kind for the quarter's files, and the recorded evidence to add."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    # (family, person, date, text) of each statement of health progress.
    statements: list[tuple[Family, Person, date, str]] = field(default_factory=list)
    courses: dict[int, Course] = field(default_factory=dict)


def _between(rng: random.Random, start: date, end: date) -> date:
    """A day from start to end inclusive (start when the range is empty)."""
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _needs(rng: random.Random, members: list[_Member], attached: date) -> tuple[str, ...]:
    adults = [m for m in members if m.is_adult(attached)]
    children = [m for m in members if m.role == Membership.Role.CHILD]
    possible = dict(NEEDS)
    if not any(identity.is_school_age(m.age(attached)) for m in children):
        possible.pop("education")
    if not any(m.age(attached) < identity.ADULT_AGE for m in children):
        possible.pop("children_need_help")
    if not any(m.role == Membership.Role.PARENT_CARER for m in adults):
        possible.pop("worklessness")
    if not adults:
        for code in ("crime_asb", "domestic_abuse", "health"):
            possible.pop(code, None)
    chosen: list[str] = []
    for _ in range(rng.choice((2, 2, 2, 3))):
        if not possible:
            break
        code = rng.choices(list(possible), list(possible.values()))[0]
        chosen.append(code)
        del possible[code]
    return tuple(sorted(chosen))


def _when_met(
    rng: random.Random, attached: date, *, active: bool, as_of: date, previous_cutoff: date
) -> tuple[str, date]:
    """The family's course and the first day its results could be met."""
    if attached <= months_before(previous_cutoff, 6) and rng.random() < MET_BY_PREVIOUS:
        return "met_by_previous", _between(rng, months_after(attached, 6), previous_cutoff)
    if attached <= months_before(as_of, 6) and rng.random() < MET_THIS_QUARTER:
        start = max(previous_cutoff + DAY, months_after(attached, 6))
        return "met_this_quarter", _between(rng, start, as_of)
    if active and attached < as_of and rng.random() < STRUGGLING:
        return "struggling", months_after(as_of, 6)
    # In progress: a setback in the last six months, or none since a recent attachment.
    start = max(attached, months_before(as_of, 6)) + DAY
    recent = attached > months_before(as_of, 6) and rng.random() < 0.5
    last_trouble = attached if recent or start > as_of else _between(rng, start, as_of)
    return "in_progress", months_after(last_trouble, 6)


def plan(
    rng: random.Random,
    family_id: int,
    attached: date,
    needs: tuple[str, ...],
    *,
    active: bool,
    as_of: date,
    previous_cutoff: date,
) -> Course:
    """When each of a family's problems stops: the turnaround T is chosen so the family's
    results could first be met (T + 6 months) by the previous quarter end, in the quarter
    to ``as_of``, or later."""
    label, met = _when_met(
        rng, attached, active=active, as_of=as_of, previous_cutoff=previous_cutoff
    )
    turnaround = max(attached, months_before(met, 6))
    improving = label.startswith("met")
    # In progress, the setback is never a job: a parent out of work still is (a job of a
    # few weeks would be in progress too, but every evaluation would have to work out the
    # day its weeks add up, which is slow at this scale).
    decisive = [n for n in needs if n in DECISIVE and (improving or n != "worklessness")]
    last = rng.choice(decisive or list(needs))
    # The other problems stopped earlier (in progress, soon after attachment); a parent
    # out of work found a job that has lasted long enough by the turnaround's date.
    span = (turnaround - attached).days if improving else 90
    until = {
        need: turnaround
        if need in (last, "worklessness")
        else min(turnaround, attached + timedelta(days=int(rng.random() * span)))
        for need in needs
    }
    carrying_on: tuple[str, ...] = ()
    if label == "struggling":
        carrying_on = needs
    elif label == "in_progress" and "worklessness" in needs:
        carrying_on = ("worklessness",)
        if not active:
            # A closed case still out of work; its other problems were over long since.
            for need in needs:
                if need != "worklessness":
                    until[need] = attached + timedelta(days=rng.randint(0, 90))
    elif (
        active
        and improving
        and "worklessness" in needs
        and len(needs) > 1
        and rng.random() < WORK_ONLY
    ):
        # Only the job holds: every other problem carries on.
        carrying_on = tuple(n for n in needs if n != "worklessness")
    for need in carrying_on:
        until[need] = as_of - timedelta(days=rng.randint(0, 45))
    ongoing = frozenset(carrying_on)
    lapse_on = lapse_need = None
    breakable = sorted({"crime_asb", "domestic_abuse"} & set(needs) - ongoing)
    if label == "met_by_previous" and breakable and rng.random() < LAPSED:
        lapse_on = _between(rng, previous_cutoff + timedelta(days=14), as_of - timedelta(days=7))
        lapse_need = breakable[0]
    return Course(family_id, attached, label, needs, until, ongoing, lapse_on, lapse_need)


class _Builder:
    """Builds one family's partner rows from its course."""

    def __init__(self, rng: random.Random, data: FamilyData, as_of: date, checkpoints):
        self.rng, self.data, self.as_of = rng, data, as_of
        # The dates results are evaluated on: the claim windows' cut-offs and today.
        self.checkpoints: tuple[date, ...] = checkpoints
        self.serial: dict[str, int] = defaultdict(int)

    def add(self, kind: str, family: Family, member: _Member, **fields: Any) -> None:
        """One row, dropped when its dates are after the extract (not yet happened, or
        about someone not yet born)."""
        person = member.person
        if any(isinstance(v, date) and v > self.as_of for v in (person.dob, *fields.values())):
            return
        self.serial[kind] += 1
        prefix = "".join(w[0] for w in kind.split("_")).upper()
        row = {
            "record_id": f"F{prefix}{self.serial[kind]:07d}",
            "forename": person.forename,
            "surname": person.surname,
            "dob": person.dob,
            "sex": person.sex,
            "address_line_1": family.address_line_1,
            "town": family.town,
            "postcode": family.postcode,
            **{name: getattr(person, name) for name in IDENTIFIERS.get(kind, ())},
            **fields,
        }
        self.data.rows[kind].append(row)

    def before(self, attached: date, low: int, high: int) -> date:
        """A day in the months before attachment, and not after the extract."""
        return min(attached - timedelta(days=self.rng.randint(low, high)), self.as_of)

    def since(self, attached: date, until: date) -> list[date]:
        """Days a problem was recorded after attachment, every few months to ``until``."""
        days = []
        day = until
        while day > attached:
            days.append(day)
            day -= timedelta(days=self.rng.randint(60, 150))
        return days

    # --- one method per problem ---------------------------------------------------------

    def crime_asb(self, family, members, course, until):
        a = course.attached
        young = [m for m in members if 10 <= m.age(a) < identity.ADULT_AGE]
        adults = [m for m in members if m.is_adult(a)]
        who = self.rng.choice(young or adults)
        days = [self.before(a, 15, 170) for _ in range(2)] + self.since(a, until)
        if course.lapse_on and course.lapse_need == "crime_asb":
            days.append(course.lapse_on)
        for day in days:
            self.add(
                "asb",
                family,
                who,
                incident_date=day,
                incident_type=self.rng.choice(("noise", "vandalism", "nuisance", "intimidation")),
                role="perpetrator",
            )

    def domestic_abuse(self, family, members, course, until):
        a = course.attached
        adults = [m for m in members if m.is_adult(a)]
        victim = next((m for m in adults if m.person.sex == "F"), adults[0])
        days = [self.before(a, 20, 330) for _ in range(self.rng.randint(1, 2))]
        days += self.since(a, until)
        if course.lapse_on and course.lapse_need == "domestic_abuse":
            days.append(course.lapse_on)
        for day in days:
            self.add(
                "domestic_abuse",
                family,
                victim,
                incident_date=day,
                role="victim",
                marac=self.rng.choice("YN"),
                risk_level=self.rng.choice(("standard", "medium", "high")),
            )

    def children_need_help(self, family, members, course, until):
        a = course.attached
        child = self.rng.choice(
            [m for m in members if m.role == "child" and m.age(a) < identity.ADULT_AGE]
        )
        start = self.before(a, 30, 300)
        episodes = [(start, a + timedelta(days=self.rng.randint(20, 250)), "CIN")]
        if until > a:
            # Stepped up to a child protection plan, which ended on the turnaround date
            # (or carries on).
            plan_from = min(until, a + timedelta(days=self.rng.randint(14, 90)))
            episodes = [(start, plan_from - DAY, "CIN"), (plan_from, until, "CP")]
        for start, end, status in episodes:
            self.add(
                "childrens_social_care",
                family,
                child,
                status=status,
                start_date=start,
                end_date=None
                if end >= self.as_of or (status == "CP" and "children_need_help" in course.ongoing)
                else end,
            )

    def education(self, family, members, course, until):
        a = course.attached
        rng = self.rng
        children = [m for m in members if m.role == "child" and m.person.dob]
        problem = rng.choice([m for m in children if identity.is_school_age(m.age(a))])
        term: Term = terms_ending_by(a, 3)[0]
        while term.end <= self.as_of:
            for child in children:
                if not 4 <= child.age(term.start) <= 16:
                    continue
                possible = {"autumn": 140, "spring": 120, "summer": 130}[term.name]
                possible -= rng.choice((0, 2, 4, 6))
                high = child is problem and (term.end <= until or "education" in course.ongoing)
                absent = possible * (rng.randint(12, 25) if high else rng.randint(1, 7)) // 100
                unauthorised = absent * rng.randint(20, 70) // 100 if high else absent // 4
                self.add(
                    "school_attendance",
                    family,
                    child,
                    academic_year=term.academic_year,
                    term=term.name,
                    sessions_possible=possible,
                    sessions_authorised_absent=absent - unauthorised,
                    sessions_unauthorised_absent=unauthorised,
                    school_urn=f"9{family.pk % 89 + 10:02d}{child.person.pk % 997:03d}",
                )
            term = term.following()

    def worklessness(self, family, members, course, until):
        a = course.attached
        rng = self.rng
        parent = next(m for m in members if m.role == "parent_carer" and m.is_adult(a))
        benefit = rng.choices(BENEFITS, (3, 5, 1, 1, 1))[0]
        started = self.before(a, 60, 700)
        # Continuous employment holds 6 months after the turnaround: a job of 26 weeks
        # after a job-search benefit, 13 after another (rulebooks.md, TF2015).
        weeks = 26 if benefit in ("JSA", "UC_SEARCHING") else 13
        job = max(a + DAY, months_after(until, 6) - timedelta(weeks=weeks + 1))
        in_work = "worklessness" not in course.ongoing and job <= self.as_of
        self.add(
            "benefits",
            family,
            parent,
            benefit=benefit,
            start_date=started,
            end_date=job - DAY if in_work else None,
        )
        if in_work:
            self.add(
                "employment",
                family,
                parent,
                start_date=job,
                end_date=None,
                hours_per_week=rng.choice((16, 20, 25, 30, 37)),
            )

    def health(self, family, members, course, until):
        a = course.attached
        rng = self.rng
        adults = [m for m in members if m.is_adult(a)]
        young = [m for m in members if m.role == "child" and 5 <= m.age(a) < identity.ADULT_AGE]
        if young and rng.random() < 0.2:
            who, need = rng.choice(young), "autism_adhd_ehcp"
        else:
            who = rng.choice(adults)
            need = rng.choice(ADULT_HEALTH_NEEDS)
        for day in [self.before(a, 10, 300), *self.since(a, until)]:
            self.add("health", family, who, need=need, recorded_date=day)
        if "health" in course.ongoing or not course.label.startswith("met"):
            return
        # A key worker's statement of progress in the six months before each date results
        # are evaluated on, once the family has turned round.
        days = {
            _between(rng, max(until, months_before(checkpoint, 6)) + DAY, checkpoint)
            for checkpoint in self.checkpoints
            if checkpoint > until + timedelta(days=21)
        }
        for day in sorted(days):
            self.data.statements.append((family, who.person, day, rng.choice(HEALTH_PROGRESS)))


def family_data(
    rng: random.Random, authority, *, as_of: date, previous_cutoff: date, today: date
) -> FamilyData:
    """Partner rows (and health statements) for every family of ``authority`` attached to
    the programme, with the data extract taken on ``as_of``."""
    families = list(
        Family.objects.filter(local_authority=authority, programme_start__isnull=False).order_by(
            "pk"
        )
    )
    members: dict[int, list[_Member]] = defaultdict(list)
    for m in (
        Membership.objects.filter(family__in=families, ended_on__isnull=True)
        .exclude(role=Membership.Role.WIDER_FAMILY)
        .select_related("person")
        .order_by("family_id", "pk")
    ):
        members[m.family_id].append(_Member(m.person, m.role))
    data = FamilyData()
    builder = _Builder(rng, data, as_of, (previous_cutoff, as_of, today))
    for family in families:
        attached = family.programme_start
        assert attached is not None
        needs = _needs(rng, members[family.pk], attached)
        if not needs:
            continue
        course = plan(
            rng,
            family.pk,
            attached,
            needs,
            active=family.status == Family.Status.ACTIVE,
            as_of=as_of,
            previous_cutoff=previous_cutoff,
        )
        data.courses[family.pk] = course
        for need in needs:
            getattr(builder, need)(family, members[family.pk], course, course.until[need])
    return data
