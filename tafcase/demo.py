"""Synthetic demo data for tafcase itself: an authority, its agencies, users and wards.

Every name here is invented. `seed_demo` runs this, then the `demo` module of every later
app (families, eligibility, …) in dependency order, passing the same random generator and
a context dict so that later apps can build on what earlier ones made.
"""

import random
from base64 import b32encode

from django_otp import user_has_device
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tafcase.accounts import services, two_factor
from tafcase.accounts.models import Agency, LocalAuthority, Locality, Role, User

DEMO_PASSWORD = "demo-families-first"  # noqa: S105 - synthetic demo accounts only
# The authenticator-app key of every demo account that needs a second factor, so a tester
# adds one entry to their app (or runs `manage.py demo_code`). Synthetic, demo only.
DEMO_TOTP_KEY = b"tafcase-demo-secret!".hex()  # 20 bytes, as authenticator apps expect
DOMAIN = "northbridge.example"

AUTHORITY = ("Northbridge Borough Council", "E99000001")
# A neighbouring borough whose programme shares a coordinator with Northbridge (003 §2.2:
# one coordinator across several councils), so the demo shows choosing an authority.
NEIGHBOUR = ("Southmere Borough Council", "E99000002")
WARDS = [
    "Abbey",
    "Brookside",
    "Castlefield",
    "Danesmoor",
    "Eastgate",
    "Fairholme",
    "Greenbank",
    "Hollins",
    "Ironbridge",
    "Kingsway",
    "Longford",
    "Millbrook",
    "Northgate",
    "Oakwood",
    "Parkside",
    "Riverside",
    "St Anne's",
    "Thornley",
    "Upperton",
    "Westwood",
]
K = Agency.Kind
AGENCIES = [
    ("Northbridge Early Help", K.LA_EARLY_HELP, True),
    ("Northbridge Children's Social Care", K.CHILDRENS_SOCIAL_CARE, True),
    ("Northshire Police", K.POLICE, False),
    ("Northbridge Schools and Attendance Service", K.EDUCATION, True),
    ("Northbridge Community Health NHS Trust", K.HEALTH, False),
    ("Jobcentre Plus Northbridge", K.DWP, False),
    ("Northbridge Youth Justice Service", K.YOUTH_OFFENDING, True),
    ("Northshire Probation Delivery Unit", K.PROBATION, False),
    ("Northbridge Homes", K.HOUSING, False),
    ("Family Action Northbridge", K.VOLUNTARY, False),
    ("Northbridge Citizens Advice", K.OTHER, False),
]
R = Role
# (email local part, name, agency index, roles, serves Northbridge's programme: True,
# False, or "both" for Northbridge and its neighbour)
USERS = [
    ("keyworker", "Kate Walker", 0, [R.KEY_WORKER], False),
    ("keyworker2", "Amir Hussain", 0, [R.KEY_WORKER], False),
    ("keyworker3", "Joanne Pritchard", 0, [R.KEY_WORKER], False),
    ("yos.keyworker", "Daniel Osei", 6, [R.KEY_WORKER], False),
    ("chair", "Helen Marsh", 0, [R.PANEL_CHAIR], True),
    ("panel.police", "Sgt Mark Ellis", 2, [R.PANEL_MEMBER], False),
    ("panel.health", "Priya Nair", 4, [R.PANEL_MEMBER], False),
    ("coordinator", "Sarah Collins", 0, [R.COORDINATOR], True),
    ("analyst", "Tom Baxter", 0, [R.DATA_ANALYST], True),
    ("manager", "Rachel Green", 0, [R.MANAGER], True),
    ("auditor", "Graham Lowe", 0, [R.AUDITOR], True),
    ("partner.police", "PC Lisa Grant", 2, [R.PARTNER_PRACTITIONER], False),
    ("partner.school", "Mr Ian Foster", 3, [R.PARTNER_PRACTITIONER], False),
    ("partner.health", "Nadia Khan", 4, [R.PARTNER_PRACTITIONER], False),
    ("partner.dwp", "Gary Holt", 5, [R.PARTNER_PRACTITIONER], False),
    ("partner.housing", "Claire Dunn", 8, [R.PARTNER_PRACTITIONER], False),
    ("partner.vcs", "Femi Adeyemi", 9, [R.PARTNER_PRACTITIONER], False),
    ("admin", "Alex Morgan", 0, [R.ADMINISTRATOR], True),
    ("coordinator.shared", "Jo Bennett", 0, [R.COORDINATOR], "both"),
]


def seed(rng: random.Random, context: dict) -> None:
    authority, _ = LocalAuthority.objects.get_or_create(
        code=AUTHORITY[1], defaults={"name": AUTHORITY[0]}
    )
    context["authority"] = authority
    neighbour, _ = LocalAuthority.objects.get_or_create(
        code=NEIGHBOUR[1], defaults={"name": NEIGHBOUR[0]}
    )
    context["localities"] = [
        Locality.objects.get_or_create(local_authority=authority, name=ward)[0] for ward in WARDS
    ]
    agencies = []
    for name, kind, local in AGENCIES:
        agency = Agency.objects.filter(name=name).first() or services.agency_create(
            name=name, kind=kind, local_authority=authority if local else None
        )
        agencies.append(agency)
    context["agencies"] = agencies
    users = {}
    for local, full_name, agency_index, roles, serves in USERS:
        email = f"{local}@{DOMAIN}"
        users[local] = User.objects.filter(email=email).first() or services.user_create(
            email=email,
            full_name=full_name,
            agency=agencies[agency_index],
            roles=roles,
            password=DEMO_PASSWORD,
            authorities=[authority, neighbour] if serves == "both" else [authority] * bool(serves),
        )
    context["users"] = users
    for user in users.values():
        if two_factor.required_for(user) and not user_has_device(user):
            TOTPDevice.objects.create(
                user=user, name="Authenticator app", key=DEMO_TOTP_KEY, confirmed=True
            )


def demo_totp_secret() -> str:
    """The demo key as an authenticator app takes it (base 32, in groups of four)."""
    secret = b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def demo_totp_code() -> str:
    """The code a demo account's authenticator app would show now."""
    return f"{TOTP(bytes.fromhex(DEMO_TOTP_KEY)).token():06d}"


def logins() -> list[tuple[str, str, str]]:
    """(role, email, agency) for every demo user, for printing."""
    rows = []
    for local, _name, agency_index, roles, _ in USERS:
        role_names = ", ".join(Role(r).label for r in roles)
        rows.append((role_names, f"{local}@{DOMAIN}", AGENCIES[agency_index][0]))
    return rows
