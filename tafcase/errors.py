from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import F


class StaleEdit(Exception):
    """Optimistic locking: the record changed since the editor loaded it; nothing was saved.

    Pages answer 409 with what was typed and the latest version to save against; the API
    answers 409 Conflict.
    """

    def __init__(self, what: str, *, current_version: int | None = None):
        self.current_version = current_version
        super().__init__(
            f"Someone else changed this {what} after you opened it, so your changes were "
            f"not saved. Check the latest details and make your changes again."
        )


def bump_version(model, pk: int, expected_version: int, what: str) -> int:
    """Move a row's version on only from the version the editor read (else StaleEdit with
    the current one); returns the new version. Run inside the caller's transaction."""
    if not model.objects.filter(pk=pk, version=expected_version).update(version=F("version") + 1):
        current = model.objects.filter(pk=pk).values_list("version", flat=True).first()
        raise StaleEdit(what, current_version=current)
    return expected_version + 1


class Conflict(ValidationError):
    """The request cannot be carried out because the record is no longer in the state it
    expects (someone else changed it, or an identical request got there first and made
    something else); nothing was saved. Pages show the message; the API answers 409.

    A ValidationError, so every page that shows a service's refusals shows this one too;
    the shared page helpers and the API's handler tell it apart to answer 409."""

    def __init__(self, message: str):
        super().__init__(message)

    def __str__(self) -> str:
        return " ".join(self.messages)


UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE for a unique index refusing a row


def unique_violation(error: IntegrityError, *constraints: str) -> bool:
    """Whether a database error is a unique constraint refusing a row (one of
    `constraints`, if any are named): the trace of two requests racing to make the same
    record, not a bug."""
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) != UNIQUE_VIOLATION:
        return False
    name = getattr(getattr(cause, "diag", None), "constraint_name", None)
    return not constraints or name in constraints


def set_once(model, pk: int, field: str, **values) -> bool:
    """Set `values` on a row only while its `field` is still empty, in one conditional
    UPDATE (… WHERE field IS NULL); True when this call set it. A second request racing
    the first waits on the row lock, then finds the field set and changes nothing, so a
    one-way step (approve, sign off, withdraw, end) happens and is audited once."""
    return bool(model.objects.filter(pk=pk, **{f"{field}__isnull": True}).update(**values))
