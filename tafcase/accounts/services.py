"""Writes for agencies and users."""

from collections.abc import Sequence
from datetime import timedelta

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
