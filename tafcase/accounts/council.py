"""Setting up a council: its details, localities, agencies and users, and the invitations
that let new users choose a password.

One set of writes for both doors: `manage.py setup_council` and the "Set up your council"
pages. Users arrive as rows (from a CSV file or the "Add a user" form); every row is
checked before anything is written, so a file with one wrong row changes nothing.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from smtplib import SMTPException

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from tafcase.accounts import services
from tafcase.accounts.models import Agency, LocalAuthority, Locality, Role, User
from tafcase.audit.models import AuditEvent
from tafcase.audit.services import audit_record

log = logging.getLogger(__name__)

# An invitation link works for this long, and only until the password is set.
INVITATION_DAYS = 7
ONS_CODE = re.compile(r"^[EWSN]\d{8}$")


# --- Invitations ------------------------------------------------------------------------


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """The password-reset token, salted apart and valid for INVITATION_DAYS rather than
    PASSWORD_RESET_TIMEOUT. Its hash covers the password, so it stops working once used."""

    key_salt = "tafcase.accounts.council.InvitationTokenGenerator"

    def check_token(self, user, token) -> bool:
        if not (user and token):
            return False
        try:
            timestamp = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        if self._num_seconds(self._now()) - timestamp > INVITATION_DAYS * 24 * 60 * 60:
            return False
        return any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )


invitation_tokens = InvitationTokenGenerator()


def invitation_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse(
        "invitation", kwargs={"uidb64": uid, "token": invitation_tokens.make_token(user)}
    )
    return settings.SITE_URL.rstrip("/") + path


def invitation_email(user_id: int) -> None:
    """Email the invitation (tasks.invitation_email runs it on the worker). Nothing for a
    user who has gone, or has chosen a password since it was asked for."""
    user = User.objects.select_related("agency").filter(pk=user_id).first()
    if user is None or not invitation_pending(user):
        return
    context = {
        "user": user,
        "link": invitation_link(user),
        "days": INVITATION_DAYS,
        "programme_name": settings.PROGRAMME_NAME,
    }
    subject = render_to_string("registration/invitation_subject.txt", context).strip()
    body = render_to_string("registration/invitation_email.txt", context)
    try:
        send_mail(subject, body, None, [user.email])
    except (OSError, SMTPException):
        # The user is saved by now; an administrator resends from the users page. The log
        # names the account by id only (no personal data in logs).
        log.warning("The invitation to user %s could not be sent.", user_id, exc_info=True)


def invitation_pending(user: User) -> bool:
    """Invited and not yet signed up: no password chosen."""
    return not user.has_usable_password()


@transaction.atomic
def invitation_send(*, actor: User | None, user: User, ip: str | None = None) -> AuditEvent:
    """Email the user a new link to choose their password (by the worker, once the
    transaction commits). Refused for a user who has already chosen one: they reset it
    instead."""
    from tafcase.accounts.tasks import invitation_email as task

    if not invitation_pending(user):
        raise ValidationError(f"{user.email} has already set a password.")
    user_id = user.pk
    transaction.on_commit(lambda: task.delay(user_id))
    return audit_record(
        actor=actor,
        action=AuditEvent.Action.INVITATION_SENT,
        obj=user,
        summary=f"Invitation sent to {user.email}",
        ip=ip,
    )


# --- Authority, localities and agencies -------------------------------------------------


def _changes(before: Mapping[str, object], after: Mapping[str, object]) -> dict[str, list]:
    return {k: [before[k], v] for k, v in after.items() if before[k] != v}


@transaction.atomic
def authority_update(
    *,
    actor: User | None,
    authority: LocalAuthority,
    name: str,
    two_factor_for_everyone: bool,
    ip: str | None = None,
) -> LocalAuthority:
    name = name.strip()
    if LocalAuthority.objects.filter(name__iexact=name).exclude(pk=authority.pk).exists():
        raise ValidationError({"name": "Another authority already has that name."})
    locked = LocalAuthority.objects.select_for_update().get(pk=authority.pk)
    before = {"name": locked.name, "two_factor_for_everyone": locked.two_factor_for_everyone}
    after = {"name": name, "two_factor_for_everyone": two_factor_for_everyone}
    changes = _changes(before, after)
    if changes:
        locked.name, locked.two_factor_for_everyone = name, two_factor_for_everyone
        locked.save(update_fields=list(changes))
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATED,
            obj=locked,
            changes=changes,
            summary=f"Authority details changed: {', '.join(changes)}",
            ip=ip,
        )
    return locked


@transaction.atomic
def locality_add(
    *, actor: User | None, authority: LocalAuthority, name: str, ip: str | None = None
) -> Locality:
    name = name.strip()
    if Locality.objects.filter(local_authority=authority, name__iexact=name).exists():
        raise ValidationError({"name": f"{authority} already has a locality called {name}."})
    locality = Locality.objects.create(local_authority=authority, name=name)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATED,
        obj=locality,
        summary=f"Locality {name} added",
        ip=ip,
    )
    return locality


@transaction.atomic
def locality_rename(
    *, actor: User | None, locality: Locality, name: str, ip: str | None = None
) -> Locality:
    name = name.strip()
    clash = Locality.objects.filter(
        local_authority_id=locality.local_authority_id, name__iexact=name
    )
    if clash.exclude(pk=locality.pk).exists():
        raise ValidationError({"name": f"There is already a locality called {name}."})
    locked = Locality.objects.select_for_update().get(pk=locality.pk)
    if locked.name != name:
        changes = {"name": [locked.name, name]}
        locked.name = name
        locked.save(update_fields=["name"])
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATED,
            obj=locked,
            changes=changes,
            summary=f"Locality renamed to {name}",
            ip=ip,
        )
    return locked


def _agency_name_taken(name: str, *, other_than: Agency | None = None) -> bool:
    agencies = Agency.objects.filter(name__iexact=name)
    if other_than is not None:
        agencies = agencies.exclude(pk=other_than.pk)
    return agencies.exists()


@transaction.atomic
def agency_add(
    *,
    actor: User | None,
    authority: LocalAuthority,
    name: str,
    kind: str,
    ip: str | None = None,
) -> Agency:
    name = name.strip()
    if kind not in Agency.Kind.values:
        raise ValidationError({"kind": "Choose the kind of agency."})
    # Agency names are unique across every authority (partners can serve several).
    if _agency_name_taken(name):
        raise ValidationError({"name": f"There is already an agency called {name}."})
    agency = services.agency_create(name=name, kind=kind, local_authority=authority)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATED,
        obj=agency,
        summary=f"Agency {name} added",
        ip=ip,
    )
    return agency


@transaction.atomic
def agency_update(
    *, actor: User | None, agency: Agency, name: str, kind: str, ip: str | None = None
) -> Agency:
    name = name.strip()
    if kind not in Agency.Kind.values:
        raise ValidationError({"kind": "Choose the kind of agency."})
    if _agency_name_taken(name, other_than=agency):
        raise ValidationError({"name": f"There is already an agency called {name}."})
    locked = Agency.objects.select_for_update().get(pk=agency.pk)
    changes = _changes({"name": locked.name, "kind": locked.kind}, {"name": name, "kind": kind})
    if changes:
        locked.name, locked.kind = name, kind
        locked.save(update_fields=list(changes))
        # The permission group carries the agency's name, so the admin reads the same.
        Group.objects.filter(pk=locked.group_id).update(name=f"agency:{name}")
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATED,
            obj=locked,
            changes=changes,
            summary=f"Agency {name} changed: {', '.join(changes)}",
            ip=ip,
        )
    return locked


def agency_kind_from_words(words: str) -> str | None:
    """An agency kind from its label ("Police") or code ("la_early_help"); blank is Other."""
    key = _key(words)
    if not key:
        return Agency.Kind.OTHER
    for kind in Agency.Kind:
        if key in (_key(kind.value), _key(kind.label)):
            return kind.value
    return None


@dataclass
class CouncilSetUp:
    """What council_set_up did, for the command's summary."""

    authority: LocalAuthority
    authority_created: bool
    localities_added: list[str] = field(default_factory=list)
    localities_kept: list[str] = field(default_factory=list)
    agencies_added: list[str] = field(default_factory=list)
    agencies_kept: list[str] = field(default_factory=list)


@transaction.atomic
def council_set_up(
    *,
    name: str,
    code: str,
    localities: Iterable[str] = (),
    agencies: Iterable[tuple[str, str]] = (),
) -> CouncilSetUp:
    """Make the authority with this ONS code (or find it, renaming it to `name`), and add
    whichever of the localities and (name, kind) agencies it lacks. Safe to run again."""
    name, code = name.strip(), code.strip().upper()
    if not ONS_CODE.match(code):
        raise ValidationError(
            f"{code or 'The ONS code'} is not an ONS code: a letter and 8 digits, like E08000025."
        )
    if not name:
        raise ValidationError("Enter the council's name.")
    authority = LocalAuthority.objects.filter(code=code).first()
    created = authority is None
    if authority is None:
        if LocalAuthority.objects.filter(name__iexact=name).exists():
            raise ValidationError(f"Another authority is already called {name}.")
        authority = LocalAuthority.objects.create(name=name, code=code)
        audit_record(
            actor=None,
            action=AuditEvent.Action.CREATED,
            obj=authority,
            summary=f"Authority {name} ({code}) set up",
        )
    elif authority.name != name:
        authority = authority_update(
            actor=None,
            authority=authority,
            name=name,
            two_factor_for_everyone=authority.two_factor_for_everyone,
        )
    result = CouncilSetUp(authority=authority, authority_created=created)
    have = {locality.name.lower() for locality in authority.localities.all()}
    for locality in dict.fromkeys(n.strip() for n in localities if n.strip()):
        if locality.lower() in have:
            result.localities_kept.append(locality)
        else:
            locality_add(actor=None, authority=authority, name=locality)
            result.localities_added.append(locality)
    for agency_name, kind in agencies:
        existing = Agency.objects.filter(name__iexact=agency_name.strip()).first()
        if existing is None:
            agency_add(actor=None, authority=authority, name=agency_name, kind=kind)
            result.agencies_added.append(agency_name.strip())
        elif existing.local_authority_id in (None, authority.pk):
            result.agencies_kept.append(existing.name)
        else:
            raise ValidationError(f"The agency {existing.name} belongs to another authority.")
    return result


# --- Users --------------------------------------------------------------------------------

USER_COLUMNS = ("email", "full_name", "roles", "agency")
# Header words a spreadsheet might use for each column, compared by _key().
_HEADER_NAMES = {
    "email": "email",
    "emailaddress": "email",
    "fullname": "full_name",
    "name": "full_name",
    "role": "roles",
    "roles": "roles",
    "agency": "agency",
    "authority": "authority",
    "localauthority": "authority",
    "council": "authority",
}
_ROLE_SEPARATORS = re.compile(r"[;,|/]")
MAX_ROWS = 5000


def _key(words: str) -> str:
    return re.sub(r"[^a-z0-9]", "", words.lower())


def role_from_words(words: str) -> str | None:
    """A role from people's words ("Key worker") or its code ("key_worker")."""
    key = _key(words)
    for role in Role:
        if key in (_key(role.value), _key(role.label)):
            return role.value
    return None


@dataclass(frozen=True)
class UserRow:
    """One user as typed: in a file (`row` is its line in the spreadsheet) or the form."""

    row: int | None
    email: str
    full_name: str
    roles: str
    agency: str
    authority: str = ""


@dataclass(frozen=True)
class CheckedUser:
    email: str
    full_name: str
    roles: tuple[str, ...]
    agency: Agency
    existing: User | None


@dataclass
class UsersSaved:
    invited: list[User] = field(default_factory=list)
    updated: list[User] = field(default_factory=list)
    unchanged: list[User] = field(default_factory=list)


def users_from_csv(text: str) -> list[UserRow]:
    """Rows of a users file. Raises ValidationError naming what is wrong with the file
    as a whole (its columns, its size); the rows themselves are checked by users_check."""
    if "\x00" in text:
        raise ValidationError("The file is not a CSV file.")
    try:
        return _user_rows(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    except csv.Error as error:
        raise ValidationError(f"The file is not a CSV file that can be read ({error}).") from None


def _user_rows(reader: Iterator[list[str]]) -> list[UserRow]:
    header = next(reader, None)
    if not header or not any(cell.strip() for cell in header):
        raise ValidationError("The file is empty. The first row names the columns.")
    columns = [_HEADER_NAMES.get(_key(cell), "") for cell in header]
    missing = [name for name in USER_COLUMNS if name not in columns]
    if missing:
        raise ValidationError(
            "The first row must name the columns email, full name, roles and agency "
            f"(missing: {', '.join(name.replace('_', ' ') for name in missing)})."
        )
    rows: list[UserRow] = []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ValidationError(f"The file has more than {MAX_ROWS} users: split it.")
        values = dict.fromkeys((*USER_COLUMNS, "authority"), "")
        for name, cell in zip(columns, cells, strict=False):
            if name:
                values[name] = cell.strip()
        rows.append(UserRow(row=number, **values))
    if not rows:
        raise ValidationError("The file has no users: add a row for each person.")
    return rows


def users_check(
    *, authority: LocalAuthority, rows: Sequence[UserRow], actor: User | None = None
) -> list[CheckedUser]:
    """Every row checked against the authority's agencies and existing accounts, and
    that it leaves the administrator making the change (`actor`) an administrator: no
    one locks themselves out. Raises ValidationError listing every problem, each with its
    row number."""
    agencies = {
        agency.name.lower(): agency
        for agency in Agency.objects.filter(local_authority=authority).order_by()
    }
    emails = [row.email.strip().lower() for row in rows]
    existing = {
        user.email: user
        for user in User.objects.filter(email__in=emails)
        .select_related("agency")
        .prefetch_related("authorities")
    }
    errors: list[str] = []
    checked: list[CheckedUser] = []
    seen: dict[str, int | None] = {}
    for row, email in zip(rows, emails, strict=True):
        problems = _email_problems(row, email, seen)
        seen.setdefault(email, row.row)
        full_name = " ".join(row.full_name.split())
        if not full_name:
            problems.append("Enter the person's full name")
        elif len(full_name) > 150:
            problems.append("The full name is longer than 150 characters")
        roles = _roles(row.roles, problems)
        agency = agencies.get(row.agency.strip().lower())
        if agency is None:
            problems.append(
                f"{authority} has no agency called “{_shown(row.agency)}”"
                if row.agency.strip()
                else "Enter the agency the person works for"
            )
        typed = row.authority.strip().lower()
        if typed and typed not in (authority.name.lower(), authority.code.lower()):
            problems.append(f"The authority “{_shown(row.authority)}” is not {authority}")
        user = existing.get(email)
        if user is not None and not _belongs_to(user, authority):
            problems.append(f"{email} already has an account with another authority")
        if user is not None and user == actor and Role.ADMINISTRATOR not in roles:
            problems.append(
                "This is your own account: keep the Administrator role. Another "
                "administrator can take it away"
            )
        if problems:
            where = f"Row {row.row}: " if row.row else ""
            errors.append(where + " ".join(f"{problem}." for problem in problems))
        elif agency is not None:
            checked.append(CheckedUser(email, full_name, tuple(roles), agency, user))
    if errors:
        raise ValidationError(errors)
    return checked


def _shown(value: str, limit: int = 60) -> str:
    """A value from the file as an error message quotes it: never the whole of a huge cell."""
    value = value.strip()
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _email_problems(row: UserRow, email: str, seen: Mapping[str, int | None]) -> list[str]:
    if not email:
        return ["Enter an email address"]
    try:
        if len(email) > 254:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        return [f"“{_shown(row.email)}” is not an email address"]
    if email in seen:
        first = seen[email]
        return [f"{email} is also on row {first}" if first else f"{email} is repeated"]
    return []


def _roles(words: str, problems: list[str]) -> list[str]:
    """The roles named in a cell, each once; what is not a role goes on `problems`."""
    roles: list[str] = []
    for word in _ROLE_SEPARATORS.split(words):
        if not word.strip():
            continue
        role = role_from_words(word)
        if role is None:
            problems.append(f"“{_shown(word)}” is not a role")
        elif role not in roles:
            roles.append(role)
    if not words.strip():
        problems.append("Enter at least one role")
    return roles


def _belongs_to(user: User, authority: LocalAuthority) -> bool:
    """An account the authority's administrators may change: it works for one of the
    authority's agencies, or, with no agency of another authority, serves it."""
    if user.agency is not None and user.agency.local_authority_id is not None:
        return user.agency.local_authority_id == authority.pk
    return any(served.pk == authority.pk for served in user.authorities.all())


@transaction.atomic
def users_import(
    *,
    actor: User | None,
    authority: LocalAuthority,
    rows: Sequence[UserRow],
    ip: str | None = None,
) -> UsersSaved:
    """Check every row, then add the new users (each invited by email) and bring existing
    ones up to date. Nothing is written if any row is wrong; running it again with the
    same rows changes nothing."""
    saved = UsersSaved()
    for row in users_check(authority=authority, rows=rows, actor=actor):
        if row.existing is None:
            user = services.user_create(
                email=row.email,
                full_name=row.full_name,
                agency=row.agency,
                roles=list(row.roles),
                password=None,
                authorities=[authority],
            )
            services.user_access_audit(actor=actor, user=user, before=None, ip=ip)
            invitation_send(actor=actor, user=user, ip=ip)
            saved.invited.append(user)
        elif _user_update(actor=actor, authority=authority, row=row, ip=ip):
            saved.updated.append(row.existing)
        else:
            saved.unchanged.append(row.existing)
    return saved


def _user_update(
    *, actor: User | None, authority: LocalAuthority, row: CheckedUser, ip: str | None
) -> bool:
    user = User.objects.select_for_update().get(pk=row.existing.pk)  # type: ignore[union-attr]
    before = services.user_access(user)
    changed = False
    if user.full_name != row.full_name:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATED,
            obj=user,
            changes={"full_name": [user.full_name, row.full_name]},
            summary=f"Name of {user.email} changed",
            ip=ip,
        )
        user.full_name = row.full_name
        changed = True
    if user.agency_id != row.agency.pk:
        if user.agency is not None:
            user.groups.remove(user.agency.group)
        user.groups.add(row.agency.group)
        user.agency = row.agency
    user.roles = list(row.roles)
    user.save(update_fields=["full_name", "agency", "roles"])
    user.authorities.add(authority)
    return bool(services.user_access_audit(actor=actor, user=user, before=before, ip=ip)) or changed
