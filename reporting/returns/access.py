"""Who reaches the national returns, by object: the report readers of the authority they
work in read (reporting.access.sees_reports); the ones who may edit reports
(reporting.access.can_edit_reports) draw samples, change the calculator's settings and
edit unit costs. Anyone else gets 404 (the object is not theirs to know of); a reader
sending a change gets 403."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from reporting import access
from reporting.returns import selectors
from reporting.returns.models import ReturnSample, UnitCost
from tafcase.ids import record_id

# Years are stored as small integers; a larger one in a URL names no sample.
LAST_YEAR = 9999


def authority_for_user(user, *, write: bool) -> int:
    """The working authority whose returns the user reads (404 otherwise), and may change
    when `write` (403 otherwise)."""
    authority_id = access.report_authority_id(user)
    if write and not access.can_edit_reports(user, authority_id):
        raise PermissionDenied
    return authority_id


def return_sample_for_user(user, kind: str, year: Any, *, write: bool) -> ReturnSample:
    authority_id = authority_for_user(user, write=False)
    number = record_id(year)
    sample = selectors.sample_of(authority_id, kind, number) if number <= LAST_YEAR else None
    if sample is None:
        raise Http404("No sample for that year.")
    if write and not access.can_edit_reports(user, authority_id):
        raise PermissionDenied
    return sample


def unit_cost_for_user(user, cost_id: Any, *, write: bool) -> UnitCost:
    """A row of one of the authority's unit-cost versions."""
    authority_id = authority_for_user(user, write=False)
    cost = selectors.unit_cost_of(authority_id, record_id(cost_id))
    if cost is None:
        raise Http404("No such unit cost.")
    if write and not access.can_edit_reports(user, authority_id):
        raise PermissionDenied
    return cost
