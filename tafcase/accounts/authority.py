"""The authority a user is working in (DESIGN.md §4).

A user who serves several authorities works in one at a time, chosen explicitly: in the
browser on the "Choose an authority" page (kept in the session), in the API with the
`X-Authority` header (the authority's id or ONS code). Programme-team powers count only in
the working authority, so a coordinator of A who also serves B never acts on B's records
while working in A. Nothing here guesses: a user of several authorities who has not chosen
works in none, and the API refuses their requests until they say which.

The binding lives on the user object for the request; code outside a request (services,
commands, tests) gets the one authority the user serves, or none.
"""

from __future__ import annotations

from django.http import HttpRequest

from tafcase.accounts.models import LocalAuthority

SESSION_KEY = "working_authority_id"
HEADER = "X-Authority"

_BOUND = "_working_authority_id"
_SERVED = "_served_authority_ids"


def served_authority_ids(user) -> list[int]:
    """The ids of the authorities whose programme the user serves (cached per request)."""
    if not getattr(user, "is_authenticated", False):
        return []
    served = getattr(user, _SERVED, None)
    if served is None:
        served = sorted(user.authorities.values_list("pk", flat=True))
        setattr(user, _SERVED, served)
    return served


def bind(user, authority_id: int | None) -> None:
    """Make `authority_id` the user's working authority for this request."""
    if authority_id is not None and authority_id not in served_authority_ids(user):
        raise ValueError("The user does not serve that authority.")
    setattr(user, _BOUND, authority_id)


def working_authority_id(user) -> int | None:
    if hasattr(user, _BOUND):
        return getattr(user, _BOUND)
    served = served_authority_ids(user)
    return served[0] if len(served) == 1 else None


def working_authority(user) -> LocalAuthority | None:
    authority_id = working_authority_id(user)
    return LocalAuthority.objects.get(pk=authority_id) if authority_id is not None else None


def needs_choice(user) -> bool:
    """True for a user of several authorities who has not yet said which they work in."""
    return working_authority_id(user) is None and len(served_authority_ids(user)) > 1


def acts_for(user, authority_id: int | None, *roles: str) -> bool:
    """Does the user hold one of `roles` for this authority? Programme-team roles count only
    in the authority the user is working in."""
    return (
        authority_id is not None
        and authority_id == working_authority_id(user)
        and user.has_role(*roles)
    )


def find_served(user, value: str) -> int | None:
    """The id of a served authority named by id or ONS code, or None."""
    value = (value or "").strip()
    served = served_authority_ids(user)
    if value.isdigit() and len(value) < 10 and int(value) in served:
        return int(value)
    match = LocalAuthority.objects.filter(pk__in=served, code__iexact=value[:9]).first()
    return match.pk if match else None


def bind_from_session(request: HttpRequest) -> None:
    """Bind the working authority chosen earlier in this session, if still served."""
    chosen = request.session.get(SESSION_KEY)
    if isinstance(chosen, int) and chosen in served_authority_ids(request.user):
        bind(request.user, chosen)


def choose(request: HttpRequest, authority_id: int) -> None:
    bind(request.user, authority_id)
    request.session[SESSION_KEY] = authority_id
