"""The data-match is for the programme team: data analysts and coordinators of an
authority. Everyone else gets 404 — these pages hold unconfirmed links about people."""

from django.http import Http404

from tafcase.accounts.models import LocalAuthority, Role

DATAMATCH_ROLES = (Role.DATA_ANALYST, Role.COORDINATOR)


def authority_for(user) -> LocalAuthority:
    """The authority whose partner data this user works with, or 404."""
    if not user.is_authenticated or not user.has_role(*DATAMATCH_ROLES) or user.is_read_only:
        raise Http404("Page not found.")
    authority = user.authorities.first()
    if authority is None:
        raise Http404("Page not found.")
    return authority
