"""The data-match is for the programme team: data analysts and coordinators of the
authority they are working in. Everyone else gets 404 — these pages hold unconfirmed links
about people. Records are reached by id through one `<noun>_for_user(user, id, *, write)`
each, scoped to that authority; both roles may act on what they can see."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from eligibility.datamatch.models import DatamatchRun, HouseholdResult, PartnerImport, ReviewItem
from families.access import record_id
from tafcase.accounts import authority as working
from tafcase.accounts.models import LocalAuthority, Role

DATAMATCH_ROLES = (Role.DATA_ANALYST, Role.COORDINATOR)


def authority_for(user) -> LocalAuthority:
    """The authority whose partner data this user works with, or 404."""
    if not user.is_authenticated or not user.has_role(*DATAMATCH_ROLES) or user.is_read_only:
        raise Http404("Page not found.")
    authority = working.working_authority(user)
    if authority is None:
        raise Http404("Page not found.")
    return authority


def _one(queryset: QuerySet, user, pk: Any, authority_path: str):
    authority = authority_for(user)
    record = queryset.filter(**{authority_path: authority}, pk=record_id(pk)).first()
    if record is None:
        raise Http404("Not found.")
    return record


def partner_import_for_user(user, import_id: Any, *, write: bool) -> PartnerImport:
    return _one(
        PartnerImport.objects.select_related("agency", "uploaded_by"),
        user,
        import_id,
        "local_authority",
    )


def datamatch_run_for_user(user, run_id: Any, *, write: bool) -> DatamatchRun:
    return _one(DatamatchRun.objects.all(), user, run_id, "local_authority")


def review_item_for_user(user, item_id: Any, *, write: bool) -> ReviewItem:
    return _one(
        ReviewItem.objects.select_related("record", "record__agency", "run"),
        user,
        item_id,
        "run__local_authority",
    )


def household_result_for_user(user, household_id: Any, *, write: bool) -> HouseholdResult:
    return _one(
        HouseholdResult.objects.select_related("run", "family"),
        user,
        household_id,
        "run__local_authority",
    )
