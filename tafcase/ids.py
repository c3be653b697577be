"""Record ids from URLs, query strings and request bodies."""

from typing import Any

from django.http import Http404

# Postgres integer keys: anything else in a URL or a request body names no record.
_MAX_ID = 2**63 - 1


def record_id(value: Any) -> int:
    """An id from a URL, a query string or a request body, or 404 if it cannot be one."""
    if isinstance(value, bool):
        raise Http404("No such record.")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 20:
        number = int(value)
    else:
        raise Http404("No such record.")
    if not 0 < number <= _MAX_ID:
        raise Http404("No such record.")
    return number
