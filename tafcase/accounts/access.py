"""Access to the accounts app's own records."""

from django.http import Http404

from tafcase.accounts.models import ApiToken, User


def api_token_for_user(user: User, token_id: int, *, write: bool) -> ApiToken:
    """A user reaches only their own tokens (administrators revoke others' in the admin);
    anyone else's is 404, read or write alike."""
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise Http404("No such token.")
    return token
