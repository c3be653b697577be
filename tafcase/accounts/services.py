"""Writes for agencies and users."""

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tafcase.accounts.models import Agency, LocalAuthority, User
from tafcase.audit.models import AuditEvent
from tafcase.audit.services import audit_record


@transaction.atomic
def agency_create(*, name: str, kind: str, local_authority: LocalAuthority | None) -> Agency:
    group = Group.objects.create(name=f"agency:{name}")
    return Agency.objects.create(name=name, kind=kind, local_authority=local_authority, group=group)


@transaction.atomic
def user_create(
    *,
    email: str,
    full_name: str,
    agency: Agency,
    roles: list[str],
    password: str | None,
    authorities: Sequence[LocalAuthority] = (),
) -> User:
    user = User.objects.create_user(
        email=email, password=password, full_name=full_name, agency=agency, roles=list(roles)
    )
    user.authorities.set(authorities)
    user.groups.add(agency.group)
    return user


def user_access(user: User) -> dict[str, Any]:
    """What decides what a user may see, as an audit row records it (names, not ids, so
    the trail reads the same after an agency or authority is renamed or removed)."""
    return {
        "roles": sorted(user.roles),
        "agency": str(user.agency) if user.agency_id else None,
        "authorities": sorted(str(a) for a in user.authorities.all()),
    }


@transaction.atomic
def user_access_audit(
    *, actor: User, user: User, before: dict[str, Any] | None, ip: str | None
) -> AuditEvent | None:
    """Audit a change to a user's roles, agency or authorities, made elsewhere (the admin):
    `before` is user_access() as stored before the change, None for a new user. Call it
    after the user and their authorities are saved; nothing is written if none changed."""
    after = user_access(user)
    changes = {
        name: [before[name] if before else None, value]
        for name, value in after.items()
        if before is None or before[name] != value
    }
    if not changes:
        return None
    return audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATED if before is None else AuditEvent.Action.UPDATED,
        obj=user,
        changes=changes,
        summary=f"Access of {user.email} changed: {', '.join(changes)}",
        ip=ip,
    )


@transaction.atomic
def user_login_failed(*, user: User, ip: str | None) -> None:
    """Count a failed sign-in; lock the account when the limit is reached."""
    User.objects.filter(pk=user.pk).update(failed_login_count=F("failed_login_count") + 1)
    user.refresh_from_db(fields=["failed_login_count"])
    audit_record(actor=user, action=AuditEvent.Action.LOGIN_FAILED, obj=user, ip=ip)
    if user.failed_login_count >= settings.LOGIN_FAILURE_LIMIT:
        locked_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        User.objects.filter(pk=user.pk).update(locked_until=locked_until, failed_login_count=0)
        audit_record(actor=user, action=AuditEvent.Action.LOCKED_OUT, obj=user, ip=ip)


@transaction.atomic
def user_login_succeeded(*, user: User, ip: str | None) -> None:
    User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
    audit_record(actor=user, action=AuditEvent.Action.LOGIN, obj=user, ip=ip)


@transaction.atomic
def user_unlock(*, user: User) -> None:
    """A completed password reset proves the person holds the mailbox: lift any lock."""
    User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
