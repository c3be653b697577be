"""Access to the accounts app's own records."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from tafcase.accounts import authority as working
from tafcase.accounts.models import Agency, ApiToken, LocalAuthority, Locality, Role, User
from tafcase.accounts.selectors import users_of_authority


def api_token_for_user(user: User, token_id: int, *, write: bool) -> ApiToken:
    """A user reaches only their own tokens (administrators revoke others' in the admin);
    anyone else's is 404, read or write alike."""
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise Http404("No such token.")
    return token


def council_for_user(user: User, *, write: bool) -> LocalAuthority:
    """The authority an administrator sets up: the one they are working in. Anyone who is
    not an administrator, or an administrator working in no authority, gets 403."""
    authority = working.working_authority(user)
    if not user.has_role(Role.ADMINISTRATOR) or authority is None:
        raise PermissionDenied
    return authority


def locality_for_user(user: User, locality_id: int, *, write: bool) -> Locality:
    """A locality of the administrator's own authority; another authority's is 404."""
    authority = council_for_user(user, write=write)
    locality = Locality.objects.filter(pk=locality_id, local_authority=authority).first()
    if locality is None:
        raise Http404("No such locality.")
    return locality


def agency_for_user(user: User, agency_id: int, *, write: bool) -> Agency:
    """An agency of the administrator's own authority; any other is 404."""
    authority = council_for_user(user, write=write)
    agency = Agency.objects.filter(pk=agency_id, local_authority=authority).first()
    if agency is None:
        raise Http404("No such agency.")
    return agency


def account_for_user(user: User, account_id: int, *, write: bool) -> User:
    """A user of the administrator's own authority (see selectors.users_of_authority);
    anyone else is 404."""
    authority = council_for_user(user, write=write)
    account = users_of_authority(authority).filter(pk=account_id).first()
    if account is None:
        raise Http404("No such user.")
    return account
