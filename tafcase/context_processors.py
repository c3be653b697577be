from django.conf import settings

from tafcase.navigation import navigation_for


def service(request) -> dict:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "programme_name": settings.PROGRAMME_NAME,
        "navigation": navigation_for(user, request.path) if signed_in else [],
    }
