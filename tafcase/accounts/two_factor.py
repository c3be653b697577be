"""Who must sign in with a second factor, and whether this session has given one."""

from django.conf import settings
from django.db.models import Q
from django_otp import user_has_device

from tafcase.accounts.models import LocalAuthority, User


def required_for(user: User) -> bool:
    """Administrators and the programme team always; everyone else when an authority they
    work for asks it of everyone (their own authorities, or their agency's)."""
    if user.has_role(*settings.TWO_FACTOR_REQUIRED_ROLES):
        return True
    return LocalAuthority.objects.filter(
        Q(staff=user) | Q(agencies__users=user), two_factor_for_everyone=True
    ).exists()


def needed_for(user: User) -> bool:
    """True when this user must give a code before anything else: they have set up an
    app (so they use it, required or not), or they are required to."""
    return user_has_device(user, confirmed=True) or required_for(user)


def is_verified(request) -> bool:
    """django_otp.middleware.OTPMiddleware sets `is_verified` on the signed-in user."""
    return bool(getattr(request.user, "is_verified", lambda: False)())
