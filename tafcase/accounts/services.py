"""Writes for agencies and users."""

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tafcase.accounts import throttle
from tafcase.accounts.models import (
    Agency,
    ApiToken,
    LocalAuthority,
    ProfessionalBackground,
    SignInThrottle,
    User,
)
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
    professional_background: str = "",
    dedicated_key_worker: bool = False,
) -> User:
    user = User.objects.create_user(
        email=email,
        password=password,
        full_name=full_name,
        agency=agency,
        roles=list(roles),
        professional_background=professional_background,
        dedicated_key_worker=dedicated_key_worker,
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
    *, actor: User | None, user: User, before: dict[str, Any] | None, ip: str | None
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


# The key-worker details the report cards slice by (reporting.md §1).
KEY_WORKER_DETAILS = ("professional_background", "dedicated_key_worker")


def user_key_worker_details(user: User) -> dict[str, Any]:
    return {name: getattr(user, name) for name in KEY_WORKER_DETAILS}


@transaction.atomic
def user_key_worker_details_audit(
    *, actor: User, user: User, before: dict[str, Any] | None, ip: str | None
) -> AuditEvent | None:
    """Audit a change to a user's key-worker details made elsewhere (the admin): `before`
    is user_key_worker_details() as stored before the change, None for a new user.
    Nothing is written if none changed."""
    after = user_key_worker_details(user)
    changes = {
        name: [before[name] if before else None, value]
        for name, value in after.items()
        if before is None or before[name] != value
    }
    if not changes:
        return None
    return audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATED,
        obj=user,
        changes=changes,
        summary=f"Key-worker details of {user.email} changed: {', '.join(changes)}",
        ip=ip,
    )


@transaction.atomic
def user_key_worker_details_set(
    *,
    actor: User,
    user: User,
    professional_background: str,
    dedicated_key_worker: bool,
    ip: str | None = None,
) -> AuditEvent | None:
    """Record a key worker's professional background and whether they are dedicated;
    audited when either changes. An unknown background is refused."""
    if professional_background and professional_background not in ProfessionalBackground.values:
        raise ValidationError({"professional_background": "Choose a professional background."})
    locked = User.objects.select_for_update().get(pk=user.pk)
    before = user_key_worker_details(locked)
    locked.professional_background = professional_background
    locked.dedicated_key_worker = dedicated_key_worker
    locked.save(update_fields=list(KEY_WORKER_DETAILS))
    user.professional_background = professional_background
    user.dedicated_key_worker = dedicated_key_worker
    return user_key_worker_details_audit(actor=actor, user=locked, before=before, ip=ip)


def _account_key(email: str) -> str:
    """A keyed digest of the email typed: the same for a real account and a made-up one,
    and no readable address kept for the ones that do not exist."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def _sign_in_keys(email: str, ip: str | None) -> dict[tuple[str, str, str], throttle.Limit]:
    minutes = settings.LOGIN_LOCKOUT_MINUTES
    scope = SignInThrottle.Scope
    return {
        (scope.SIGN_IN, _account_key(email), ip or ""): throttle.Limit(
            settings.LOGIN_FAILURE_LIMIT, minutes
        ),
        (scope.SIGN_IN_ADDRESS, "", ip or ""): throttle.Limit(
            settings.LOGIN_ADDRESS_FAILURE_LIMIT, minutes
        ),
    }


def _reset_keys(email: str, ip: str | None) -> dict[tuple[str, str, str], throttle.Limit]:
    scope = SignInThrottle.Scope
    return {
        (scope.RESET, _account_key(email), ""): throttle.Limit(settings.PASSWORD_RESET_LIMIT, 60),
        (scope.RESET_ADDRESS, "", ip or ""): throttle.Limit(
            settings.PASSWORD_RESET_ADDRESS_LIMIT, 60
        ),
    }


def _state(row: SignInThrottle) -> throttle.State:
    return throttle.State(row.hits, row.blocks, row.blocked_until, row.last_hit_at)


def _wait_minutes(keys) -> int:
    """Minutes until every one of these keys may try again; 0 when none is blocked."""
    now = timezone.now()
    query = Q()
    for scope, account, address in keys:
        query |= Q(scope=scope, account=account, address=address)
    rows = SignInThrottle.objects.filter(query, blocked_until__gt=now)
    return max((throttle.minutes_left(_state(row), now) for row in rows), default=0)


def _hit(keys: dict[tuple[str, str, str], throttle.Limit]) -> bool:
    """Count one failure against each key; True when that blocked any of them."""
    now = timezone.now()
    blocked = False
    for (scope, account, address), limit in keys.items():
        row, _ = SignInThrottle.objects.select_for_update().get_or_create(
            scope=scope, account=account, address=address
        )
        was_blocked = throttle.is_blocked(_state(row), now)
        after = throttle.after_hit(_state(row), limit, now)
        row.hits, row.blocks = after.hits, after.blocks
        row.blocked_until, row.last_hit_at = after.blocked_until, now
        row.save()
        blocked |= not was_blocked and throttle.is_blocked(after, now)
    return blocked


def sign_in_wait_minutes(*, email: str, ip: str | None) -> int:
    """How long sign-in is refused for this email from this address; 0 if it is not.
    The same whether or not the email belongs to an account."""
    return _wait_minutes(_sign_in_keys(email, ip))


@transaction.atomic
def sign_in_failed(*, email: str, ip: str | None, user: User | None) -> None:
    """Count a wrong password or two-factor code, for the account from this address and
    for the address alone. Audited when the email is an account's."""
    blocked = _hit(_sign_in_keys(email, ip))
    if user is not None:
        audit_record(actor=user, action=AuditEvent.Action.LOGIN_FAILED, obj=user, ip=ip)
        if blocked:
            audit_record(actor=user, action=AuditEvent.Action.LOCKED_OUT, obj=user, ip=ip)


@transaction.atomic
def sign_in_succeeded(*, user: User, ip: str | None) -> None:
    """The password was right: forget this address's failures for the account (never the
    address's own count, which one good account must not wipe)."""
    SignInThrottle.objects.filter(
        scope=SignInThrottle.Scope.SIGN_IN, account=_account_key(user.email), address=ip or ""
    ).delete()
    audit_record(actor=user, action=AuditEvent.Action.LOGIN, obj=user, ip=ip)


@transaction.atomic
def sign_in_throttles_clear(*, user: User) -> None:
    """A completed password reset proves the person holds the mailbox: lift every block
    on the account, from any address."""
    SignInThrottle.objects.filter(
        scope=SignInThrottle.Scope.SIGN_IN, account=_account_key(user.email)
    ).delete()


@transaction.atomic
def password_reset_requested(*, email: str, ip: str | None) -> int:
    """Count a request for a reset link. Returns the minutes to wait when the email or the
    address has asked too often (no link is sent), else 0. Says the same for any email."""
    keys = _reset_keys(email, ip)
    wait = _wait_minutes(keys)
    if wait:
        return wait
    _hit(keys)
    user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
    if user is not None:
        audit_record(actor=None, action=AuditEvent.Action.PASSWORD_RESET, obj=user, ip=ip)
    return 0


# --- Two-factor sign-in (django-otp devices: one authenticator app, one set of codes) ---

RECOVERY_CODE_COUNT = 10


def normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def two_factor_device_for_set_up(*, user: User) -> TOTPDevice:
    """The authenticator-app device being set up: reused until it is confirmed, so the QR
    code stays the same across page loads."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def two_factor_confirm(
    *, user: User, device: TOTPDevice, code: str, ip: str | None
) -> list[str] | None:
    """Confirm the app with a code it shows. Returns new recovery codes, or None when the
    code is wrong (which counts as a failed sign-in)."""
    locked = (
        TOTPDevice.objects.select_for_update()
        .filter(pk=device.pk, user=user, confirmed=False)
        .first()
    )
    # Gone or confirmed by a request sent at the same moment: treat as a wrong code, and
    # the page offers the set-up again.
    if locked is None or not locked.verify_token(normalise_code(code)):
        sign_in_failed(email=user.email, ip=ip, user=user)
        return None
    locked.confirmed = True
    locked.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=locked.pk).delete()
    audit_record(actor=user, action=AuditEvent.Action.TWO_FACTOR_SET_UP, obj=user, ip=ip)
    return recovery_codes_replace(user=user, ip=ip)


@transaction.atomic
def recovery_codes_replace(*, user: User, ip: str | None) -> list[str]:
    """Make a new set of single-use recovery codes; the old ones stop working."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="Recovery codes", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    audit_record(actor=user, action=AuditEvent.Action.RECOVERY_CODES, obj=user, ip=ip)
    return codes


def second_factor_verify(*, user: User, code: str, ip: str | None) -> Device | None:
    """Check a code from the user's app or one of their recovery codes. Returns the device
    that accepted it; a wrong code counts as a failed sign-in. Each device throttles
    itself as well (django-otp: waits that double after each failure)."""
    code = normalise_code(code)
    # Six digits are the app's; anything else is tried as a recovery code. Trying each
    # device would count a failure against the other one's throttle.
    kind = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    for device in kind.objects.devices_for_user(user, confirmed=True):
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(code):
            with transaction.atomic():
                SignInThrottle.objects.filter(
                    scope=SignInThrottle.Scope.SIGN_IN,
                    account=_account_key(user.email),
                    address=ip or "",
                ).delete()
                audit_record(actor=user, action=AuditEvent.Action.SECOND_FACTOR, obj=user, ip=ip)
            return device
    sign_in_failed(email=user.email, ip=ip, user=user)
    return None


@transaction.atomic
def two_factor_reset(*, user: User, actor: User, ip: str | None) -> None:
    """An administrator clears a user's app and codes (a lost phone): the user sets up a
    new app at their next sign-in."""
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    audit_record(actor=actor, action=AuditEvent.Action.TWO_FACTOR_RESET, obj=user, ip=ip)


# --- API tokens ---

TOKEN_PREFIX = "tfc_"  # noqa: S105 - a label, not a secret
# A token's use is audited the first time in each hour, with the address it came from.
TOKEN_USE_AUDIT_INTERVAL = timedelta(hours=1)


def api_token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str, days: int, ip: str | None) -> tuple[ApiToken, str]:
    """Make a token; returns it and its secret, which is never stored or shown again."""
    days = max(1, min(days, settings.API_TOKEN_MAX_DAYS))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        digest=api_token_digest(secret),
        prefix=secret[:10],
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    audit_record(
        actor=user,
        action=AuditEvent.Action.TOKEN_CREATED,
        obj=token,
        ip=ip,
        summary=f"{name}, expires {token.expires_at:%Y-%m-%d}",
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User, ip: str | None) -> bool:
    """Revoke a token; revoking it again changes nothing and writes nothing."""
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        audit_record(actor=actor, action=AuditEvent.Action.TOKEN_REVOKED, obj=token, ip=ip)
    return bool(revoked)


@transaction.atomic
def api_token_used(*, token: ApiToken, ip: str | None) -> None:
    """Note a token's use: `last_used_at` to within the audit interval, and an audit row
    the first time in each interval."""
    now = timezone.now()
    noted = ApiToken.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOKEN_USE_AUDIT_INTERVAL),
        pk=token.pk,
    ).update(last_used_at=now)
    if noted:
        audit_record(actor=token.user, action=AuditEvent.Action.TOKEN_USED, obj=token, ip=ip)
