"""Synthetic families for the demo and benchmarks. Every name and address is invented.

Composition follows the programme's caseload: lone parents with several children, couples,
wider family members; most families are closed or active, some in the pipeline. Partner
agencies join Teams Around the Family and most families consent to sharing with the TAF,
so partner users see a plausible set through their agency.
"""

import random
from datetime import date, timedelta

from django.contrib.auth.models import Permission
from django.utils import timezone

from families.access import VIEW_PERMISSION
from families.models import (
    CaseNote,
    Consent,
    Family,
    FamilyGroupObjectPermission,
    Involvement,
    Membership,
    Person,
    StatusChange,
)
from tafcase import identity
from tafcase.accounts import services as account_services
from tafcase.accounts.models import Agency, Role, User

FORENAMES_F = [
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Grace",
    "Lily",
    "Freya",
    "Emily",
    "Ella",
    "Poppy",
    "Sophie",
    "Chloe",
    "Jessica",
    "Leah",
    "Aisha",
    "Zara",
    "Maya",
    "Hannah",
    "Kayleigh",
    "Stacey",
    "Danielle",
    "Gemma",
    "Natalie",
    "Kerry",
    "Sarah",
    "Michelle",
    "Lisa",
    "Joanne",
    "Amy",
    "Shannon",
    "Tia",
    "Nadia",
]
FORENAMES_M = [
    "Oliver",
    "George",
    "Harry",
    "Noah",
    "Jack",
    "Leo",
    "Charlie",
    "Jacob",
    "Alfie",
    "Freddie",
    "Oscar",
    "Archie",
    "Mohammed",
    "Ryan",
    "Kyle",
    "Liam",
    "Connor",
    "Jordan",
    "Dean",
    "Craig",
    "Lee",
    "Darren",
    "Wayne",
    "Jamie",
    "Callum",
    "Reece",
    "Tyler",
    "Kai",
    "Ibrahim",
    "Daniel",
    "Mason",
    "Ethan",
]
SURNAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Patel",
    "Khan",
    "Hughes",
    "Edwards",
    "Lewis",
    "Turner",
    "Hill",
    "Moore",
    "Cooper",
    "Ward",
    "Morris",
    "King",
    "Baker",
    "Harrison",
    "Morgan",
    "Allen",
    "James",
    "Scott",
    "Phillips",
    "Watson",
    "Begum",
    "Hussain",
    "Ali",
    "Kowalski",
    "Nowak",
    "Okafor",
    "Mensah",
    "O'Brien",
    "Murphy",
    "Shaw",
    "Price",
    "Bennett",
    "Griffiths",
    "Lloyd",
    "Kelly",
    "Barnes",
    "Fox",
]
STREETS = [
    "Mill Lane",
    "Church Street",
    "Victoria Road",
    "Station Road",
    "Park Avenue",
    "Queen Street",
    "Albert Terrace",
    "Canal Side",
    "Oak Close",
    "Elm Grove",
    "Coronation Street",
    "Chapel Walk",
    "Moorland View",
    "Brook Way",
    "Hollins Road",
    "Kingsway",
    "Market Street",
    "Jubilee Court",
    "Beech Drive",
    "Foundry Row",
]
# Invented postcode area for the demo authority; districts NB1–NB9.
POSTCODE_AREA = "NB"

STATUS_MIX = [  # (status, share)
    (Family.Status.CLOSED, 0.45),
    (Family.Status.ACTIVE, 0.35),
    (Family.Status.AWAITING_PANEL, 0.04),
    (Family.Status.ELIGIBLE, 0.03),
    (Family.Status.SCREENING, 0.04),
    (Family.Status.NOMINATED, 0.04),
    (Family.Status.NOT_ELIGIBLE, 0.03),
    (Family.Status.IDENTIFIED, 0.02),
]
# Case notes are built from a bank of contacts and next steps, filled in with the family's
# own members, the partners on its Team Around the Family and dates, so no two families'
# records read alike. {adult} and {child} are members of the family; {partner} is a
# practitioner from an agency on its TAF.
C = CaseNote.ContactType
NOTE_TEMPLATES = [
    (
        C.HOME_VISIT,
        "Home visit. {adult} was in and engaged well; we went through the "
        "morning routine and the school run plan for {child}.",
    ),
    (
        C.HOME_VISIT,
        "Home visit with {adult}. The house was tidy and calm; {child} showed me "
        "a certificate from school for good behaviour.",
    ),
    (
        C.HOME_VISIT,
        "Unannounced visit on {weekday}. {adult} was tired and said money has been "
        "tight since the Universal Credit payment was reduced.",
    ),
    (
        C.HOME_VISIT,
        "Visited {adult} at home to fill in the family star together. Scores "
        "improved on routines and on keeping the home safe.",
    ),
    (
        C.HOME_VISIT,
        "Home visit. {child} was seen on their own in the living room and said "
        "home feels calmer and nobody has been shouting.",
    ),
    (
        C.HOME_VISIT,
        "No answer at the door at the agreed time. Left a card and texted "
        "{adult}, who replied later to say they had a hospital appointment.",
    ),
    (
        C.OFFICE,
        "{adult} came to the family hub for the budgeting session. Completed a "
        "spending plan and a referral to the food bank.",
    ),
    (
        C.OFFICE,
        "Met {adult} at the children's centre. Talked about bedtime for {child}; "
        "{adult} will try the sticker chart we made.",
    ),
    (
        C.SCHOOL,
        "Met {child} at school with the head of year. {child} was seen on their own "
        "and said lessons are easier with the new seat.",
    ),
    (
        C.SCHOOL,
        "Attendance meeting at school with {adult} and {partner}. {child}'s "
        "attendance is up this half term; the part-time timetable ended on {when}.",
    ),
    (
        C.SCHOOL,
        "Saw {child} at lunchtime. Says the friendship group has settled and they "
        "joined the football club on {weekday}s.",
    ),
    (
        C.PHONE,
        "Phone call with {partner}: {child} has been late three times this week; "
        "agreed I will raise it with {adult} at the visit.",
    ),
    (
        C.PHONE,
        "{adult} rang upset after a letter about rent arrears. Talked it through and "
        "booked an appointment with {partner}.",
    ),
    (
        C.PHONE,
        "Phone call with {adult} to check how the first week of the course went. "
        "Enjoying it and has made a friend there.",
    ),
    (C.PHONE, "Called {partner} for an update. No new incidents reported since {when}."),
    (
        C.VIDEO,
        "Video call with {adult} as {child} was off sick. Went through the actions "
        "from the plan; two are done.",
    ),
    (C.MESSAGE, "Texted {adult} a reminder about the parenting course on {weekday}."),
    (C.MESSAGE, "Emailed {partner} the updated plan and the date of the next review."),
    (C.MESSAGE, "Letter sent to {adult} confirming the review meeting next {weekday}."),
    (
        C.MEETING,
        "Team Around the Family meeting with {adult} and {partner}. Reviewed the "
        "plan; {child}'s goal is on track and one action was added.",
    ),
    (
        C.MEETING,
        "TAF review. {adult} spoke about the progress made since {when}; "
        "{partner} agreed to step back to universal support.",
    ),
    (
        C.MEETING,
        "Multi-agency meeting about {child}. {partner} shared concerns about "
        "missed appointments; actions agreed with {adult} present.",
    ),
    (C.NOTE, "Checked the partner data: no police call-outs to the address since {when}."),
    (
        C.NOTE,
        "Case discussed in supervision. Agreed to keep visiting weekly until the "
        "review because of the recent setback with {child}'s attendance.",
    ),
    (C.NOTE, "Referral made to {partner} for {adult} with consent."),
]
NOTE_NEXT_STEPS = [
    "",
    "",
    "Next visit booked for {weekday}.",
    "I will chase the school about the transport form.",
    "{adult} will ring the housing office before our next visit.",
    "Plan updated.",
    "Will check in by text at the end of the week.",
    "Agreed to look at the benefits check together next time.",
    "{partner} to be invited to the next review.",
    "{child} wants to be at the next meeting.",
    "Praised the family for the progress made.",
    "No safeguarding concerns today.",
]
# How each partner's practitioner is spoken of in a case note.
PARTNER_WORKERS = {
    Agency.Kind.POLICE: "the neighbourhood PCSO",
    Agency.Kind.EDUCATION: "the school attendance officer",
    Agency.Kind.HEALTH: "the school nurse",
    Agency.Kind.DWP: "the work coach",
    Agency.Kind.HOUSING: "the housing officer",
    Agency.Kind.VOLUNTARY: "the Family Action support worker",
    Agency.Kind.YOUTH_OFFENDING: "the youth justice caseworker",
    Agency.Kind.CHILDRENS_SOCIAL_CARE: "the social worker",
    Agency.Kind.PROBATION: "the probation officer",
    Agency.Kind.OTHER: "the Citizens Advice debt adviser",
    Agency.Kind.LA_EARLY_HELP: "the Early Help team",
}
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
TAF_ROLES = {
    Agency.Kind.POLICE: "Neighbourhood policing team",
    Agency.Kind.EDUCATION: "School attendance and inclusion",
    Agency.Kind.HEALTH: "School nursing",
    Agency.Kind.DWP: "Work coach",
    Agency.Kind.HOUSING: "Tenancy sustainment",
    Agency.Kind.VOLUNTARY: "Family support worker",
    Agency.Kind.YOUTH_OFFENDING: "Youth justice caseworker",
    Agency.Kind.CHILDRENS_SOCIAL_CARE: "Social worker",
    Agency.Kind.PROBATION: "Probation officer",
    Agency.Kind.OTHER: "Debt and benefits advice",
}
# How far back the earliest attachments go: three and a half years, so that twelve whole
# quarters before the one running have families starting, working and closing.
HISTORY_DAYS = 1280
# About 10 active families each (intensive 5–8, lighter 10–15: 003 sections 2.2 and 3.2).
KEY_WORKERS_PER_1000_FAMILIES = 35


def _dob(rng: random.Random, today: date, min_age: int, max_age: int) -> date:
    return today - timedelta(days=rng.randint(min_age * 365, max_age * 365 + 364))


def _nhs_number(rng: random.Random) -> str:
    """A random NHS number that passes its check (identity.parse_nhs_number). The same
    ten draws as ever, the last replaced by the check digit, so the rest of the demo does
    not change."""
    stem = "".join(str(rng.randint(0, 9)) for _ in range(10))[:9]
    while (check := identity.nhs_check_digit(stem)) is None:
        stem = stem[:8] + str((int(stem[8]) + 1) % 10)
    return f"{stem}{check}"


def _upn(rng: random.Random) -> str:
    """A random UPN with its DfE check letter."""
    digits = str(rng.randint(10**11, 10**12 - 1))
    return identity.upn_check_letter(digits) + digits


def _postcode(rng: random.Random) -> str:
    return (
        f"{POSTCODE_AREA}{rng.randint(1, 9)} {rng.randint(1, 9)}"
        f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
    )


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _case_note(
    rng: random.Random,
    family: Family,
    household: list[Person],
    children: list[Person],
    partners: list[Agency],
    day: date,
    since: date,
) -> tuple[CaseNote, list[Person]]:
    """A varied note about one contact, and the members of the family it names."""
    contact_type, template = rng.choice(NOTE_TEMPLATES)
    step = rng.choice(NOTE_NEXT_STEPS)
    adult = rng.choice([p for p in household if p not in children] or household)
    child = rng.choice(children or household)
    partner = rng.choice(partners) if partners else None
    fields = {
        "adult": adult.forename,
        "child": child.forename,
        "partner": PARTNER_WORKERS[partner.kind] if partner else "the school",
        "weekday": rng.choice(WEEKDAYS),
        "when": _long_date(since + (day - since) * rng.randint(0, 9) // 10),
    }
    text = " ".join(t.format(**fields) for t in (template, step) if t)
    text = text[0].upper() + text[1:]
    named = [p for p, key in ((adult, "{adult}"), (child, "{child}")) if key in template + step]
    note = CaseNote(
        family=family,
        author_id=family.lead_professional_id,
        author_agency_id=family.lead_professional.agency_id,
        contact_type=contact_type,
        contact_date=day,
        text=text,
        child_seen_alone="seen on their own" in text,
    )
    return note, named


def _programme_dates(
    rng: random.Random, status: str, today: date
) -> tuple[date | None, date | None]:
    """(attached, closed) for a family at `status`. Closed families were attached at any
    time over the last three and a half years, so the reports have over twelve whole
    quarters of history; they worked with the programme for three months to a year and
    closed before today. Active families were attached within the last 13 months."""
    if status == Family.Status.CLOSED:
        start = today - timedelta(days=rng.randint(100, HISTORY_DAYS))
        end = min(start + timedelta(days=rng.randint(90, 360)), today - timedelta(days=1))
        return start, max(end, start + timedelta(days=60))
    if status == Family.Status.ACTIVE:
        return today - timedelta(days=rng.randint(20, 400)), None
    return None, None


def _key_workers(rng, context, needed: int) -> list[User]:
    """The demo key workers plus enough synthetic ones for realistic caseloads."""
    early_help = context["agencies"][0]
    workers = [u for u in context["users"].values() if u.has_role(Role.KEY_WORKER)]
    existing = list(
        User.objects.filter(email__startswith="kw", email__endswith=".example").order_by("pk")
    )
    for index in range(len(existing), max(0, needed - len(workers))):
        name = f"{rng.choice(FORENAMES_F + FORENAMES_M)} {rng.choice(SURNAMES)}"
        existing.append(
            account_services.user_create(
                email=f"kw{index:04d}@staff.northbridge.example",
                full_name=name,
                agency=early_help,
                roles=[Role.KEY_WORKER],
                password=None,
            )
        )
    return workers + existing


def _families(
    rng: random.Random, context: dict, workers: list[User], count: int, today: date
) -> list[Family]:
    authority, localities = context["authority"], context["localities"]
    statuses, weights = zip(*STATUS_MIX, strict=True)
    families = []
    for _ in range(count):
        surname = rng.choice(SURNAMES)
        status = rng.choices(statuses, weights)[0]
        allocated = status in (Family.Status.ACTIVE, Family.Status.CLOSED)
        start, end = _programme_dates(rng, status, today)
        families.append(
            Family(
                local_authority=authority,
                name=f"{surname} family",
                address_line_1=f"{rng.randint(1, 180)} {rng.choice(STREETS)}",
                town="Northbridge",
                postcode=_postcode(rng),
                locality=rng.choice(localities),
                status=status,
                tier=rng.choice(list(Family.Tier)) if allocated else "",
                lead_professional=rng.choice(workers) if allocated else None,
                programme_start=start,
                programme_end=end,
                next_review_due=(
                    today + timedelta(days=rng.randint(-14, 42))
                    if status == Family.Status.ACTIVE
                    else None
                ),
            )
        )
    return Family.objects.bulk_create(families, batch_size=2000)


def _people(
    rng: random.Random, families: list[Family], today: date
) -> tuple[list[Person], list[tuple[Family, str]]]:
    """Each family's members, and the (family, role) of each person in the same order."""
    people, memberships_for = [], []
    for family in families:
        surname = family.name.removesuffix(" family")
        shape = rng.random()
        adults = [("F", "parent_carer")]
        if shape > 0.55:  # couple families; the rest are lone parents
            adults.append(("M", "parent_carer"))
        if rng.random() < 0.2:
            adults.append((rng.choice("FM"), rng.choice(["other_adult", "wider_family"])))
        children = rng.choices([1, 2, 3, 4, 5], [25, 30, 25, 13, 7])[0]
        members = [(sex, role, _dob(rng, today, 19, 55)) for sex, role in adults]
        members += [(rng.choice("FM"), "child", _dob(rng, today, 0, 17)) for _ in range(children)]
        for sex, role, dob in members:
            forename = rng.choice(FORENAMES_F if sex == "F" else FORENAMES_M)
            own_surname = surname if role != "wider_family" else rng.choice(SURNAMES)
            people.append(
                Person(
                    local_authority=family.local_authority,
                    forename=forename,
                    surname=own_surname,
                    dob=dob,
                    sex=sex,
                    ethnicity=rng.choice(list(Person.Ethnicity)),
                    la_person_id=f"NB{rng.randint(10**7, 10**8 - 1)}",
                    nhs_number=_nhs_number(rng),
                    upn=(
                        _upn(rng)
                        if role == "child" and dob < today - timedelta(days=4 * 365)
                        else ""
                    ),
                )
            )
            memberships_for.append((family, role))
    return Person.objects.bulk_create(people, batch_size=5000), memberships_for


def seed(rng: random.Random, context: dict) -> None:
    count = context["families"]
    if Family.objects.filter(local_authority=context["authority"]).exists():
        return
    today = timezone.localdate()
    coordinator = context["users"]["coordinator"]
    workers = _key_workers(rng, context, max(4, count * KEY_WORKERS_PER_1000_FAMILIES // 1000))
    partners = [a for a in context["agencies"] if a.kind != Agency.Kind.LA_EARLY_HELP]
    families = _families(rng, context, workers, count, today)
    people, memberships_for = _people(rng, families, today)
    memberships = [
        Membership(
            family=family,
            person=person,
            role=role,
            lives_in_household=role != "wider_family",
            started_on=family.programme_start or today - timedelta(days=30),
        )
        for person, (family, role) in zip(people, memberships_for, strict=True)
    ]
    Membership.objects.bulk_create(memberships, batch_size=5000)
    first_adult = {}
    household_of: dict[int, list[tuple[Person, str]]] = {}
    for membership in memberships:
        first_adult.setdefault(membership.family_id, membership.person)
        if membership.lives_in_household:
            household_of.setdefault(membership.family_id, []).append(
                (membership.person, membership.role)
            )

    involvements, consents, grants, notes, changes = [], [], [], [], []
    note_people: list[list[Person]] = []
    view = Permission.objects.get(codename=VIEW_PERMISSION, content_type__app_label="families")
    for family in families:
        changes.append(
            StatusChange(
                family=family,
                to_status=family.status,
                changed_by=coordinator,
                reason="Imported from demo data",
            )
        )
        if family.status in (Family.Status.IDENTIFIED, Family.Status.NOT_ELIGIBLE):
            continue
        since = family.programme_start or today - timedelta(days=rng.randint(5, 60))
        consent_to_taf = rng.random() < 0.85
        consents.append(
            Consent(
                family=family,
                given_by=first_adult[family.pk],
                given_on=since,
                scope=Consent.Scope.PARTICIPATION,
                recorded_by=coordinator,
            )
        )
        if consent_to_taf:
            consents.append(
                Consent(
                    family=family,
                    given_by=first_adult[family.pk],
                    given_on=since,
                    scope=Consent.Scope.SHARE_TAF,
                    recorded_by=coordinator,
                )
            )
        taf = rng.sample(partners, rng.randint(1, 4))
        for agency in taf:
            ended = family.programme_end if family.status == Family.Status.CLOSED else None
            involvements.append(
                Involvement(
                    family=family,
                    agency=agency,
                    role=TAF_ROLES[agency.kind],
                    statutory=agency.kind
                    in (Agency.Kind.CHILDRENS_SOCIAL_CARE, Agency.Kind.YOUTH_OFFENDING),
                    started_on=since,
                    ended_on=ended,
                    paused=rng.random() < 0.05,
                )
            )
            if consent_to_taf and ended is None:
                grants.append(
                    FamilyGroupObjectPermission(
                        group_id=agency.group_id, permission=view, content_object=family
                    )
                )
        if family.lead_professional_id:
            household = household_of[family.pk]
            children = [p for p, role in household if role == "child"]
            people_here = [p for p, _ in household]
            last = family.programme_end or today
            for _ in range(rng.randint(2, 6)):
                day = since + timedelta(days=rng.randint(0, (last - since).days))
                note, named = _case_note(rng, family, people_here, children, taf, day, since)
                notes.append(note)
                note_people.append(named)
    StatusChange.objects.bulk_create(changes, batch_size=5000)
    Consent.objects.bulk_create(consents, batch_size=5000)
    Involvement.objects.bulk_create(involvements, batch_size=5000)
    FamilyGroupObjectPermission.objects.bulk_create(grants, batch_size=5000)
    CaseNote.objects.bulk_create(notes, batch_size=5000)
    CaseNote.people.through.objects.bulk_create(
        (
            CaseNote.people.through(casenote_id=note.pk, person_id=person.pk)
            for note, named in zip(notes, note_people, strict=True)
            for person in named
        ),
        batch_size=5000,
    )
    context["stdout"].write(
        f"Created {len(families)} families, {len(people)} people, "
        f"{len(involvements)} TAF involvements, {len(notes)} notes."
    )
