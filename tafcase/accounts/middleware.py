"""Binds each signed-in browser request to the user's working authority."""

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from tafcase.accounts import authority, two_factor

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


# Pages a signed-in user can open before giving their second factor.
_BEFORE_SECOND_FACTOR = (
    "/account/sign-in/",
    "/account/sign-out/",
    "/account/password-reset/",
    "/account/two-factor/",
    "/static/",
    "/health/",
)
# Set in the session once a user is found to need no second factor, so the check costs
# a query once per sign-in rather than once per request.
_NOT_NEEDED = "two_factor_not_needed"


class TwoFactorMiddleware:
    """A signed-in user who needs a second factor (tafcase.accounts.two_factor) reaches
    nothing but the code and set-up pages until they give one, the admin included. API
    calls in such a session get 403; token-authenticated calls never reach here signed in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not two_factor.is_verified(request)
            and not request.session.get(_NOT_NEEDED)
            and not request.path.startswith(_BEFORE_SECOND_FACTOR)
        ):
            if not two_factor.needed_for(user):
                request.session[_NOT_NEEDED] = True
            elif request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": "Enter your two-factor code to sign in before using the API."},
                    status=403,
                )
            else:
                return redirect(
                    f"{reverse('two-factor')}?{urlencode({'next': request.get_full_path()})}"
                )
        return self.get_response(request)
