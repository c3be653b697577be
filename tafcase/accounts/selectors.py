"""Reads of the accounts app's records."""

from django.db.models import Q, QuerySet

from tafcase.accounts.models import LocalAuthority, User


def users_of_authority(authority: LocalAuthority) -> QuerySet[User]:
    """The people an authority's administrators look after: those working for one of its
    agencies, and those with no agency of another authority who serve it."""
    own_agency = Q(agency__local_authority=authority)
    serves = Q(authorities=authority) & (
        Q(agency__isnull=True) | Q(agency__local_authority__isnull=True)
    )
    ids = User.objects.filter(own_agency | serves).values("pk")
    return User.objects.filter(pk__in=ids).select_related("agency").order_by("full_name", "email")
