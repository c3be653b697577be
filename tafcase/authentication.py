"""API authentication that also binds the working authority (tafcase.accounts.authority).

Kept apart from the views for the same reason as tafcase.permissions: DRF imports the
default authentication classes while rest_framework.views is still loading.
"""

from rest_framework import authentication
from rest_framework.exceptions import AuthenticationFailed, ParseError

from tafcase.accounts import authority, services
from tafcase.accounts.models import ApiToken
from tafcase.audit.services import client_ip


def _bind_for_api(user, request) -> None:
    named = request.META.get("HTTP_" + authority.HEADER.upper().replace("-", "_"))
    if named:
        authority_id = authority.find_served(user, named)
        if authority_id is None:
            raise ParseError(f"{authority.HEADER} names an authority you do not serve.")
        authority.bind(user, authority_id)
        return
    session = getattr(request, "session", None)
    chosen = session.get(authority.SESSION_KEY) if session is not None else None
    if isinstance(chosen, int) and chosen in authority.served_authority_ids(user):
        authority.bind(user, chosen)
    elif authority.needs_choice(user):
        raise ParseError(
            f"You serve several authorities: say which one this request is for with the "
            f"{authority.HEADER} header (its id or ONS code)."
        )


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <secret>` with a tafcase.accounts ApiToken: refused once it
    has expired or been revoked, and while its user is inactive or locked. Each use is
    noted (and audited hourly) by services.api_token_used."""

    model = ApiToken

    def authenticate_credentials(self, key):
        token = (
            ApiToken.objects.select_related("user")
            .filter(digest=services.api_token_digest(key))
            .first()
        )
        if token is None:
            raise AuthenticationFailed("Invalid token.")
        if not token.is_usable():
            raise AuthenticationFailed("This token has expired or been revoked.")
        if not token.user.is_active or token.user.is_locked():
            raise AuthenticationFailed("The account this token belongs to cannot sign in.")
        return token.user, token

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            services.api_token_used(token=result[1], ip=client_ip(request))
            _bind_for_api(result[0], request)
        return result


class SessionAuthentication(authentication.SessionAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            _bind_for_api(result[0], request._request)
        return result
