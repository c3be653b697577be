"""Binds each signed-in browser request to the user's working authority."""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from tafcase.accounts import authority

# Pages a user of several authorities can open before choosing one.
_OPEN_PREFIXES = ("/account/", "/static/", "/health/", "/api/")


class WorkingAuthorityMiddleware:
    """A user who serves several authorities chooses which one they work in before any
    page is shown; the choice is kept in the session (tafcase.accounts.authority)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            authority.bind_from_session(request)
            choose = reverse("choose-authority")
            if (
                authority.needs_choice(user)
                and request.path != choose
                and not request.path.startswith(_OPEN_PREFIXES)
            ):
                return redirect(f"{choose}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
