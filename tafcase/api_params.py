"""Parsing what an API request carries outside its body: path ids and query parameters.

Every viewset's routes and query strings go through here, so a malformed id or filter is
answered 404 (a path that names no record) or 400 (a query that makes no sense), never a
server error from the database.
"""

import re
from collections.abc import Iterable

from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.routers import DefaultRouter

# Record ids are positive whole numbers that fit a 64-bit column.
ID_PATTERN = r"[0-9]{1,18}"
_ID = re.compile(ID_PATTERN)


class IdRouter(DefaultRouter):
    """The API's router: trailing slashes, no root view of its own (tafcase.api has one),
    and detail routes that match only a record id, so ``/api/families/abc/`` is a 404
    like any other path that names no record."""

    include_root_view = False

    def __init__(self) -> None:
        super().__init__(trailing_slash=True)

    def get_lookup_regex(self, viewset, lookup_prefix: str = "") -> str:
        lookup_field = getattr(viewset, "lookup_field", "pk")
        lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
        value = getattr(viewset, "lookup_value_regex", ID_PATTERN)
        return f"(?P<{lookup_prefix}{lookup_url_kwarg}>{value})"


def query_id(request, name: str, *, required: bool = False) -> int | None:
    """The record id in query parameter ``name``: None when absent or blank (400 when
    ``required``); 400 when it is not an id."""
    value = request.query_params.get(name, "")
    if value == "":
        if required:
            raise ValidationError({name: ["This query parameter is required."]})
        return None
    if not _ID.fullmatch(value):
        raise ValidationError({name: ["Must be a record id: a whole number."]})
    return int(value)


def query_choice(request, name: str, choices: Iterable[str]) -> str | None:
    """The value of query parameter ``name`` if it is one of ``choices``; None when absent
    or blank; 400 otherwise."""
    value = request.query_params.get(name, "")
    if value == "":
        return None
    allowed = list(choices)
    if value not in allowed:
        raise ValidationError({name: [f"Must be one of: {', '.join(allowed)}."]})
    return value


def query_flag(request, name: str) -> bool:
    """True when query parameter ``name`` is ``1`` or ``true``; False when absent, blank,
    ``0`` or ``false``; 400 otherwise."""
    value = request.query_params.get(name, "").lower()
    if value in ("", "0", "false"):
        return False
    if value in ("1", "true"):
        return True
    raise ValidationError({name: ["Must be true or false."]})


IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,100}")  # printable ASCII, no spaces


IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "A unique value per create, such as a UUID. Sending the request again with the same "
        "key (a retry after a timeout) makes nothing new: the answer is the same status and "
        "the record the first request made. Keys are per user and last 24 hours."
    ),
)


def idempotency_key(request) -> str | None:
    """The request's ``Idempotency-Key`` header (tafcase.idempotency): None when absent;
    400 when it is not 1–100 printable ASCII characters."""
    value = request.headers.get("Idempotency-Key")
    if value is None:
        return None
    if not IDEMPOTENCY_KEY.fullmatch(value):
        raise ValidationError(
            {"Idempotency-Key": ["Must be 1 to 100 printable characters, such as a UUID."]}
        )
    return value
