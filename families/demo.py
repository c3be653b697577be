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
NOTE_TEXTS = [
    "Home visit. Mum engaged well; we reviewed the morning routine and school run plan.",
    "Phone call with school attendance officer: attendance up this half term.",
    "Met with family to agree goals for the plan. Children seen together.",
    "Joint visit with housing officer about rent arrears; repayment plan agreed.",
    "Child seen alone at school. Said things are calmer at home.",
    "TAF meeting held; actions agreed with police and school.",
    "Text reminder sent about the parenting course starting Tuesday.",
]
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
        start = today - timedelta(days=rng.randint(20, 900)) if allocated else None
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
                programme_end=(
                    start + timedelta(days=rng.randint(90, 360))
                    if status == Family.Status.CLOSED
                    else None
                ),
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
    for membership in memberships:
        first_adult.setdefault(membership.family_id, membership.person)

    involvements, consents, grants, notes, changes = [], [], [], [], []
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
        for agency in rng.sample(partners, rng.randint(1, 4)):
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
            for _ in range(rng.randint(1, 4)):
                notes.append(
                    CaseNote(
                        family=family,
                        author_id=family.lead_professional_id,
                        author_agency=context["agencies"][0],
                        contact_type=rng.choice(list(CaseNote.ContactType)),
                        contact_date=max(since, today - timedelta(days=rng.randint(0, 120))),
                        text=rng.choice(NOTE_TEXTS),
                    )
                )
    StatusChange.objects.bulk_create(changes, batch_size=5000)
    Consent.objects.bulk_create(consents, batch_size=5000)
    Involvement.objects.bulk_create(involvements, batch_size=5000)
    FamilyGroupObjectPermission.objects.bulk_create(grants, batch_size=5000)
    CaseNote.objects.bulk_create(notes, batch_size=5000)
    context["stdout"].write(
        f"Created {len(families)} families, {len(people)} people, "
        f"{len(involvements)} TAF involvements, {len(notes)} notes."
    )
