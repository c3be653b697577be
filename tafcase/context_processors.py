from django.conf import settings

from tafcase.accounts import authority
from tafcase.accounts.models import LocalAuthority
from tafcase.navigation import navigation_for


def service(request) -> dict:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "programme_name": settings.PROGRAMME_NAME,
        "navigation": navigation_for(user, request.path) if signed_in else [],
        "working_authority": _working_authority(user) if signed_in else None,
    }


def _working_authority(user) -> dict | None:
    """Shown in the header to users of several authorities, with a link to switch."""
    served = authority.served_authority_ids(user)
    if len(served) < 2:
        return None
    working = authority.working_authority_id(user)
    name = LocalAuthority.objects.filter(pk=working).values_list("name", flat=True).first()
    return {"name": name}
