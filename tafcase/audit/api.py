"""List endpoints that audit the page they return (DESIGN.md §4: every read is logged)."""

from collections.abc import Iterable, Sequence
from typing import Any

from rest_framework.response import Response

from tafcase.audit.services import audit_listed


class AuditedListMixin:
    """For a DRF ListModelMixin view: one VIEWED row per page returned, naming the families
    and people on that page (not the whole queryset), with the search terms if any.

    Subclasses say what the list is (`audit_what`) and how to read the ids off the rows
    they serialise (`audited_ids`), from columns or prefetched relations only, so the
    audit costs one INSERT per page whatever its length.
    """

    audit_what = ""

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())  # type: ignore[attr-defined]
        page = self.paginate_queryset(queryset)  # type: ignore[attr-defined]
        rows: Sequence[Any] = page if page is not None else list(queryset)
        data = self.get_serializer(rows, many=True).data  # type: ignore[attr-defined]
        family_ids, person_ids = self.audited_ids(rows)
        audit_listed(
            request,
            what=self.audit_what,
            family_ids=family_ids,
            person_ids=person_ids,
            terms=self.audited_terms(request),
        )
        if page is not None:
            return self.get_paginated_response(data)  # type: ignore[attr-defined]
        return Response(data)

    def audited_ids(self, rows: Sequence[Any]) -> tuple[Iterable[int], Iterable[int]]:
        """(family ids, person ids) shown by these rows."""
        return (), ()

    def audited_terms(self, request) -> str:
        """The search text the list was filtered by, kept in the audit row only."""
        return ""
